"""The production SIP core's registry entry: a hub's SIP core server, its files configs/<hub>-sip-core/<file>.

It is no device of the registry: its files belong to their hub (a rollout plan shows them with the hub) and
operators install them with playbooks/sip_core.yml on the servers of their own inventory.
"""
from __future__ import annotations

from typing import Optional

from ..entry import Platform
from . import render

FOLDER = "configs/"
SUFFIX = "-sip-core"


def owner(path: str) -> Optional[tuple[str, str]]:
    """configs/<hub>-sip-core/<file> belongs to the hub."""
    if not path.startswith(FOLDER):
        return None
    folder, _slash, name = path[len(FOLDER):].partition("/")
    if name and folder.endswith(SUFFIX) and folder != SUFFIX:
        return folder[: -len(SUFFIX)], name
    return None


PLATFORM = Platform(
    name="sip_core",
    render=render.render,
    owner=owner,
    layout={name: "kamailio" for name in render.FILES},
    device_platform=False,
)
