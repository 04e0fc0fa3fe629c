"""The platforms GovNet renders for, one entry each, and the bulk rendering step over all of them.

A platform is declared once, in its own folder (``platforms/<name>/platform.py``): its renderer, how Ansible reaches
its devices, where its files sit in a build and which daemon or service reads each of them, and the task files
that back up and verify one of its devices in a rollout. Everything else asks this registry: the inventory
(connection settings), the build (its manifest of device -> files), the rollout and compliance (a device's files).
docs/dev/adding-a-platform.md says how to add one.
"""
from __future__ import annotations

from typing import Collection, Mapping

from ..core.text import HOSTNAME
from ..design.intended import State
from .entry import Platform
from .ios_xe.platform import PLATFORM as IOS_XE
from .lab.platform import PLATFORM as LAB
from .sip_core.platform import PLATFORM as SIP_CORE

__all__ = ("BY_NAME", "DEVICE_PLATFORMS", "PLATFORMS", "Platform", "device_platform", "platform", "render_all")

# In rendering order. Each renderer renders the devices of its own platform and may read every state (call control
# routes on-net numbers by the codes of all institutions, whatever their platform). A production hub's SIP core
# server gets its files with the hub.
PLATFORMS: tuple[Platform, ...] = (IOS_XE, SIP_CORE, LAB)
BY_NAME: Mapping[str, Platform] = {entry.name: entry for entry in PLATFORMS}
# The platforms a device of the registry may have (design.schema.PLATFORMS must name the same).
DEVICE_PLATFORMS: tuple[str, ...] = tuple(sorted(entry.name for entry in PLATFORMS if entry.device_platform))


def platform(name: str) -> Platform:
    """The registry entry of a platform; an unknown one is a ValueError naming it and the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"platform {name!r} is not registered. Hint: use one of {', '.join(sorted(BY_NAME))}, "
            "or add it as docs/dev/adding-a-platform.md says"
        ) from None


def device_platform(name: str) -> Platform:
    """The entry of a platform a device may have (ios_xe, lab); any other name is a ValueError."""
    if name not in DEVICE_PLATFORMS:
        raise ValueError(f"platform {name!r} is not a device platform. Hint: a device's platform is one of {', '.join(DEVICE_PLATFORMS)}")
    return BY_NAME[name]


def render_all(states: dict[str, State], only: Collection[str] | None = None) -> dict[str, str]:
    """Every device's files (or those of the devices in `only`), keyed by path inside the build directory
    (configs/ for ios_xe and production SIP core servers, lab/ for lab). A hostname that could not be a file
    name, a shell word or a configuration's one word, or a device of a platform not registered, is refused
    before anything is rendered."""
    for hostname in states if only is None else only:
        if not HOSTNAME.fullmatch(hostname):
            raise ValueError(f"device {hostname!r}: a hostname, file name and namespace must be lowercase ASCII letters, digits and '-'")
    for state in states.values():
        device_platform(state["platform"])
    files: dict[str, str] = {}
    for entry in PLATFORMS:
        files.update(entry.render(states, only))
    return files
