"""Where a lab device lives on the host: its network namespace and the folder of its run files.

The lab platform's renderer names files in these folders (call records, the collector's files), the lab runtime
(``lab.net``) creates them, and the inventory gives each lab device its namespace.
"""
from __future__ import annotations

from ...core.text import HOSTNAME

PREFIX = "gn-"  # every lab namespace: lab device <hostname> lives in network namespace gn-<hostname>
RUN_ROOT = "/run/govnet-lab"  # run files of the lab: one folder per namespace, the build of the molecule lab


def netns(hostname: str) -> str:
    """The namespace of a lab device (the inventory plugin's govnet_netns); its name is a file name under /run/netns,
    so a hostname that is not one is refused."""
    if not HOSTNAME.fullmatch(hostname):
        raise ValueError(f"device {hostname!r}: a lab namespace is named by a hostname of lowercase ASCII letters, digits and '-'")
    return PREFIX + hostname


def run_dir(ns: str) -> str:
    """The folder of a namespace's run files: OVS database, sockets, logs and every pid file."""
    return f"{RUN_ROOT}/{ns}"
