# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live checks of a deployed device, written once: the rollout's verify (roles/rollout_device, through the
live_check filter) and the Molecule lab tests judge a device with these same functions.

A reader turns one command's output into facts (FRR's and Open vSwitch's JSON in the lab, IOS-XE's show output);
a check judges the facts against the device's intended state (build/plan/<device>.yml) and says what is missing.
An output a device could not give (a daemon not answering yet, an empty reply) reads as no facts, so a check fails
naming everything it expected and a bounded retry can look again."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

ESTABLISHED = "Established"


@dataclass(frozen=True)
class Check:
    """One judged check: its name, whether it passed and what was wrong (or 'none')."""

    name: str
    ok: bool
    detail: str

    def as_dict(self, stage: str = "") -> dict[str, Any]:
        """The check as the rollout notes it: {name, ok, detail}, the name after the stage ('after push: ...')."""
        return {"name": f"{stage}: {self.name}" if stage else self.name, "ok": self.ok, "detail": self.detail}


def _listed(items: Iterable[Any]) -> str:
    return ", ".join(str(item) for item in items) or "none"


def _json(text: Any) -> Any:
    """JSON of an output, or None when the output is not a JSON document (empty, an error line)."""
    if isinstance(text, (dict, list)):
        return text
    if not isinstance(text, str) or not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


# ---------------------------------------------------------------- readers: the lab (FRR, Open vSwitch)


def frr_sessions(summary: Any) -> dict[str, str]:
    """The BGP neighbours and their states from FRR's `show bgp ipv4 unicast summary json`."""
    data = _json(summary)
    peers = data.get("peers", {}) if isinstance(data, dict) else {}
    return {address: str(peer.get("state", "")) for address, peer in peers.items() if isinstance(peer, dict)}


def frr_routes(table: Any) -> set[str]:
    """The prefixes of FRR's `show bgp ipv4 unicast json`."""
    data = _json(table)
    routes = data.get("routes", {}) if isinstance(data, dict) else {}
    return set(routes) if isinstance(routes, dict) else set()


def ovs_port_tags(ports: Any) -> set[int]:
    """The VLAN tags of the ports in `ovs-vsctl --format=json --columns=name,tag list port` (untagged ports have none)."""
    data = _json(ports)
    rows = data.get("data", []) if isinstance(data, dict) else []
    return {row[1] for row in rows if isinstance(row, list) and len(row) > 1 and isinstance(row[1], int) and not isinstance(row[1], bool)}


# ---------------------------------------------------------------- readers: IOS-XE show output

_IOS_NEIGHBOR = re.compile(r"^(?P<address>\d+\.\d+\.\d+\.\d+)\s+4\s+\S+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\S+\s+(?P<state>.+?)\s*$")
_IOS_SUBNETTED = re.compile(r"^\s+(?P<network>\d+\.\d+\.\d+\.\d+)/(?P<length>\d+) is subnetted")
_IOS_ROUTE = re.compile(r"^(?P<codes>[A-Za-z][A-Za-z0-9 *%+]{0,8}?)\s+(?P<prefix>\d+\.\d+\.\d+\.\d+)(?:/(?P<length>\d+))?(?:\s|$)")
_IOS_VLAN = re.compile(r"^(?P<id>\d{1,4})\s+.*?\s(?:active|suspended|act/\S+|sus/\S+)(?:\s|$)")
_IOS_SIP_UA = re.compile(r"^SIP User Agent for (?:UDP|TCP)\s*:\s*ENABLED\b", re.M)


def ios_sessions(summary: str) -> dict[str, str]:
    """The BGP neighbours and their states from IOS-XE's `show bgp ipv4 unicast summary`: a neighbour whose last
    column is its count of received prefixes is Established; otherwise that column is its state (Idle, Active...)."""
    sessions = {}
    for line in (summary or "").splitlines():
        found = _IOS_NEIGHBOR.match(line)
        if found:
            state = found["state"]
            sessions[found["address"]] = ESTABLISHED if state.isdigit() else state
    return sessions


def ios_routes(table: str) -> set[str]:
    """The prefixes of IOS-XE's `show ip route`; under a `N/len is subnetted` heading a route is shown without its
    length, which is the heading's."""
    routes, length = set(), None
    for line in (table or "").splitlines():
        heading = _IOS_SUBNETTED.match(line)
        if heading:
            length = heading["length"]
            continue
        if " is variably subnetted" in line:
            length = None
        if not line[:1].strip():
            continue
        found = _IOS_ROUTE.match(line)
        if found and (found["length"] or length):
            routes.add(str(ipaddress.ip_network(f"{found['prefix']}/{found['length'] or length}", strict=False)))
    return routes


def ios_vlans(brief: str) -> set[int]:
    """The VLAN ids of IOS-XE's `show vlan brief`."""
    return {int(found["id"]) for line in (brief or "").splitlines() if (found := _IOS_VLAN.match(line))}


def ios_sip_ua_enabled(status: str) -> bool:
    """Whether IOS-XE's `show sip-ua status` has the SIP user agent enabled on UDP or TCP."""
    return bool(_IOS_SIP_UA.search(status or ""))


# ---------------------------------------------------------------- what the intended state expects


def expected_sessions(state: Mapping[str, Any]) -> list[str]:
    """The addresses of the router's BGP neighbours, in the intended state's order."""
    return [neighbor["address"] for neighbor in state["bgp"]["neighbors"]]


def expected_routes(state: Mapping[str, Any]) -> list[str]:
    """The prefixes the router's neighbours must send it (every accepted prefix but `any`), sorted."""
    return sorted({prefix for neighbor in state["bgp"]["neighbors"] for prefix in neighbor["accept"] if prefix != "any"})


def expected_access_vlans(state: Mapping[str, Any]) -> list[int]:
    """The VLANs a lab switch's access ports carry: data, then voice."""
    return [state["access_ports"]["data_vlan"], state["access_ports"]["voice_vlan"]]


def expected_vlans(state: Mapping[str, Any]) -> list[int]:
    """Every VLAN of a switch's intended state."""
    return [vlan["id"] for vlan in state["vlans"]]


# ---------------------------------------------------------------- checks


def bgp_sessions(state: Mapping[str, Any], sessions: Mapping[str, str]) -> Check:
    """Every BGP session of the intended state is Established."""
    down = [address for address in expected_sessions(state) if sessions.get(address) != ESTABLISHED]
    return Check("BGP sessions Established", not down, f"not Established: {_listed(down)}")


def routes_present(state: Mapping[str, Any], routes: Iterable[str]) -> Check:
    """Every prefix the neighbours must send is in the table."""
    have = set(routes)
    missing = [prefix for prefix in expected_routes(state) if prefix not in have]
    return Check("expected routes present", not missing, f"missing: {_listed(missing)}")


def access_port_vlans(state: Mapping[str, Any], tags: Iterable[int]) -> Check:
    """A lab switch's access ports carry the data and the voice VLAN."""
    have = set(tags)
    missing = [vlan for vlan in expected_access_vlans(state) if vlan not in have]
    return Check("VLANs present on access ports", not missing, f"missing VLANs: {_listed(missing)}")


def vlans_present(state: Mapping[str, Any], vlans: Iterable[int]) -> Check:
    """A switch has every VLAN of its intended state."""
    have = set(vlans)
    missing = [vlan for vlan in expected_vlans(state) if vlan not in have]
    return Check("VLANs present", not missing, f"missing VLANs: {_listed(missing)}")


def sip_answers(exit_code: int) -> Check:
    """Lab call control answered SIP OPTIONS (sipp's exit code: 0 when the scenario ended as written)."""
    return Check("call control answers SIP OPTIONS", exit_code == 0, f"sipp exit {exit_code}")


def sip_user_agent(enabled: bool) -> Check:
    """IOS-XE call control has its SIP user agent enabled."""
    return Check("call control answering (SIP user agent enabled)", enabled, "SIP user agent enabled" if enabled else "SIP user agent not enabled")


def _exit_code(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


# name -> (reader of the output, check of the facts against the intended state)
CHECKS: dict[str, tuple[Callable[[Any], Any], Callable[[Mapping[str, Any], Any], Check]]] = {
    "lab_bgp_sessions": (frr_sessions, bgp_sessions),
    "lab_routes": (frr_routes, routes_present),
    "lab_access_vlans": (ovs_port_tags, access_port_vlans),
    "lab_sip_options": (_exit_code, lambda _state, code: sip_answers(code)),
    "ios_xe_bgp_sessions": (ios_sessions, bgp_sessions),
    "ios_xe_routes": (ios_routes, routes_present),
    "ios_xe_vlans": (ios_vlans, vlans_present),
    "ios_xe_sip_user_agent": (ios_sip_ua_enabled, lambda _state, enabled: sip_user_agent(enabled)),
}


def judge(check: str, output: Any, state: Mapping[str, Any]) -> Check:
    """Read output with the check's reader and judge it against the intended state."""
    read, decide = CHECKS[check]
    return decide(state, read(output))


def lab_command(check: str, netns: str, run_dir: str) -> list[str]:
    """The command whose output a lab check reads, run from the root namespace (FRR's vtysh -N, the switch's
    own OVSDB under run_dir); the SIP OPTIONS check runs sipp with the role's scenario instead."""
    commands = {
        "lab_bgp_sessions": ["vtysh", "-N", netns, "-c", "show bgp ipv4 unicast summary json"],
        "lab_routes": ["vtysh", "-N", netns, "-c", "show bgp ipv4 unicast json"],
        "lab_access_vlans": ["ovs-vsctl", f"--db=unix:{run_dir}/db.sock", "--format=json", "--columns=name,tag", "list", "port"],
    }
    return commands[check]
