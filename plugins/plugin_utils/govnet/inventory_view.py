"""The network as Ansible sees it: one host per device, with its groups and variables."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from .allocation import allocate
from .intended import intended_states
from .problems import GovnetInputError
from .schema import DEVICE_ROLES
from .source import Source
from .validation import parse

ROLE_GROUPS = {
    "core_hub": "core_hubs",
    "regional_aggregation": "regional_aggregation",
    "ce_router": "ce_routers",
    "access_switch": "access_switches",
    "call_control": "call_control",
}
CATEGORY_GROUPS = {
    "ministry": "ministries",
    "independent_department": "independent_departments",
    "executive_agency": "executive_agencies",
    "regional_secretariat": "regional_secretariats",
    "council": "councils",
}
LAB_NETNS_PREFIX = "gn-"  # lab device <hostname> lives in network namespace gn-<hostname>


def connection_vars(platform: str, hostname: str) -> dict[str, Any]:
    """How Ansible reaches a device: network_cli for IOS-XE; for the lab, its namespace on this machine."""
    if platform == "ios_xe":
        return {"ansible_connection": "ansible.netcommon.network_cli", "ansible_network_os": "cisco.ios.ios"}
    return {
        "ansible_connection": "ega.govnet.netns",
        "govnet_netns": LAB_NETNS_PREFIX + hostname,
        "ansible_python_interpreter": sys.executable,
    }


@dataclass(frozen=True)
class Host:
    name: str
    groups: tuple[str, ...]
    variables: dict[str, Any]


@dataclass(frozen=True)
class View:
    groups: tuple[str, ...]
    hosts: tuple[Host, ...]
    errors: list[str]


def group_name(text: str) -> str:
    """A valid Ansible group name for a slug."""
    return text.replace("-", "_")


def _address(state: dict[str, Any]) -> str:
    for key in ("loopback", "address"):
        if key in state:
            return state[key].split("/")[0]
    return state["management_interface"]["address"].split("/")[0]


def device_hosts(source: Source) -> View:
    """Hosts and groups for a source; an invalid source gives no hosts and its problems."""
    try:
        registry, policy = parse(source)
        alloc = allocate(registry, policy)
    except GovnetInputError as error:
        return View((), (), [str(problem) for problem in error.problems])
    states = intended_states(alloc, policy)
    groups = set(ROLE_GROUPS[role] for role in DEVICE_ROLES) | set(CATEGORY_GROUPS.values())
    groups |= {
        "district_councils",
        "town_councils",
        "municipal_councils",
        "city_councils",
        "phase_1",
        "phase_2",
        "phase_3",
        "ios_xe",
        "lab",
    }
    institutions = {plan.institution.slug: plan.institution for plan in alloc.institutions}
    hosts = []
    for hostname, state in states.items():
        member = [ROLE_GROUPS[state["role"]], state["platform"], f"region_{group_name(state['region'])}"]
        variables: dict[str, Any] = {
            "ansible_host": _address(state),
            "govnet_role": state["role"],
            "govnet_platform": state["platform"],
            "govnet_region": state["region"],
            **connection_vars(state["platform"], hostname),
        }
        if "institution" in state:
            inst = institutions[state["institution"]["slug"]]
            member += [CATEGORY_GROUPS[inst.category], f"phase_{inst.phase}", f"institution_{group_name(inst.slug)}"]
            if inst.council_type:
                member.append(f"{inst.council_type}_councils")
            variables.update({"govnet_institution": inst.slug, "govnet_institution_id": inst.id, "govnet_phase": inst.phase})
        groups.update(member)
        hosts.append(Host(hostname, tuple(member), variables))
    return View(tuple(sorted(groups)), tuple(hosts), [])
