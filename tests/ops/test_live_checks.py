"""The live checks (ops/live_checks.py) that the rollout's verify and the Molecule lab tests share: each reader on
the output its command really gives (FRR's and Open vSwitch's JSON, IOS-XE's show output, written as the devices
print it), each check against intended states of the small fixture's plan, and the live_check filters' errors."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.filter.live_checks import FilterModule
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import live_checks as checks

from conftest import ROOT, SMALL

FILTERS = FilterModule().filters()

# FRR 8/9 `show bgp ipv4 unicast summary json`, trimmed to what the check reads and one field beside it.
FRR_SUMMARY = {
    "routerId": "10.0.0.1",
    "as": 64512,
    "peers": {
        "10.0.4.2": {"remoteAs": 64512, "state": "Established", "pfxRcd": 12},
        "10.0.4.131": {"remoteAs": 64601, "state": "Active", "pfxRcd": 0},
    },
}

IOS_SUMMARY = """BGP router identifier 10.0.0.1, local AS number 64512
BGP table version is 57, main routing table version 57
12 network entries using 2976 bytes of memory
14 path entries using 1904 bytes of memory

Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
10.0.4.2        4        64512    1446    1450       57    0    0 21:03:44       12
10.0.4.131      4        64601      12      15        0    0    0 00:01:02 Idle (Admin)
10.0.4.135      4        64602       0       0        1    0    0 never    Active
"""

IOS_ROUTES = """Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       * - candidate default, U - per-user static route, o - ODR
       P - periodic downloaded static route, H - NHRP, l - LISP
       + - replicated route, % - next hop override, p - overrides from PfR

Gateway of last resort is 10.0.4.2 to network 0.0.0.0

B*    0.0.0.0/0 [200/0] via 10.0.4.2, 1d02h
      10.0.0.0/8 is variably subnetted, 5 subnets, 3 masks
B        10.0.0.0/8 [200/0] via 10.0.4.2, 1d02h
C        10.0.4.0/30 is directly connected, GigabitEthernet0/0/1
L        10.0.4.1/32 is directly connected, GigabitEthernet0/0/1
B        10.65.0.0/16 [20/0] via 10.0.4.130, 00:12:10
      172.16.0.0/24 is subnetted, 2 subnets
B        172.16.1.0 [20/0] via 10.0.4.130, 00:12:10
O IA     172.16.2.0 [110/2] via 10.0.4.130, 00:12:10
"""

IOS_VLANS = """VLAN Name                             Status    Ports
---- -------------------------------- --------- -------------------------------
1    default                          active    Gi1/0/3, Gi1/0/4
10   data                             active    Gi1/0/1, Gi1/0/2
20   voice                            active    Gi1/0/1, Gi1/0/2
99   management                       act/lshut
1002 fddi-default                     act/unsup
"""

IOS_SIP_UA = """SIP User Agent Status
SIP User Agent for UDP : ENABLED
SIP User Agent for TCP : ENABLED
SIP User Agent for TLS over TCP : ENABLED
SIP User Agent bind status(signaling): DISABLED
"""


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(SMALL)


def of_role(network: Network, role: str) -> dict[str, Any]:
    return next(state for _hostname, state in sorted(network.states.items()) if state["role"] == role)


# ---------------------------------------------------------------- readers


def test_frr_readers_take_the_json_and_read_nothing_from_an_error_line() -> None:
    assert checks.frr_sessions(json.dumps(FRR_SUMMARY)) == {"10.0.4.2": "Established", "10.0.4.131": "Active"}
    assert checks.frr_routes(json.dumps({"routes": {"10.65.0.0/16": [{}], "10.0.0.0/8": [{}]}})) == {"10.65.0.0/16", "10.0.0.0/8"}
    for nothing in ("", "% Unknown command: show bgp", "Exiting: failed to connect to any daemons.", "{not json", None, 7):
        assert checks.frr_sessions(nothing) == {} and checks.frr_routes(nothing) == set()


def test_ovs_reader_takes_the_tags_of_tagged_ports_only() -> None:
    listing = {"data": [["p1", 10], ["p2", 20], ["uplink", ["set", []]], ["p3", 10]], "headings": ["name", "tag"]}
    assert checks.ovs_port_tags(json.dumps(listing)) == {10, 20}
    assert checks.ovs_port_tags("ovs-vsctl: unix:/run/govnet-lab/x/db.sock: database connection failed") == set()


def test_ios_bgp_summary_counts_a_neighbour_with_prefixes_as_established() -> None:
    assert checks.ios_sessions(IOS_SUMMARY) == {"10.0.4.2": "Established", "10.0.4.131": "Idle (Admin)", "10.0.4.135": "Active"}
    assert checks.ios_sessions("% BGP not active\n") == {}


def test_ios_routes_take_the_length_of_a_subnetted_heading() -> None:
    assert checks.ios_routes(IOS_ROUTES) == {
        "0.0.0.0/0", "10.0.0.0/8", "10.0.4.0/30", "10.0.4.1/32", "10.65.0.0/16", "172.16.1.0/24", "172.16.2.0/24",
    }  # fmt: skip
    assert checks.ios_routes("% Network not in table\n") == set()


def test_ios_vlans_and_the_sip_user_agent() -> None:
    assert checks.ios_vlans(IOS_VLANS) == {1, 10, 20, 99, 1002}
    assert checks.ios_sip_ua_enabled(IOS_SIP_UA)
    assert not checks.ios_sip_ua_enabled(IOS_SIP_UA.replace("UDP : ENABLED", "UDP : DISABLED").replace("TCP : ENABLED", "TCP : DISABLED"))
    assert not checks.ios_sip_ua_enabled("")


# ---------------------------------------------------------------- checks against intended states


def test_bgp_sessions_name_every_neighbour_not_established(network: Network) -> None:
    hub = of_role(network, "core_hub")
    addresses = checks.expected_sessions(hub)
    assert len(addresses) >= 2
    up = checks.bgp_sessions(hub, {address: "Established" for address in addresses})
    assert up == checks.Check("BGP sessions Established", True, "not Established: none")
    half = checks.bgp_sessions(hub, {addresses[0]: "Established", addresses[1]: "Active"})
    assert not half.ok and half.detail == f"not Established: {', '.join(addresses[1:])}"
    assert checks.bgp_sessions(hub, {}).detail == f"not Established: {', '.join(addresses)}"


def test_routes_present_ignore_any_and_name_what_is_missing(network: Network) -> None:
    ce = of_role(network, "ce_router")
    expected = checks.expected_routes(ce)
    assert expected and "any" not in expected and expected == sorted(set(expected))
    assert checks.routes_present(ce, [*expected, "192.0.2.0/24"]).ok
    missing = checks.routes_present(ce, expected[1:])
    assert (missing.ok, missing.detail) == (False, f"missing: {expected[0]}")


def test_switch_checks_lab_access_ports_and_ios_xe_vlans(network: Network) -> None:
    switch = of_role(network, "access_switch")
    data, voice = switch["access_ports"]["data_vlan"], switch["access_ports"]["voice_vlan"]
    assert checks.access_port_vlans(switch, {data, voice}).ok
    assert checks.access_port_vlans(switch, {data}).detail == f"missing VLANs: {voice}"
    every = checks.expected_vlans(switch)
    assert checks.vlans_present(switch, every).ok
    assert checks.vlans_present(switch, every[:-1]) == checks.Check("VLANs present", False, f"missing VLANs: {every[-1]}")


def test_the_same_check_judges_lab_and_ios_xe_facts(network: Network) -> None:
    """One BGP check for both platforms: FRR's JSON and IOS-XE's summary saying the same give the same verdict."""
    hub = dict(of_role(network, "core_hub"))
    hub["bgp"] = dict(hub["bgp"], neighbors=[{"address": "10.0.4.2", "accept": ["any"]}, {"address": "10.0.4.131", "accept": ["10.65.0.0/16"]}])
    lab = checks.judge("lab_bgp_sessions", json.dumps(FRR_SUMMARY), hub)
    ios = checks.judge("ios_xe_bgp_sessions", IOS_SUMMARY, hub)
    assert lab == ios == checks.Check("BGP sessions Established", False, "not Established: 10.0.4.131")
    assert checks.judge("ios_xe_routes", IOS_ROUTES, hub).ok
    assert checks.judge("lab_routes", "", hub).detail == "missing: 10.65.0.0/16"


def test_call_control_checks() -> None:
    assert checks.judge("lab_sip_options", 0, {}) == checks.Check("call control answers SIP OPTIONS", True, "sipp exit 0")
    assert checks.judge("lab_sip_options", 99, {}).detail == "sipp exit 99"
    assert not checks.judge("lab_sip_options", "", {}).ok  # no exit code (sipp never ran): failed
    assert checks.judge("ios_xe_sip_user_agent", IOS_SIP_UA, {}).ok
    assert checks.judge("ios_xe_sip_user_agent", "", {}).detail == "SIP user agent not enabled"


def test_lab_commands_run_from_the_root_namespace() -> None:
    assert checks.lab_command("lab_bgp_sessions", "gn-moa-ce1", "/run/govnet-lab/gn-moa-ce1") == [
        "vtysh", "-N", "gn-moa-ce1", "-c", "show bgp ipv4 unicast summary json",
    ]  # fmt: skip
    assert "--db=unix:/run/govnet-lab/gn-moa-sw1/db.sock" in checks.lab_command("lab_access_vlans", "gn-moa-sw1", "/run/govnet-lab/gn-moa-sw1")


# ---------------------------------------------------------------- the filters


def test_the_filter_notes_a_check_after_its_stage(network: Network) -> None:
    switch = of_role(network, "access_switch")
    listing = json.dumps({"data": [["p1", switch["access_ports"]["data_vlan"]]]})
    noted = FILTERS["live_check"](listing, "lab_access_vlans", switch, "after push")
    assert noted == {"name": "after push: VLANs present on access ports", "ok": False, "detail": f"missing VLANs: {switch['access_ports']['voice_vlan']}"}
    assert FILTERS["live_check_command"]("lab_routes", "gn-x", "/run/x")[-1] == "show bgp ipv4 unicast json"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("", "bgp", {}), "live_check: argument 'check', value 'bgp': must be one of ios_xe_bgp_sessions"),
        (("", "lab_routes", "plan/x.yml"), "live_check: argument 'intended', value of type str: must be a dict. Hint: pass the device's intended state"),
        (("", "lab_routes", {"bgp": {}}), "live_check: check lab_routes: the intended state lacks or mistypes 'neighbors'. Hint:"),
    ],
)
def test_the_filter_names_a_wrong_argument(arguments: tuple[Any, ...], message: str) -> None:
    with pytest.raises(AnsibleFilterError) as raised:
        FILTERS["live_check"](*arguments)
    assert str(raised.value).startswith(message)


def test_the_command_filter_knows_only_the_lab_checks_with_a_command() -> None:
    with pytest.raises(AnsibleFilterError, match=r"argument 'check', value 'lab_sip_options': must be one of lab_access_vlans, lab_bgp_sessions, lab_routes"):
        FILTERS["live_check_command"]("lab_sip_options", "gn-x", "/run/x")


def test_the_rollouts_verify_tasks_run_every_check_and_only_known_ones() -> None:
    """A check named wrong in verify_<platform>.yml would only fail in a rollout: each name there is the library's,
    and each check of the library is run by the platform it is named for."""
    tasks = ROOT / "roles" / "rollout_device" / "tasks"
    commanded = {}
    for platform in ("lab", "ios_xe"):
        text = (tasks / f"verify_{platform}.yml").read_text()
        judged = set(re.findall(r"ega\.govnet\.live_check\('(\w+)'", text))
        commanded[platform] = set(re.findall(r"'(\w+)' \| ega\.govnet\.live_check_command\(", text))
        assert judged == {name for name in checks.CHECKS if name.startswith(f"{platform}_")}, platform
    assert commanded == {"lab": {"lab_bgp_sessions", "lab_routes", "lab_access_vlans"}, "ios_xe": set()}
