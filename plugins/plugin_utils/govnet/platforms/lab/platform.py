"""The lab platform's registry entry: each device a network namespace on this machine, its files lab/<device>/<file>."""
from __future__ import annotations

import sys
from typing import Any, Optional

from ..entry import Platform
from . import render
from .names import netns

FOLDER = "lab/"

# Each file of a lab device and the daemon or service that reads it (roles/device_config/tasks/lab.yml installs them).
LAYOUT = {
    # routers
    "frr.conf": "frr",
    "daemons": "frr",
    "vtysh.conf": "frr",
    "nftables.conf": "nftables",
    "sshd_config": "sshd",
    "rsyslog.conf": "rsyslog",
    "snmpd.conf": "snmpd",
    "ulogd.conf": "ulogd",
    # a core hub's services namespace: the security operations collector, the answerer, the SIP core
    "soc/rsyslog.conf": "collector",
    "soc/snmptrapd.conf": "collector",
    "answer.xml": "answerer",
    "sip-core/kamailio.cfg": "sip_core",
    "sip-core/dialplan": "sip_core",
    "sip-core/version": "sip_core",
    # access switches
    "ovs.sh": "ovs",
    # call control
    "kamailio.cfg": "kamailio",
    "dispatcher.list": "kamailio",
    "dialplan": "kamailio",
    "version": "kamailio",
}


def owner(path: str) -> Optional[tuple[str, str]]:
    """lab/<device>/<file> belongs to that device; <file> may lie in a folder of the device's (soc/, sip-core/)."""
    if not path.startswith(FOLDER):
        return None
    device, _slash, name = path[len(FOLDER):].partition("/")
    return (device, name) if name else None


def host_vars(hostname: str) -> dict[str, Any]:
    """The namespace the device lives in (the netns connection and the lab's tasks use it)."""
    return {"govnet_netns": netns(hostname)}


PLATFORM = Platform(
    name="lab",
    render=render.render,
    owner=owner,
    layout=LAYOUT,
    connection={"ansible_connection": "ega.govnet.netns", "ansible_python_interpreter": sys.executable},
    host_vars=host_vars,
    deploy_tasks="lab.yml",
    backup_tasks="backup_lab.yml",
    verify_tasks="verify_lab.yml",
)
