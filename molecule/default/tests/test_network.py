"""The GovNet lab's network, verified with real state and real packets (Molecule verify): BGP, routes, reachability
and layer-2 separation, with the rollout's own live checks (ops/live_checks.py) judging every device first.
The shared helpers (plan, namespaces, bounded waits) are in conftest.py."""

from __future__ import annotations

import ipaddress
import json

from conftest import by_role, live_check, pings, run, wait_until

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.schema import ROUTER_ROLES
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import live_checks
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.names import PREFIX, netns

CONVERGENCE = 60  # seconds BGP may take to come up everywhere after a converge
SPARE = ("198.51.100.1/24", "198.51.100.2/24", "198.51.100.3/24")  # TEST-NET-2, only ever inside one VLAN's hosts
# The rollout's checks of a lab device's role (roles/rollout_device/tasks/verify_lab.yml) that read a command's output.
ROLE_CHECKS = {**{role: ("lab_bgp_sessions", "lab_routes") for role in ROUTER_ROLES}, "access_switch": ("lab_access_vlans",)}


def bgp_prefixes(hostname: str) -> set[str]:
    return live_checks.frr_routes(run("vtysh", "-N", netns(hostname), "-c", "show bgp ipv4 unicast json").stdout)


def failing(network: Network, checks: tuple[str, ...] | None = None) -> dict[str, list[live_checks.Check]]:
    """The devices whose rollout checks (all of their role's, or only those named) fail now, with the failing checks."""
    failed: dict[str, list[live_checks.Check]] = {}
    for hostname, state in sorted(network.states.items()):
        for check in ROLE_CHECKS.get(state["role"], ()):
            if checks is None or check in checks:
                result = live_check(hostname, check, state)
                if not result.ok:
                    failed.setdefault(hostname, []).append(result)
    return failed


def wait_for_checks(network: Network, what: str, checks: tuple[str, ...] | None = None) -> None:
    """Wait (bounded) until the rollout's checks pass on every device; fail naming each device's failing checks."""
    still: dict[str, list[live_checks.Check]] = {}

    def passed() -> bool:
        nonlocal still
        still = failing(network, checks)
        return not still

    try:
        wait_until(what, passed, CONVERGENCE)
    except AssertionError as error:
        detail = "; ".join(f"{hostname}: {', '.join(f'{c.name} ({c.detail})' for c in found)}" for hostname, found in still.items())
        raise AssertionError(f"{error}: {detail}") from None


def test_every_bgp_session_is_established(network: Network) -> None:
    assert any(state["role"] in ROUTER_ROLES for state in network.states.values())
    wait_for_checks(network, "every BGP session to be Established", ("lab_bgp_sessions",))


def test_every_device_passes_the_rollouts_checks(network: Network) -> None:
    """What the rollout verifies after a push holds on the converged lab: sessions, routes, access port VLANs."""
    assert any(state["role"] in ROLE_CHECKS for state in network.states.values())
    wait_for_checks(network, "every device to pass the rollout's checks")


def test_institution_blocks_reach_both_hubs_and_regions_are_summarised(network: Network) -> None:
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
    wait_until(f"{sorted(want)} at both hubs", lambda: all(want <= bgp_prefixes(hub) for hub in hubs), CONVERGENCE)
    for hub in hubs:
        prefixes = bgp_prefixes(hub)
        for summary in summaries:
            inside = sorted(p for p in prefixes if ipaddress.ip_network(p).subnet_of(ipaddress.ip_network(summary)))
            assert inside == [summary], f"{hub} holds {inside} inside region {summary}, not just the summary"
            kernel = json.loads(run("ip", "-n", netns(hub), "-j", "route", "show", "root", summary).stdout or "[]")
            assert [route["dst"] for route in kernel] == [summary], f"{hub} kernel routes inside {summary}: {kernel}"


def test_pcs_reach_their_gateway_and_the_shared_services_at_both_hubs(network: Network) -> None:
    hubs = by_role(network, "core_hub")
    dns = {hub: next(s["address"] for s in state["services"] if s["role"] == "dns").split("/")[0] for hub, state in hubs.items()}
    for hostname, ce in by_role(network, "ce_router").items():
        slug = ce["institution"]["slug"]
        pc = f"{PREFIX}{slug}-pc1"
        gateway = next(vlan["gateway"] for vlan in ce["vlans"] if vlan["role"] == "data")
        wait_until(f"{pc} to ping its gateway {gateway}", lambda pc=pc, gateway=gateway: pings(pc, gateway), 20)
        for hub, address in dns.items():
            wait_until(f"{pc} to ping the DNS service {address} at {hub}", lambda pc=pc, address=address: pings(pc, address), 30)


def test_call_control_reaches_the_sip_core(network: Network) -> None:
    """Call control sits on the servers VLAN (straight on the CE) and reaches every SIP core address it routes to."""
    for hostname, cc in by_role(network, "call_control").items():
        ns = netns(hostname)
        wait_until(f"{ns} to ping its gateway", lambda ns=ns, cc=cc: pings(ns, cc["gateway"]), 20)
        for address in cc["routes"]["sip_core"]:
            wait_until(f"{ns} to ping the SIP core {address}", lambda ns=ns, address=address: pings(ns, address), 30)


def test_data_and_voice_vlans_are_separate_at_layer_2(network: Network) -> None:
    """pc1, pc2 and ph1 of each institution get a spare address in one subnet: pc1 reaches pc2 (same VLAN) but
    not ph1 (voice VLAN), since only routing joins VLANs and the spare subnet is routed nowhere."""
    for hostname, ce in by_role(network, "ce_router").items():
        slug = ce["institution"]["slug"]
        pc1, pc2, ph1 = (f"{PREFIX}{slug}-{name}" for name in ("pc1", "pc2", "ph1"))
        added = list(zip((pc1, ph1, pc2), SPARE))
        try:
            for ns, address in added:
                assert run("ip", "-n", ns, "address", "add", address, "dev", "eth0").returncode == 0
            pc2_address, ph1_address = SPARE[2].split("/", maxsplit=1)[0], SPARE[1].split("/", maxsplit=1)[0]
            wait_until(f"{pc1} to ping {pc2} in the data VLAN (positive control)", lambda pc1=pc1, a=pc2_address: pings(pc1, a), 15)
            assert not pings(pc1, ph1_address, count=3), f"{pc1} reached {ph1} across VLANs"
        finally:
            for ns, address in added:
                run("ip", "-n", ns, "address", "del", address, "dev", "eth0")
            run("ip", "-n", pc1, "neigh", "flush", "dev", "eth0")
