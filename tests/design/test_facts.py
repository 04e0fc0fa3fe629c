"""The facts pass (design/facts.py): every cross-device fact is right, and with them a device renders from its own
state alone, on every platform."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from conftest import SHIPPED, SMALL

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import facts
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.schema import ROUTER_ROLES
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import render as lab
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.sip_core import render as sip_core

SMALL_LAB = SMALL.parent.parent / "small-lab" / "institutions.yml"
RENDERERS = (ios_xe, sip_core, lab)


@pytest.fixture(scope="module", params=["small", "small-lab", "shipped"])
def network(request: pytest.FixtureRequest) -> Network:
    return plan({"small": SMALL, "small-lab": SMALL_LAB, "shipped": SHIPPED}[request.param])


def _by_role(network: Network, role: str) -> dict[str, dict]:
    return {hostname: state for hostname, state in network.states.items() if state["role"] == role}


def test_a_ces_switches_are_the_access_switches_of_its_institution_that_uplink_to_it(network: Network) -> None:
    ces, switches = _by_role(network, "ce_router"), _by_role(network, "access_switch")
    for hostname, ce in ces.items():
        assert ce["switches"] == sorted(name for name, switch in switches.items() if switch["uplink"]["peer"] == hostname)
        assert all(switches[name]["institution"]["id"] == ce["institution"]["id"] for name in ce["switches"])
    placed = Counter(name for ce in ces.values() for name in ce["switches"])
    assert placed == Counter(list(switches)), "every access switch sits under exactly one CE"


def test_one_ce_of_each_redundant_pair_is_active_the_one_with_the_highest_priority(network: Network) -> None:
    ces = _by_role(network, "ce_router")
    pairs = {tuple(sorted([hostname, *ce["redundancy"]["peers"]])) for hostname, ce in ces.items() if "redundancy" in ce}
    for pair in pairs:
        members = [ces[hostname] for hostname in pair]
        assert sum(member["redundancy"]["active"] for member in members) == 1, pair
        active = next(member for member in members if member["redundancy"]["active"])
        assert active["redundancy"]["priority"] == max(member["redundancy"]["priority"] for member in members)
        for member in members:
            pair_view = member["redundancy"]["pair"]
            assert pair_view[0] == {"hostname": member["hostname"], "priority": member["redundancy"]["priority"]}
            assert sorted(item["hostname"] for item in pair_view) == list(pair)
            assert all(item["priority"] == ces[item["hostname"]]["redundancy"]["priority"] for item in pair_view)


def test_call_control_knows_the_first_digit_of_every_code(network: Network) -> None:
    controls = _by_role(network, "call_control")
    digits = sorted({str(control["numbering"]["code"])[0] for control in controls.values()})
    assert all(control["routes"]["onnet_first_digits"] == digits for control in controls.values())


def test_the_conference_directory_covers_every_other_institution_and_not_its_own(network: Network) -> None:
    """On a platform that dials other institutions' conference numbers itself (the lab); IOS-XE needs no list."""
    controls = _by_role(network, "call_control")
    everyone = {control["numbering"]["code"]: set(control["numbering"]["conference_numbers"]) for control in controls.values()}
    direct = {hostname: control for hostname, control in controls.items() if control["platform"] in facts.DIRECT_CONFERENCES}
    assert all("other_conferences" not in control["routes"] for hostname, control in controls.items() if hostname not in direct)
    for hostname, control in direct.items():
        code, digits = control["numbering"]["code"], control["numbering"]["extension_digits"]
        listed: set[int] = set()
        codes_seen: list[int] = []
        for group in control["routes"]["other_conferences"]:
            for first, last in group["codes"]:
                assert first <= last
                for other in range(first, last + 1):
                    codes_seen.append(other)
                    listed |= {other * 10**digits + extension for extension in group["extensions"]}
        assert code not in codes_seen, hostname
        assert len(codes_seen) == len(set(codes_seen)), f"{hostname}: a code in two groups"
        expected = {number for other, numbers in everyone.items() if other != code and numbers for number in numbers}
        assert listed == expected, hostname


def test_the_collector_is_at_the_hub_that_holds_the_syslog_service_and_hears_every_router(network: Network) -> None:
    hubs = _by_role(network, "core_hub")
    routers = [{"hostname": h, "platform": s["platform"]} for h, s in sorted(network.states.items()) if s["role"] in ROUTER_ROLES]
    syslog = {address for state in network.states.values() for address in state["management"]["syslog_servers"]}
    holding = {hostname for hostname, hub in hubs.items() if {s["address"].split("/")[0] for s in hub["services"]} & syslog}
    assert holding and {hostname for hostname, hub in hubs.items() if "collector" in hub} == holding
    for hostname in holding:
        assert hubs[hostname]["collector"]["address"] in syslog
        assert hubs[hostname]["collector"]["senders"] == routers


def test_facts_are_computed_once_and_the_same_again(network: Network) -> None:
    again = facts.add_facts(copy.deepcopy(network.states))
    assert again == network.states


def test_runs_of_numbers() -> None:
    assert facts.runs([3905, 3900, 3901, 3902, 3901]) == [[3900, 3902], [3905, 3905]]
    assert facts.runs([]) == []


def test_other_conferences_leave_out_only_the_institutions_own_code() -> None:
    directory = {401: [4013900], 402: [4023900], 403: [4033900], 501: [5013900, 5013901]}
    groups = facts.conference_groups(directory, 4)
    assert groups == [([3900], [[401, 403]], [401]), ([3900, 3901], [[501, 501]], [501])]
    assert facts.other_conferences(402, groups) == [
        {"codes": [[401, 401], [403, 403]], "extensions": [3900]},
        {"codes": [[501, 501]], "extensions": [3900, 3901]},
    ]
    assert facts.other_conferences(501, groups) == [{"codes": [[401, 403]], "extensions": [3900]}]
    assert facts.other_conferences(999, groups) == [{"codes": [[401, 403]], "extensions": [3900]}, {"codes": [[501, 501]], "extensions": [3900, 3901]}]


@pytest.mark.parametrize("fixture", [SMALL, SMALL_LAB])
def test_a_device_renders_from_its_own_state_alone(fixture: object) -> None:
    """Each platform's files of a device are the same whether the renderer sees the whole network or that device."""
    states = plan(fixture).states
    for renderer in RENDERERS:
        everything = renderer.render(states)
        alone: dict[str, str] = {}
        for hostname, state in states.items():
            alone.update(renderer.render({hostname: state}))
        assert alone == everything, renderer.__name__
    assert any(path.startswith("lab/") for path in lab.render(states)) or any(path.startswith("configs/") for path in ios_xe.render(states))
