"""The GovNet lab, verified with real state and real packets (Molecule verify; pytest-testinfra, local backend).

Run by verify.yml with GOVNET_LAB_INVENTORY naming the lab's registry; the expectations come from the same plan
the lab was built from (build.plan), so the tests hold for any lab registry (molecule/default, molecule/region).
Every command runs inside a lab namespace (``ip netns exec gn-...``) or asks a lab daemon (``vtysh -N gn-...``);
nothing is sent from or to the root namespace. Every wait polls with a deadline; none sleeps a fixed time.
"""

from __future__ import annotations

import ipaddress
import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan

ROOT = Path(__file__).resolve().parents[3]
INVENTORY = Path(os.environ.get("GOVNET_LAB_INVENTORY", ROOT / "inventories" / "lab" / "default.yml"))
CONVERGENCE = 60  # seconds BGP may take to come up everywhere after a converge
SPARE = ("198.51.100.1/24", "198.51.100.2/24", "198.51.100.3/24")  # TEST-NET-2, only ever inside one VLAN's hosts


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(INVENTORY)


def by_role(network: Network, role: str) -> dict[str, dict[str, Any]]:
    return {hostname: state for hostname, state in sorted(network.states.items()) if state["role"] == role}


def wait_until(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    """Poll probe until it returns something true, at most timeout seconds; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def vtysh_json(host: Any, hostname: str, command: str) -> dict[str, Any]:
    result = host.run(f"vtysh -N {labnet.netns(hostname)} -c '{command}'")
    try:
        return json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        return {}


def bgp_prefixes(host: Any, hostname: str) -> set[str]:
    return set(vtysh_json(host, hostname, "show bgp ipv4 unicast json").get("routes", {}))


def pings(host: Any, ns: str, address: str, count: int = 1) -> bool:
    return host.run(f"ip netns exec {ns} ping -n -q -c {count} -W 1 {address}").rc == 0


def test_every_bgp_session_is_established(host: Any, network: Network) -> None:
    routers = {h: s for h, s in network.states.items() if s["role"] in labnet.ROUTER_ROLES}
    expected = {(hostname, n["address"]) for hostname, state in routers.items() for n in state["bgp"]["neighbors"]}
    assert expected

    def down() -> set[tuple[str, str]]:
        out = set()
        for hostname in routers:
            peers = vtysh_json(host, hostname, "show bgp summary json").get("ipv4Unicast", {}).get("peers", {})
            out |= {(h, a) for h, a in expected if h == hostname and peers.get(a, {}).get("state") != "Established"}
        return out

    missing: set[tuple[str, str]] = set()

    def all_up() -> bool:
        nonlocal missing
        missing = down()
        return not missing

    try:
        wait_until("every BGP session to be Established", all_up, CONVERGENCE)
    except AssertionError as error:
        raise AssertionError(f"{error}: still down {sorted(missing)}") from None


def test_institution_blocks_reach_both_hubs_and_regions_are_summarised(host: Any, network: Network) -> None:
    """Central institutions' blocks are in both hubs' BGP tables; regional ones only as their region's summary,
    which is each hub's one and only route inside the region."""
    hubs = by_role(network, "core_hub")
    summaries = [state["bgp"]["summary"] for state in by_role(network, "regional_aggregation").values()]
    blocks = {hostname: state["bgp"]["originate"][0] for hostname, state in by_role(network, "ce_router").items()}
    assert len(hubs) == 2 and blocks

    def expected_at_hubs() -> set[str]:
        out = set(summaries)
        for block in blocks.values():
            if not any(ipaddress.ip_network(block).subnet_of(ipaddress.ip_network(summary)) for summary in summaries):
                out.add(block)
        return out

    want = expected_at_hubs()
    wait_until(f"{sorted(want)} at both hubs", lambda: all(want <= bgp_prefixes(host, hub) for hub in hubs), CONVERGENCE)
    for hub in hubs:
        prefixes = bgp_prefixes(host, hub)
        for summary in summaries:
            inside = sorted(p for p in prefixes if ipaddress.ip_network(p).subnet_of(ipaddress.ip_network(summary)))
            assert inside == [summary], f"{hub} holds {inside} inside region {summary}, not just the summary"
            kernel = json.loads(host.run(f"ip -n {labnet.netns(hub)} -j route show root {summary}").stdout or "[]")
            assert [route["dst"] for route in kernel] == [summary], f"{hub} kernel routes inside {summary}: {kernel}"


def test_pcs_reach_their_gateway_and_the_shared_services_at_both_hubs(host: Any, network: Network) -> None:
    hubs = by_role(network, "core_hub")
    dns = {hub: next(s["address"] for s in state["services"] if s["role"] == "dns").split("/")[0] for hub, state in hubs.items()}
    for hostname, ce in by_role(network, "ce_router").items():
        slug = ce["institution"]["slug"]
        pc = f"{labnet.PREFIX}{slug}-pc1"
        gateway = next(vlan["gateway"] for vlan in ce["vlans"] if vlan["role"] == "data")
        wait_until(f"{pc} to ping its gateway {gateway}", lambda pc=pc, gateway=gateway: pings(host, pc, gateway), 20)
        for hub, address in dns.items():
            wait_until(f"{pc} to ping the DNS service {address} at {hub}", lambda pc=pc, address=address: pings(host, pc, address), 30)


def test_call_control_reaches_the_sip_core(host: Any, network: Network) -> None:
    """Call control sits on the servers VLAN (straight on the CE) and reaches every SIP core address it routes to."""
    for hostname, cc in by_role(network, "call_control").items():
        ns = labnet.netns(hostname)
        wait_until(f"{ns} to ping its gateway", lambda ns=ns, cc=cc: pings(host, ns, cc["gateway"]), 20)
        for address in cc["routes"]["sip_core"]:
            wait_until(f"{ns} to ping the SIP core {address}", lambda ns=ns, address=address: pings(host, ns, address), 30)


def test_data_and_voice_vlans_are_separate_at_layer_2(host: Any, network: Network) -> None:
    """pc1, pc2 and ph1 of each institution get a spare address in one subnet: pc1 reaches pc2 (same VLAN) but
    not ph1 (voice VLAN), since only routing joins VLANs and the spare subnet is routed nowhere."""
    for hostname, ce in by_role(network, "ce_router").items():
        slug = ce["institution"]["slug"]
        pc1, pc2, ph1 = (f"{labnet.PREFIX}{slug}-{name}" for name in ("pc1", "pc2", "ph1"))
        added = list(zip((pc1, ph1, pc2), SPARE))
        try:
            for ns, address in added:
                assert host.run(f"ip -n {ns} address add {address} dev eth0").rc == 0
            pc2_address, ph1_address = SPARE[2].split("/", maxsplit=1)[0], SPARE[1].split("/", maxsplit=1)[0]
            wait_until(f"{pc1} to ping {pc2} in the data VLAN (positive control)", lambda pc1=pc1, a=pc2_address: pings(host, pc1, a), 15)
            assert not pings(host, pc1, ph1_address, count=3), f"{pc1} reached {ph1} across VLANs"
        finally:
            for ns, address in added:
                host.run(f"ip -n {ns} address del {address} dev eth0")
            host.run(f"ip -n {pc1} neigh flush dev eth0")
