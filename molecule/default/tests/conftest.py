"""What the lab tests share: the plan the lab was built from, commands inside lab namespaces, bounded waits, and the
rollout's live checks (ops/live_checks.py) run against a lab device.

Run by verify.yml with GOVNET_LAB_INVENTORY naming the lab's registry; the expectations come from the same plan
the lab was built from (build.plan), so the tests hold for any lab registry (molecule/default, molecule/region).
Every command runs inside a lab namespace (``ip netns exec gn-...``) or asks a lab daemon (``vtysh -N gn-...``);
nothing is sent from or to the root namespace. Every wait polls with a deadline; none sleeps a fixed time.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import testinfra

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import live_checks
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.names import netns, run_dir

ROOT = Path(__file__).resolve().parents[3]
HOST = testinfra.get_host("local://")  # every command of the lab tests runs through pytest-testinfra's local backend
CONNECT = "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)"
INVENTORY = Path(os.environ.get("GOVNET_LAB_INVENTORY", ROOT / "inventories" / "lab" / "default.yml"))
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@pytest.fixture(scope="session")
def network() -> Network:
    """The plan of the lab's registry: every device's intended state."""
    return plan(INVENTORY)


def by_role(network: Network, role: str) -> dict[str, dict[str, Any]]:
    """The intended states of the devices of one role, by host name."""
    return {hostname: state for hostname, state in sorted(network.states.items()) if state["role"] == role}


def institution(network: Network, slug: str) -> tuple[str, dict[str, Any]]:
    """The first CE of an institution: its host name and intended state."""
    return next((hostname, ce) for hostname, ce in by_role(network, "ce_router").items() if ce["institution"]["slug"] == slug)


def pc_address(ce: dict[str, Any], index: int = 0) -> str:
    """The address of PC index of a CE's data VLAN (the lab's first host onwards)."""
    data = next(vlan for vlan in ce["vlans"] if vlan["role"] == "data")
    return str(ipaddress.ip_network(data["prefix"]).network_address + labnet.FIRST_HOST + index)


def wait_until(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    """Poll probe until it returns something true, at most timeout seconds; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    return value


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """A command run by pytest-testinfra's local backend, bounded by coreutils' timeout (exit 124 when it expires),
    its output captured; never raises on a failing exit code."""
    bounded = ["timeout", "-k", "5", str(timeout), *args]
    result = HOST.run(" ".join(shlex.quote(arg) for arg in bounded))
    return subprocess.CompletedProcess(list(args), result.rc, result.stdout, result.stderr)


def in_ns(ns: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """A command inside a lab namespace."""
    return run("ip", "netns", "exec", ns, *args, timeout=timeout)


def pings(ns: str, address: str, count: int = 1) -> bool:
    """Whether address answers count pings from the namespace."""
    return in_ns(ns, "ping", "-n", "-q", "-c", str(count), "-W", "1", address).returncode == 0


def connects(ns: str, address: str, port: int) -> bool:
    """Whether a TCP connection from the namespace to address:port opens (within 3 s)."""
    return in_ns(ns, "python3", "-c", CONNECT, address, str(port)).returncode == 0


def vtysh_json(hostname: str, command: str) -> dict[str, Any]:
    """A JSON show command of a lab router's FRR; {} when FRR gives no JSON."""
    try:
        return json.loads(run("vtysh", "-N", netns(hostname), "-c", command).stdout or "{}")
    except json.JSONDecodeError:
        return {}


def live_check(hostname: str, check: str, state: dict[str, Any]) -> live_checks.Check:
    """One of the rollout's live checks of a lab device, with the command the rollout's verify runs."""
    ns = netns(hostname)
    return live_checks.judge(check, run(*live_checks.lab_command(check, ns, run_dir(ns))).stdout, state)
