"""The IOS-XE view of IPsec: one peer per protected link, its crypto map and ACL mirror the far end's."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import ipsec
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe
from conftest import SMALL


@pytest.fixture(scope="module")
def views() -> dict[str, dict[str, Any]]:
    states = plan(SMALL).states
    return {name: view for name, state in states.items() if (view := ipsec.crypto(state, ios_xe.wan_interface)) is not None}


def test_a_router_without_protected_links_has_no_crypto() -> None:
    assert ipsec.crypto({"role": "ce_router", "hostname": "x"}, ios_xe.wan_interface) is None  # type: ignore[typeddict-item]


def test_each_peer_has_its_circuits_map_on_that_circuits_sub_interface(views: dict[str, dict[str, Any]]) -> None:
    assert views
    for view in views.values():
        for peer in view["peers"]:
            circuit = int(peer["interface"].rsplit(".", 1)[1])
            assert peer["map"] == ipsec.crypto_map(circuit) and peer["acl"] and peer["psk"].startswith("{{ ")


def test_the_two_ends_of_a_link_protect_mirror_images(views: dict[str, dict[str, Any]]) -> None:
    def mirrored(entry: str) -> str:
        action, proto, *rest = entry.split()
        width = 1 if rest[0] == "any" else 2  # any | host A | network wildcard
        return " ".join([action, proto, *rest[width:], *rest[:width]])

    for name, view in views.items():
        for peer in view["peers"]:
            far = next(p for p in views[peer["name"]]["peers"] if p["name"] == name)
            assert sorted(peer["acl"]) == sorted(mirrored(entry) for entry in far["acl"]), (name, peer["name"])
