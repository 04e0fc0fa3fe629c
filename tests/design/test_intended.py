"""The intended state (design/intended.py): its plans word for word, its typed schema, and what it guarantees the
renderers, which therefore do not check it again (platforms/ios_xe/render.py)."""

from __future__ import annotations

import ipaddress
import typing
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN, SHIPPED, SMALL, UPDATE_GOLDEN, check_golden

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, outputs, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import state as schema
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.intended import devices

PLANS = GOLDEN / "plans"
SMALL_LAB = SMALL.parent.parent / "small-lab" / "institutions.yml"
SCHEMAS = {
    "core_hub": schema.CoreHubState,
    "regional_aggregation": schema.AggregationState,
    "ce_router": schema.CeRouterState,
    "access_switch": schema.AccessSwitchState,
    "call_control": schema.CallControlState,
}
KINDS = {"core_hub": {"wan", "core", "lan"}, "regional_aggregation": {"wan"}, "ce_router": {"wan", "trunk"}}


@pytest.fixture(scope="module")
def small() -> Network:
    return plan(SMALL)


@pytest.fixture(scope="module", params=["small", "small-lab", "shipped"])
def network(request: pytest.FixtureRequest) -> Network:
    return plan({"small": SMALL, "small-lab": SMALL_LAB, "shipped": SHIPPED}[request.param])


@pytest.mark.golden
def test_plans_of_the_golden_fixture_are_golden(small: Network) -> None:
    """plan/<device>.yml of the small fixture as the build writes it, word for word (GOVNET_UPDATE_GOLDEN=1 rewrites)."""
    files = {Path(path).name: content.decode() for path, content in outputs(small, jobs=1).items() if path.startswith("plan/")}
    assert set(files) == {f"{hostname}.yml" for hostname in small.states}
    if UPDATE_GOLDEN:
        for stale in PLANS.glob("*.yml"):
            if stale.name not in files:
                stale.unlink()
    for name, content in sorted(files.items()):
        check_golden(PLANS / name, content)
    assert {path.name for path in PLANS.glob("*.yml")} == set(files), "golden plans and devices differ"


# ---------------------------------------------------------------- the schema types every key


def _conforms(value: Any, kind: Any, where: str) -> list[str]:
    """Where value does not fit the annotation kind (a TypedDict, list, dict, union or plain type)."""
    if typing.is_typeddict(kind):
        if not isinstance(value, dict):
            return [f"{where}: not a mapping"]
        hints = typing.get_type_hints(kind)
        wrong = [f"{where}: {key} missing" for key in kind.__required_keys__ - set(value)]
        wrong += [f"{where}: {key} not in {kind.__name__}" for key in set(value) - set(hints)]
        for key in set(value) & set(hints):
            wrong += _conforms(value[key], hints[key], f"{where}.{key}")
        return wrong
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return [] if not isinstance(value, list) else [w for index, item in enumerate(value) for w in _conforms(item, args[0], f"{where}[{index}]")]
    if origin is dict:
        return [] if isinstance(value, dict) else [f"{where}: not a mapping"]
    if kind is typing.Any:
        return []
    if kind is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: {value!r} is not an int"]
    return [] if isinstance(value, kind) else [f"{where}: {value!r} is not a {kind.__name__}"]


def test_every_state_fits_the_schema_of_its_role(network: Network) -> None:
    wrong = [problem for hostname, state in network.states.items() for problem in _conforms(state, SCHEMAS[state["role"]], hostname)]
    assert not wrong, wrong[:10]


def test_every_role_is_typed_and_the_union_names_them_all() -> None:
    assert set(typing.get_args(schema.State)) == set(SCHEMAS.values())


def test_states_and_inventory_devices_agree(network: Network) -> None:
    """devices() (what Ansible's inventory gets without the states) names every device in the same order and role."""
    found = devices(network.allocation, network.policy)
    assert [(d.hostname, d.role, d.platform, d.region) for d in found] == [
        (hostname, state["role"], state["platform"], state["region"]) for hostname, state in network.states.items()
    ]


# ---------------------------------------------------------------- what the renderers rely on


def test_interfaces_are_of_the_kinds_each_role_renders(network: Network) -> None:
    for hostname, state in network.states.items():
        if state["role"] in KINDS:
            assert {interface["kind"] for interface in state["interfaces"]} <= KINDS[state["role"]], hostname


def test_every_link_of_a_router_has_its_own_dot1q_circuit(network: Network) -> None:
    for hostname, state in network.states.items():
        circuits = [i["circuit"] for i in state.get("interfaces", []) if i["kind"] in ("wan", "core")]
        assert len(set(circuits)) == len(circuits), hostname
        assert all(1 <= circuit <= 4094 for circuit in circuits), hostname


def test_bgp_filters_are_prefixes_or_exactly_no_filter(network: Network) -> None:
    for hostname, state in network.states.items():
        for neighbor in state.get("bgp", {}).get("neighbors", []):
            for key, everything in (("accept", "any"), ("advertise", "all")):
                prefixes = neighbor[key]
                assert prefixes == [everything] or all(ipaddress.ip_network(p) for p in prefixes), (hostname, neighbor["peer"], key)


def test_hubs_lans_and_aggregation_summaries(network: Network) -> None:
    for hostname, state in network.states.items():
        if state["role"] == "core_hub":
            assert {i["name"] for i in state["interfaces"] if i["kind"] == "lan"} <= {"services", "operations"}, hostname
        if state["role"] == "regional_aggregation":
            assert ipaddress.ip_network(state["bgp"]["summary"]), hostname


def test_a_ce_addresses_every_vlan_of_its_trunk_and_a_lone_ce_is_the_gateway(network: Network) -> None:
    for hostname, state in network.states.items():
        if state["role"] != "ce_router":
            continue
        vlans = {vlan["id"]: vlan for vlan in state["vlans"]}
        trunk = next(i for i in state["interfaces"] if i["kind"] == "trunk")
        assert set(trunk["vlans"]) <= set(vlans), hostname
        for vlan in vlans.values():
            address = ipaddress.ip_interface(vlan["address"])
            assert address.network == ipaddress.ip_network(vlan["prefix"]), hostname
            if "redundancy" not in state:
                assert str(address.ip) == vlan["gateway"], (hostname, vlan["id"])


def test_a_switch_uses_only_vlans_it_defines(network: Network) -> None:
    for hostname, state in network.states.items():
        if state["role"] == "access_switch":
            ports = state["access_ports"]
            used = {ports["data_vlan"], ports["voice_vlan"], state["management_interface"]["vlan"], *state["uplink"]["vlans"]}
            assert used <= {vlan["id"] for vlan in state["vlans"]}, hostname


def test_call_control_numbers_are_code_then_extension(network: Network) -> None:
    for hostname, state in network.states.items():
        if state["role"] == "call_control":
            numbering, routes = state["numbering"], state["routes"]
            assert len(str(numbering["code"])) + numbering["extension_digits"] == routes["onnet_digits"], hostname
            assert 1 <= len(routes["sip_core"]) <= 9 and 1 <= len(routes["pstn_gateway"]) <= 9, hostname
