"""The lab's topology (labnet) and ega.govnet.lab bringing it up and down (labctl).

The tests marked ``lab`` create the GovNet lab of inventories/lab/default.yml for real (namespaces gn-*), so they
need root and the lab packages, and they replace a lab that is up on this machine (there is one lab per machine).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import render as lab

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import ctl as labctl

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan

from conftest import ROOT

LAB_DEFAULT = ROOT / "inventories" / "lab" / "default.yml"
LAB_REGION = ROOT / "inventories" / "lab" / "region.yml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(LAB_DEFAULT)


@pytest.fixture(scope="module")
def topology(network: Network) -> labnet.Topology:
    return labnet.topology(network.states)


def interfaces(topo: labnet.Topology) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for link in topo.links:
        out.setdefault(link.ns, set()).add(link.name)
        out.setdefault(link.peer_ns, set()).add(link.peer)
    return out


def test_lab_registries_copy_the_shipped_institutions_exactly() -> None:
    import yaml  # pylint: disable=import-outside-toplevel

    shipped = {item["id"]: item for item in yaml.safe_load((ROOT / "inventories" / "govnet" / "institutions.yml").read_text())["institutions"]}
    for path, ids in ((LAB_DEFAULT, [9, 52, 101]), (LAB_REGION, [72, *range(98, 106)])):
        items = yaml.safe_load(path.read_text())["institutions"]
        assert [item["id"] for item in items] == ids and items == [shipped[i] for i in ids], path


def test_default_lab_devices_and_namespaces(network: Network, topology: labnet.Topology) -> None:
    assert sorted(network.states) == [
        "agg-dodoma", "core-dar", "core-dodoma", "gpsa-cc1", "gpsa-ce1", "gpsa-sw1", "kongwa-dc-cc1", "kongwa-dc-ce1",
        "kongwa-dc-sw1", "moa-cc1", "moa-ce1", "moa-sw1",
    ]  # fmt: skip
    names = topology.namespace_names()
    assert len(names) == len(set(names)) == 27 and all(name.startswith("gn-") for name in names)
    for slug in ("moa", "gpsa", "kongwa-dc"):
        assert {f"gn-{slug}-{host}" for host in ("pc1", "pc2", "ph1", "ph2", "ce1", "sw1", "cc1")} <= set(names)
    assert {"gn-core-dar-svc", "gn-core-dodoma-svc", "gn-ops"} <= set(names)
    assert labnet.summary(topology)["switches"] == 3


def test_every_interface_a_configuration_names_exists_once(network: Network, topology: labnet.Topology) -> None:
    """Every interface of every router's frr.conf, every uplink of every ovs.sh, and eth0 of every end host is one
    end of one veth, named at most 15 characters; WAN links have the same name on both ends."""
    files = lab.render(network.states)
    have = interfaces(topology)
    ends = [(link.ns, link.name) for link in topology.links] + [(link.peer_ns, link.peer) for link in topology.links]
    assert len(ends) == len(set(ends)) and all(len(name) <= 15 for _, name in ends)
    for hostname, state in network.states.items():
        ns = labnet.netns(hostname)
        if state["role"] in labnet.ROUTER_ROLES:
            named = set(re.findall(r"^interface (\S+)$", files[f"lab/{hostname}/frr.conf"], re.M)) - {"lo"}
            assert named <= have[ns], (hostname, named - have[ns])
        if state["role"] == "access_switch":
            named = set(re.findall(r"add-port br0 (\S+) ", files[f"lab/{hostname}/ovs.sh"])) - {"mgmt"}
            stubs = {f"x{name}" for name in named}
            assert named == have[ns] - stubs, (hostname, named ^ (have[ns] - stubs))
    for link in topology.links:
        if link.name.startswith("c") and not link.stub:
            assert link.name == link.peer and link.ns != link.peer_ns
    assert all("eth0" in have[host.ns] for host in topology.hosts)


def test_end_hosts_addresses_and_gateways(network: Network, topology: labnet.Topology) -> None:
    hosts = {host.ns: host for host in topology.hosts}
    moa = {vlan["role"]: vlan for vlan in network.states["moa-ce1"]["vlans"]}
    assert hosts["gn-moa-pc1"] == labnet.EndHost("gn-moa-pc1", ("10.24.18.10/24",), moa["data"]["gateway"])
    assert hosts["gn-moa-pc2"].addresses == ("10.24.18.11/24",)
    assert hosts["gn-moa-ph2"] == labnet.EndHost("gn-moa-ph2", ("10.24.19.11/25",), moa["voice"]["gateway"])
    cc = network.states["moa-cc1"]
    assert hosts["gn-moa-cc1"] == labnet.EndHost("gn-moa-cc1", (cc["address"],), cc["gateway"])
    hub = network.states["core-dodoma"]
    assert hosts["gn-core-dodoma-svc"].addresses == tuple(service["address"] for service in hub["services"])
    assert hosts["gn-core-dodoma-svc"].gateway == "10.0.18.1" and hosts["gn-ops"] == labnet.EndHost("gn-ops", ("10.0.8.10/24",), "10.0.8.1")
    # Call control sits straight on the CE's servers VLAN; the switch's servers uplink is a stub.
    link = next(link for link in topology.links if link.peer_ns == "gn-moa-cc1")
    assert (link.ns, link.name, link.peer) == ("gn-moa-ce1", "v30", "eth0")
    assert any(link.stub and (link.ns, link.name) == ("gn-moa-sw1", "up30") for link in topology.links)
    # Whatever sends into Open vSwitch has TX checksum offload off.
    for link in topology.links:
        plugged = [end for end, ns in (("a", link.ns), ("b", link.peer_ns)) if ns.endswith(("-sw1",)) and not link.stub]
        assert set(link.offload) == {"a", "b"} - set(plugged) if plugged else not link.offload, link


def test_region_lab_has_every_council(tmp_path: Path) -> None:
    topo = labnet.topology(plan(LAB_REGION).states)
    counts = labnet.summary(topo)
    assert counts["namespaces_router"] == 12 and counts["switches"] == 9 and counts["namespaces"] == 69


# ================================================================ the lab for real


def lab_pids() -> list[tuple[int, str]]:
    """Live processes that belong to a GovNet lab: in a gn-* pathspace, or with files under /run/govnet-lab."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if stat != "Z" and ("/run/govnet-lab/" in cmdline or re.search(r"(^| )gn-\S+", cmdline)):
            out.append((int(proc.name), cmdline))
    return out


def leftovers() -> list[str]:
    names = [name for name in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout.split() if name.startswith("gn-")]
    folders = [str(path) for root in ("/etc/netns", "/etc/frr", "/run/frr") for path in Path(root).glob("gn-*")]
    folders += ["/run/govnet-lab"] if Path("/run/govnet-lab").exists() else []
    return names + folders + [f"process {pid}: {cmd}" for pid, cmd in lab_pids()]


def run_lab(tmp_path: Path, **args: Any) -> dict[str, Any]:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(f"all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: {sys.executable}\n")
    ran = subprocess.run(
        [str(BIN / "ansible"), "-i", str(inventory), "localhost", "-m", "ega.govnet.lab", "-a", json.dumps(args)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
        env={**os.environ, "ANSIBLE_STDOUT_CALLBACK": "json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"},
    )  # fmt: skip
    assert ran.stdout, ran.stderr
    return json.loads(ran.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


@pytest.mark.lab
def test_lab_present_twice_then_absent_leaves_nothing(tmp_path: Path, network: Network) -> None:
    if os.geteuid() != 0:
        pytest.skip("the lab needs root (network namespaces)")
    missing = [tool for tool in labctl.TOOLS if not shutil.which(tool, path=labctl.SBIN_PATH)]
    if missing:
        pytest.skip(f"lab tools missing: {', '.join(missing)} (make setup as root, see DEB_PACKAGES)")
    # A stale leftover of the lab's own names (an interrupted run) does not block present, and goes.
    subprocess.run(["ip", "netns", "add", "gn-stale-leftover"], check=True)
    Path("/etc/frr/gn-stale-leftover").mkdir(parents=True, exist_ok=True)
    try:
        first = run_lab(tmp_path, inventory=str(LAB_DEFAULT), state="present")
        assert first["changed"] and not first.get("failed"), first
        assert (first["namespaces"], first["links"], first["switches"]) == (27, 33, 3)
        assert first["removed"]["namespaces"] >= 1
        ns = set(subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout.split())
        assert "gn-stale-leftover" not in ns and set(labnet.topology(network.states).namespace_names()) <= ns
        # Each switch's ovsdb-server and ovs-vswitchd answer inside its namespace.
        for switch in ("moa-sw1", "gpsa-sw1", "kongwa-dc-sw1"):
            db = labnet.ovs_db(labnet.netns(switch))
            shown = subprocess.run(["ovs-vsctl", f"--db={db}", "--timeout=10", "show"], capture_output=True, text=True, timeout=30, check=False)
            assert shown.returncode == 0, shown.stderr
        # The root namespace has no link or route into the lab.
        root_links = json.loads(subprocess.run(["ip", "-j", "link"], capture_output=True, text=True, check=True).stdout)
        assert not any(link.get("link_netnsid") is not None for link in root_links), "a link of the root namespace leads into a lab namespace"
        routes = subprocess.run(["ip", "route"], capture_output=True, text=True, check=True).stdout
        assert not any(host.addresses[0].split("/")[0] in routes for host in labnet.topology(network.states).hosts)
        second = run_lab(tmp_path, inventory=str(LAB_DEFAULT), state="present")
        assert not second["changed"] and not second.get("failed"), second
    finally:
        gone = run_lab(tmp_path, state="absent")
    assert gone["changed"] and not gone.get("failed"), gone
    assert gone["removed"]["processes"] >= 6  # an ovsdb-server and an ovs-vswitchd per switch
    assert leftovers() == []
    again = run_lab(tmp_path, state="absent")
    assert not again["changed"] and not again.get("failed"), again
