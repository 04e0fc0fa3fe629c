"""The bulk rendering step: every device's configuration from its intended state, one pass per platform."""
from __future__ import annotations

from typing import Collection

from .ios_xe import render as ios_xe

from .lab import render as lab

from .sip_core import render as sip_core
from ..design.intended import State
from ..core.text import HOSTNAME

# Each renderer renders the devices of its own platform and may read every state (call control routes
# on-net numbers by the codes of all institutions, whatever their platform). A production hub's SIP core server gets its
# files with the hub.
RENDERERS = (ios_xe.render, sip_core.render, lab.render)


def render_all(states: dict[str, State], only: Collection[str] | None = None) -> dict[str, str]:
    """Every device's files (or those of the devices in `only`), keyed by path inside the build directory
    (configs/ for ios_xe and production SIP core servers, lab/ for lab). A hostname that could not be a file
    name, a shell word or a configuration's one word is refused before anything is rendered."""
    for hostname in states if only is None else only:
        if not HOSTNAME.fullmatch(hostname):
            raise ValueError(f"device {hostname!r}: a hostname, file name and namespace must be lowercase ASCII letters, digits and '-'")
    files: dict[str, str] = {}
    for render in RENDERERS:
        files.update(render(states, only))
    return files
