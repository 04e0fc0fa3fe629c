"""IPsec between every CE and its upstream (design/ipsec.py), as the facts pass keeps it in each router's state."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from conftest import SHIPPED, SMALL, default_policy, small_institutions

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import ipsec
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe


@pytest.fixture(scope="module", params=["small", "shipped"])
def network(request: pytest.FixtureRequest) -> Network:
    return plan({"small": SMALL, "shipped": SHIPPED}[request.param])


def _wan(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [interface for interface in state["interfaces"] if interface["kind"] == "wan"]


def test_every_wan_link_of_a_ce_is_protected_towards_its_upstream(network: Network) -> None:
    for hostname, ce in network.states.items():
        if ce["role"] != "ce_router":
            continue
        links = ce["ipsec"]["links"]
        assert [link["peer"] for link in links] == [i["peer"] for i in sorted(_wan(ce), key=lambda i: i["circuit"])], hostname
        assert {link["peer"] for link in links} == {neighbor["peer"] for neighbor in ce["bgp"]["neighbors"]}, "the BGP upstreams"
        for link in links:
            assert link["initiator"], "the CE starts IKE"
            assert link["local_ts"] == [ce["segmentation"]["site"], ce["loopback"].split("/")[0] + "/32", link["local"] + "/32"]
            assert link["remote_ts"] == [ipsec.EVERYWHERE]
        assert ce["ipsec"]["params"] == ce["segmentation"]["ipsec"]
        assert ce["ipsec"]["psk"] == ce["management"]["secrets"][ipsec.PSK_SECRET]


def test_the_upstream_holds_the_mirror_image_of_each_ce_link(network: Network) -> None:
    states = network.states
    for hostname, ce in states.items():
        if ce["role"] != "ce_router":
            continue
        for link in ce["ipsec"]["links"]:
            upstream = states[link["peer"]]
            mirror = [other for other in upstream["ipsec"]["links"] if other["peer"] == hostname and other["circuit"] == link["circuit"]]
            assert len(mirror) == 1, (hostname, link["peer"])
            other = mirror[0]
            assert (other["local"], other["remote"]) == (link["remote"], link["local"])
            assert (other["local_ts"], other["remote_ts"]) == (link["remote_ts"], link["local_ts"])
            assert not other["initiator"], "the upstream answers"
            assert upstream["ipsec"]["params"] == ce["ipsec"]["params"] and upstream["ipsec"]["psk"] == ce["ipsec"]["psk"]


def test_only_links_to_ces_are_protected(network: Network) -> None:
    states = network.states
    for hostname, state in states.items():
        protected = [link["peer"] for link in state.get("ipsec", {}).get("links", [])]
        assert all(states[peer]["role"] == "ce_router" or state["role"] == "ce_router" for peer in protected), hostname
        if state["role"] in ("core_hub", "regional_aggregation"):
            ces = sorted(i["peer"] for i in _wan(state) if states[i["peer"]]["role"] == "ce_router")
            assert sorted(protected) == ces, hostname
        if state["role"] in ("access_switch", "call_control"):
            assert "ipsec" not in state


def test_without_ipsec_in_the_policy_no_router_is_protected(registry_factory: Callable[..., Any]) -> None:
    policy = default_policy()
    policy["govnet_segmentation"]["ipsec"]["enabled"] = False
    network = plan(registry_factory(small_institutions(), {"govnet_segmentation": policy["govnet_segmentation"]}))
    assert not any("ipsec" in state for state in network.states.values())
    assert not any("crypto " in config for config in ios_xe.render(network.states).values())


def test_ios_xe_proposals_name_the_algorithms_as_ios_xe_does() -> None:
    params = {"ike_proposal": {"encryption": "aes-gcm-128", "prf": "sha256", "group": 19}, "esp_proposal": {"encryption": "aes-gcm-256", "group": 20}}
    assert ipsec.ios_xe_proposals(params) == {"encryption": "aes-gcm-128", "prf": "sha256", "group": 19, "transform": "esp-gcm 256", "pfs": "group20"}
