"""The network as Ansible sees it: one host per device, with its groups and variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..design.allocation import allocate
from ..design.intended import devices
from ..design.schema import DEVICE_ROLES, PLATFORMS, ROUTER_ROLES
from ..design.source import Source
from ..design.validation import parse
from ..platforms.registry import device_platform

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


def platform_vars(platform: str) -> dict[str, Any]:
    """The variables of a platform's group, from its registry entry: its name, how Ansible reaches its devices
    (network_cli for IOS-XE; for the lab, namespaces on this machine) and the task files that push, back up and
    verify them.
    A platform the registry does not hold is a ValueError naming it."""
    entry = device_platform(platform)
    return {
        "govnet_platform": entry.name,
        **entry.connection,
        "govnet_deploy_tasks": entry.deploy_tasks,
        "govnet_backup_tasks": entry.backup_tasks,
        "govnet_verify_tasks": entry.verify_tasks,
    }


def role_vars(role: str) -> dict[str, Any]:
    """The variables of a device role's group: the role, and whether its devices route (the roles' one test)."""
    return {"govnet_role": role, "govnet_router": role in ROUTER_ROLES}


@dataclass(frozen=True)
class Host:
    name: str
    groups: tuple[str, ...]
    variables: dict[str, Any]


@dataclass(frozen=True)
class View:
    """Hosts with only what is their own (address, lab namespace); what a group shares is set on the group."""

    groups: dict[str, dict[str, Any]]  # group name -> its variables
    hosts: tuple[Host, ...]


def group_name(text: str) -> str:
    """A valid Ansible group name for a slug."""
    return text.replace("-", "_")


FIXED_GROUPS = (
    *CATEGORY_GROUPS.values(),
    "district_councils",
    "town_councils",
    "municipal_councils",
    "city_councils",
    "phase_1",
    "phase_2",
    "phase_3",
)


def device_hosts(source: Source) -> View:
    """Hosts and groups for a source; an invalid source raises GovnetInputError with every problem."""
    registry, policy = parse(source)
    alloc = allocate(registry, policy)
    groups: dict[str, dict[str, Any]] = {name: {} for name in FIXED_GROUPS}
    groups.update({ROLE_GROUPS[role]: role_vars(role) for role in DEVICE_ROLES})
    groups.update({platform: platform_vars(platform) for platform in PLATFORMS})
    hosts = []
    for device in devices(alloc, policy):
        region = f"region_{group_name(device.region)}"
        groups.setdefault(region, {"govnet_region": device.region})
        member = [ROLE_GROUPS[device.role], device.platform, region]
        variables: dict[str, Any] = {"ansible_host": device.address, **device_platform(device.platform).host_vars(device.hostname)}
        inst = device.institution
        if inst is not None:
            institution = f"institution_{group_name(inst.slug)}"
            groups.setdefault(institution, {"govnet_institution": inst.slug, "govnet_institution_id": inst.id})
            groups[f"phase_{inst.phase}"]["govnet_phase"] = inst.phase
            member += [CATEGORY_GROUPS[inst.category], f"phase_{inst.phase}", institution]
            if inst.council_type:
                member.append(f"{inst.council_type}_councils")
        hosts.append(Host(device.hostname, tuple(member), variables))
    return View(dict(sorted(groups.items())), tuple(hosts))
