"""Segmentation (design/segmentation.py): govnet_segmentation's checks, the filter of one institution's CE and the
one list of IPsec algorithms the platforms key their words by."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest
from conftest import default_policy
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import ipsec, segmentation

POLICY = default_policy()
RAW = POLICY["govnet_segmentation"]
NAMES = [service["name"] for service in POLICY["govnet_services"]]
ROLES = [service["role"] for service in POLICY["govnet_services"]]
SITE = "10.24.18.0/23"


def _parse(raw: Any) -> list[tuple[str, str, str]]:
    problems, _checked = segmentation.parse(raw, NAMES, ROLES)
    return [(problem.where, problem.field, problem.message) for problem in problems]


def test_the_shipped_policy_is_valid_and_comes_back_as_it_is() -> None:
    problems, checked = segmentation.parse(RAW, NAMES, ROLES)
    assert problems == [] and checked == RAW


def test_every_ipsec_encryption_policy_may_name_has_its_ios_xe_words() -> None:
    assert ipsec.ENCRYPTION == {"aes-gcm-128": ("aes-gcm-128", "esp-gcm 128"), "aes-gcm-256": ("aes-gcm-256", "esp-gcm 256")}
    assert list(ipsec.ENCRYPTION) == list(segmentation.IPSEC_ENCRYPTION)


def test_esp_rekeys_before_ike() -> None:
    raw = copy.deepcopy(RAW)
    raw["ipsec"]["esp_lifetime"] = raw["ipsec"]["ike_lifetime"]
    assert _parse(raw) == [("policy govnet_segmentation.ipsec", "esp_lifetime", "is not below ike_lifetime")]


def test_an_unknown_algorithm_is_named_with_its_proposal() -> None:
    raw = copy.deepcopy(RAW)
    raw["ipsec"]["ike_proposal"]["encryption"] = "3des"
    assert _parse(raw) == [("policy govnet_segmentation.ipsec.ike_proposal", "encryption", "is not one of aes-gcm-128, aes-gcm-256")]


def test_management_over_tcp_needs_ports_and_icmp_none() -> None:
    raw = copy.deepcopy(RAW)
    raw["management"] = [{"protocol": "tcp"}, {"protocol": "icmp"}]
    assert _parse(raw) == [("policy govnet_segmentation.management item 1", "ports", "is required for tcp and udp")]


def test_a_shared_service_must_be_a_known_one_with_real_ports() -> None:
    raw = copy.deepcopy(RAW)
    raw["shared_services"] = [{"service": "fax", "protocol": "tcp", "ports": [25]}, {"service": "dns", "protocol": "udp", "ports": [0, 53]}]
    assert _parse(raw) == [
        ("policy govnet_segmentation.shared_services item 1", "service", "is not a known service"),
        ("policy govnet_segmentation.shared_services item 2", "ports", "is not a port number"),
    ]


def test_ipsec_is_none_when_disabled_or_absent() -> None:
    disabled = copy.deepcopy(RAW)
    disabled["ipsec"]["enabled"] = False
    absent = {key: value for key, value in RAW.items() if key != "ipsec"}
    assert segmentation.ipsec(disabled) is None and segmentation.ipsec(absent) is None
    assert segmentation.ipsec(RAW)["esp_proposal"] == RAW["ipsec"]["esp_proposal"]


SERVICES = {
    "dns": [("dns", "10.0.16.53/24"), ("dns", "10.0.18.53/24")],
    "sip-core": [("sip_core", "10.0.16.10/24")],
    "gepg": [("application", "10.0.16.20/24")],
}


def _rules(services: dict[str, list[tuple[str, str]]], voice_subnet: str | None = "10.24.19.0/25") -> dict[str, Any]:
    return segmentation.ce_rules(RAW, SITE, voice_subnet, ["10.24.19.132/26"], services, ["10.24.0.0/13"], ["10.0.8.0/24"])


def test_a_shared_service_without_an_address_gets_no_rule() -> None:
    described = [rule["description"] for rule in _rules(SERVICES)["outbound"]]
    assert "dns udp 53" in described and "gepg tcp 443" in described and not any(item.startswith("mail ") for item in described)


def test_management_reaches_the_site_only_from_the_operations_network() -> None:
    inbound = [rule for rule in _rules(SERVICES)["inbound"] if rule["description"].startswith("management")]
    assert inbound and all(rule["sources"] == ["10.0.8.0/24"] and rule["destinations"] == [SITE] for rule in inbound)


def test_without_a_voice_subnet_there_is_no_media_rule() -> None:
    assert not any("RTP" in rule["description"] for rule in _rules(SERVICES, None)["outbound"])


@given(st.dictionaries(st.sampled_from(sorted(SERVICES)), st.just(None), max_size=3))
def test_every_rule_is_sorted_unique_and_its_ports_are_text(chosen: dict[str, None]) -> None:
    rules = _rules({name: SERVICES[name] for name in chosen})
    for rule in rules["outbound"] + rules["inbound"]:
        for side in ("sources", "destinations"):
            networks = [ipaddress.IPv4Network(prefix) for prefix in rule[side]]
            assert networks == sorted(set(networks), key=lambda n: (int(n.network_address), n.prefixlen))
        assert all(isinstance(port, str) for port in rule["ports"])


@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)), min_size=1, max_size=20))
def test_prefixes_sort_by_address_then_length(pairs: list[tuple[int, int]]) -> None:
    prefixes = [str(ipaddress.IPv4Network((address, length), strict=False)) for address, length in pairs]
    expected = sorted(prefixes, key=lambda text: (int(ipaddress.IPv4Network(text).network_address), ipaddress.IPv4Network(text).prefixlen))
    assert sorted(prefixes, key=segmentation._prefix_key) == expected  # pylint: disable=protected-access


@pytest.mark.parametrize("operations", [["10.0.8.0/24"], ["10.0.8.0/24", "10.0.9.0/24"]])
def test_control_plane_policing_carries_who_may_manage(operations: list[str]) -> None:
    policing = segmentation.control_plane(RAW, operations)
    assert policing["management_from"] == operations and policing["routing_pps"] == RAW["control_plane"]["routing_pps"]
