"""The facts pass: every cross-device fact a device's files need, worked out once and kept in its own state.

``intended_states`` makes each device's state from the allocation; some of what a device's configuration says
depends on other devices' states. ``add_facts(states)`` adds those facts to the states (keys marked "fact" in
state.py), so a platform renders a device from that device's state alone:

* a CE router: ``switches``, the access switches that uplink to it; for a redundant pair ``redundancy.pair``
  (every CE of the pair with its priority) and ``redundancy.active`` (it holds the virtual gateway);
* a router with IPsec-protected links: ``ipsec`` (ipsec.protection: the CE's parameters and each link's peers
  and traffic selectors, on the CE and on its upstream);
* call control: ``routes.onnet_first_digits`` (the first digits of every institution code: the on-net dial
  pattern); on a platform whose call control sends other institutions' conference numbers straight to the
  conference service (the lab's Kamailio: DIRECT_CONFERENCES) ``routes.other_conferences`` (every other
  institution's conference numbers, grouped). IOS-XE hands every other on-net number to the SIP core and needs no
  list: one that grows with every institution, in every call control's plan, would make plans grow as the square
  of GovNet (35 KB a call control at 20,000 devices);
* a core hub holding the security operations collector: ``collector`` (its address and every router sending to it).

The SIP core's routing table (``sip_core.routes``) is made with the hub's state (intended.py), from the allocation.
"""

from __future__ import annotations

import bisect
from typing import Iterable, cast

from . import ipsec
from .schema import ROUTER_ROLES
from .state import CallControlState, CeRouterState, Collector, ConferenceGroup, CoreHubState, Sender, State, States

DIRECT_CONFERENCES = ("lab",)  # platforms whose call control dials other institutions' conference numbers itself


def add_facts(states: States) -> States:
    """Add every cross-device fact to the states (in place) and return them."""
    by_role: dict[str, list[State]] = {}
    for hostname in sorted(states):
        by_role.setdefault(states[hostname]["role"], []).append(states[hostname])
    switches = switches_by_ce(states)
    for state in by_role.get("ce_router", []):
        ce = cast(CeRouterState, state)
        ce["switches"] = switches.get(ce["hostname"], [])
        if "redundancy" in ce:
            pair_facts(ce, states)
    protections = {hostname: ipsec.protection(state, states) for hostname, state in states.items() if state["role"] in ROUTER_ROLES}
    for hostname, protection in protections.items():
        if protection is not None:
            states[hostname]["ipsec"] = protection  # type: ignore[typeddict-unknown-key]
    controls = [cast(CallControlState, state) for state in by_role.get("call_control", [])]
    first_digits = sorted({str(control["numbering"]["code"])[0] for control in controls})
    direct = [control for control in controls if control["platform"] in DIRECT_CONFERENCES]
    groups = conference_groups(conference_directory(controls), direct[0]["numbering"]["extension_digits"]) if direct else []
    for control in controls:
        control["routes"]["onnet_first_digits"] = first_digits
    for control in direct:
        control["routes"]["other_conferences"] = other_conferences(control["numbering"]["code"], groups)
    routers = [cast(Sender, {"hostname": name, "platform": states[name]["platform"]}) for name in sorted(states) if states[name]["role"] in ROUTER_ROLES]
    for state in by_role.get("core_hub", []):
        hub = cast(CoreHubState, state)
        collector = collector_address(hub)
        if collector is not None:
            hub["collector"] = cast(Collector, {"address": collector, "senders": routers})
    return states


def switches_by_ce(states: States) -> dict[str, list[str]]:
    """Access switches by the CE router they uplink to, in name order."""
    found: dict[str, list[str]] = {}
    for hostname in sorted(states):
        state = states[hostname]
        if state["role"] == "access_switch":
            found.setdefault(state["uplink"]["peer"], []).append(hostname)  # type: ignore[typeddict-item]
    return found


def pair_facts(ce: CeRouterState, states: States) -> None:
    """A redundant CE's pair (every member with its priority, this CE first) and whether it is the active one:
    the highest priority holds the virtual gateway, the lower hostname when two are equal."""
    redundancy = ce["redundancy"]
    members = [ce] + [cast(CeRouterState, states[peer]) for peer in redundancy["peers"] if "redundancy" in states.get(peer, {})]
    redundancy["pair"] = [{"hostname": member["hostname"], "priority": member["redundancy"]["priority"]} for member in members]
    best = min(redundancy["pair"], key=lambda member: (-member["priority"], member["hostname"]))
    redundancy["active"] = best["hostname"] == ce["hostname"]


def conference_directory(controls: Iterable[CallControlState]) -> dict[int, list[int]]:
    """Conference-bridge numbers of every institution with call control, by institution code."""
    directory: dict[int, set[int]] = {}
    for control in controls:
        directory.setdefault(control["numbering"]["code"], set()).update(control["numbering"]["conference_numbers"])
    return {code: sorted(numbers) for code, numbers in sorted(directory.items())}


def runs(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as runs [first, last] of consecutive ones: [3900, 3901, 3902, 3905] -> [[3900, 3902], [3905, 3905]]."""
    out: list[list[int]] = []
    for number in sorted(set(numbers)):
        if out and number == out[-1][1] + 1:
            out[-1][1] = number
        else:
            out.append([number, number])
    return out


Groups = list[tuple[list[int], list[list[int]], list[int]]]  # (extensions, runs of codes, each run's first code)


def conference_groups(directory: dict[int, list[int]], digits: int) -> Groups:
    """Every institution's conference numbers grouped by their extensions (a conference number is the code followed by
    a `digits`-digit extension, allocation.py): (extensions, runs of the codes that have exactly those), in extension
    order. A few groups for the whole of GovNet, not one per number."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for code, numbers in directory.items():
        groups.setdefault(tuple(number - code * 10**digits for number in numbers), []).append(code)
    out = []
    for extensions, codes in sorted(groups.items()):
        code_runs = runs(codes)
        out.append((list(extensions), code_runs, [first for first, _last in code_runs]))
    return out


def _without(code_runs: list[list[int]], firsts: list[int], code: int) -> list[list[int]]:
    """Runs of codes with one code taken out (the run holding it split in two); firsts: each run's first code."""
    index = bisect.bisect_right(firsts, code) - 1
    if index < 0 or code > code_runs[index][1]:
        return code_runs
    first, last = code_runs[index]
    middle = [[low, high] for low, high in ((first, code - 1), (code + 1, last)) if low <= high]
    return code_runs[:index] + middle + code_runs[index + 1 :]


def other_conferences(code: int, groups: Groups) -> list[ConferenceGroup]:
    """Other institutions' conference numbers: the groups (conference_groups) without this institution's code (the
    runs it is not in are shared with the other call controls' states, not copied)."""
    out: list[ConferenceGroup] = []
    for extensions, code_runs, firsts in groups:
        others = _without(code_runs, firsts, code)
        if others:
            out.append({"codes": others, "extensions": extensions})
    return out


def _ip(address: str) -> str:
    return address.split("/")[0]


def collector_address(hub: CoreHubState) -> str | None:
    """The address of the security operations collector in a hub's services LAN (the syslog role's service the
    management plane sends to), or None when the hub holds none."""
    servers = {_ip(address) for address in hub["management"]["syslog_servers"]}
    return next((_ip(item["address"]) for item in hub.get("services", []) if _ip(item["address"]) in servers), None)
