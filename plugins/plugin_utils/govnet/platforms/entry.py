"""What a platform declares about itself: the registry entry each platforms/<name>/platform.py makes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Mapping, Optional

from ..design.intended import State

Renderer = Callable[[dict[str, State], Optional[Collection[str]]], dict[str, str]]


def no_host_vars(hostname: str) -> dict[str, Any]:
    """A platform whose devices need no Ansible variable of their own."""
    return {}


@dataclass(frozen=True)
class Platform:
    """One platform: what renders its devices, how they are reached, and the layout of their files in a build."""

    name: str
    render: Renderer  # (every state, the devices to render or None for all) -> {path in the build: text}
    # Which device a path of the build belongs to and the file's name among that device's files (None: not this platform's).
    owner: Callable[[str], Optional[tuple[str, str]]]
    layout: Mapping[str, str]  # a file's name among its device's files -> the daemon or service that reads it
    connection: Mapping[str, Any] = field(default_factory=dict)  # Ansible variables of the platform's group
    host_vars: Callable[[str], dict[str, Any]] = no_host_vars  # Ansible variables of one of its devices
    # Task files that push one of its devices (roles/device_config/tasks/), and back it up and verify it in a rollout
    # (roles/rollout_device/tasks/); "" for a platform Ansible does not reach (its files come with another device's).
    deploy_tasks: str = ""
    backup_tasks: str = ""
    verify_tasks: str = ""
    device_platform: bool = True  # False for what only comes with a device of another platform (a hub's SIP core server)

    def daemon(self, path: str, name: str) -> str:
        """The daemon that reads a file of this platform; a file the layout does not know is a ValueError."""
        try:
            return self.layout[name]
        except KeyError:
            raise ValueError(
                f"platform {self.name}: the build has {path}, which its file layout does not know. "
                f"Hint: add {name!r} and its daemon to the layout in platforms/{self.name}/platform.py"
            ) from None
