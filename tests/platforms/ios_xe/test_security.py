"""IOS-XE network security views (platforms/ios_xe/security.py): a CE's segmentation ACLs, control-plane policing
and flow export, from real intended states of the small fixture."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from conftest import SMALL

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import security


@pytest.fixture(scope="module")
def states() -> dict[str, dict[str, Any]]:
    return plan(SMALL).states


def _acls(state: dict[str, Any]) -> dict[str, Any]:
    wan = [(i["address"].split("/")[0], i["peer_address"]) for i in state["interfaces"] if i["kind"] == "wan"]
    return security.segmentation_acls(state, wan, "redundancy" in state)


def test_addresses_as_ios_xe_writes_them() -> None:
    assert security.ace_address("10.0.8.0/24") == "10.0.8.0 0.0.0.255"
    assert security.ace_address("10.0.17.10/32") == "host 10.0.17.10"
    assert security.ace_address("0.0.0.0/0") == "any"
    assert security.group_entry("10.16.0.0/13") == "10.16.0.0 255.248.0.0"
    assert security.group_entry("10.0.17.10/32") == "host 10.0.17.10"
    assert security.port_match("5060") == "eq 5060"
    assert security.port_match("16384-32767") == "range 16384 32767"
    with pytest.raises(ValueError):
        security.ace_address("10.0.8.1/24")  # host bits: never a prefix of the intended state


def test_both_acls_end_in_an_explicit_logged_deny(states: dict[str, dict[str, Any]]) -> None:
    for state in states.values():
        if state["role"] == "ce_router":
            acls = _acls(state)
            for name, acl in (("lan", security.LAN_ACL), ("wan", security.WAN_ACL)):
                assert acls[name]["name"] == acl
                assert acls[name]["entries"][-1] == "deny ip any any log"
                assert acls[name]["entries"].count("deny ip any any log") == 1


def test_object_groups_are_exactly_those_used_one_per_set_of_prefixes(states: dict[str, dict[str, Any]]) -> None:
    for hostname, state in states.items():
        if state["role"] != "ce_router":
            continue
        acls = _acls(state)
        used = {word for acl in ("lan", "wan") for entry in acls[acl]["entries"] for word in entry.split() if word.startswith("GOVNET-NET-")}
        names = [group["name"] for group in acls["groups"]]
        assert set(names) == used and len(names) == len(set(names)), hostname
        assert names == [f"GOVNET-NET-{n}" for n in range(1, len(names) + 1)], "numbered in order of first use"
        entries = [tuple(group["entries"]) for group in acls["groups"]]
        assert len(entries) == len(set(entries)) and all(len(group) > 1 for group in entries), hostname


def test_every_rule_lets_its_traffic_in_one_way_and_its_replies_back(states: dict[str, dict[str, Any]]) -> None:
    state = states["mof-ce1"]
    acls = _acls(state)
    rules = state["segmentation"]
    outbound = [rule for rule in rules["outbound"] if rule["protocol"] == "tcp"]
    assert outbound, "the fixture's CE has TCP rules out"
    for rule in outbound:
        for port in rule["ports"]:
            match = security.port_match(port)
            assert any(e.startswith("permit tcp ") and e.endswith(match) for e in acls["lan"]["entries"]), (rule["description"], "out")
            assert any(e.startswith("permit tcp ") and f" {match} " in e and e.endswith(" established") for e in acls["wan"]["entries"])
    for rule in rules["inbound"]:
        if rule["protocol"] == "icmp":
            assert any(e.startswith("permit icmp ") and e.endswith(" echo") for e in acls["wan"]["entries"])
            assert any(e.startswith("permit icmp ") and e.endswith(" echo-reply") for e in acls["lan"]["entries"])


def test_bgp_ike_and_esp_only_from_the_upstream_to_the_ces_own_address(states: dict[str, dict[str, Any]]) -> None:
    state = states["mof-ce1"]
    wan = [(i["address"].split("/")[0], i["peer_address"]) for i in state["interfaces"] if i["kind"] == "wan"]
    entries = _acls(state)["wan"]["entries"]
    for own, peer in wan:
        assert f"permit tcp host {peer} host {own} eq bgp" in entries
        assert f"permit esp host {peer} host {own}" in entries, "IPsec is on in the shipped policy"
    assert not any(" esp " in entry and "any" in entry for entry in entries)
    without = {**state, "segmentation": {key: value for key, value in state["segmentation"].items() if key != "ipsec"}}
    assert not any("esp" in entry or "isakmp" in entry for entry in security.segmentation_acls(without, wan, True)["wan"]["entries"])


def test_hsrp_hellos_are_let_in_only_on_a_redundant_pair(states: dict[str, dict[str, Any]]) -> None:
    hello = f"permit udp any host {security.HSRP_V2_GROUP} eq 1985"
    for state in states.values():
        if state["role"] == "ce_router":
            assert (hello in _acls(state)["lan"]["entries"]) == ("redundancy" in state), state["hostname"]


def test_control_plane_lets_management_in_only_from_the_operations_network_and_its_servers(states: dict[str, dict[str, Any]]) -> None:
    state = states["core-dar"]
    ntp, aaa = state["management"]["ntp_servers"], state["management"]["aaa_servers"]
    copp = security.control_plane(state, ntp, aaa)
    assert [item["name"] for item in copp["classes"]] == [f"{security.COPP_POLICY}-{name}" for name in security.COPP_CLASSES]
    management = next(item for item in copp["classes"] if item["name"].endswith("-MANAGEMENT"))
    operations = [ipaddress.ip_network(prefix) for prefix in state["control_plane"]["management_from"]]
    for entry in management["entries"]:
        words = entry.split()
        if words[-1] in ("22", "snmp"):
            source = ipaddress.ip_network(f"{words[2]}/{words[3]}")
            assert any(source.subnet_of(network) for network in operations), entry
        else:
            assert words[3] in ntp + aaa, entry
    assert management["pps"] == state["control_plane"]["management_pps"] and copp["default_pps"] == state["control_plane"]["default_pps"]


def test_one_flow_exporter_per_collector_from_the_management_source(states: dict[str, dict[str, Any]]) -> None:
    state = states["agg-dodoma"]
    flows = security.flow_export(state, "Loopback0")
    collectors = state["flow_export"]["collectors"]
    assert [e["destination"] for e in flows["exporters"]] == collectors
    assert [e["name"] for e in flows["exporters"]] == [f"{security.FLOW_EXPORTER}-{n}" for n in range(1, len(collectors) + 1)]
    assert {e["source"] for e in flows["exporters"]} == {"Loopback0"} and {e["port"] for e in flows["exporters"]} == {state["flow_export"]["port"]}
