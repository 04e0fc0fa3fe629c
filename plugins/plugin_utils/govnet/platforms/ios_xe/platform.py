"""The IOS-XE platform's registry entry: one configuration per device, configs/<device>.cfg, pushed over network_cli."""
from __future__ import annotations

from typing import Optional

from ..entry import Platform
from . import render

FOLDER = "configs/"
SUFFIX = ".cfg"
CONFIG = "config"  # the name of a device's one file among its files


def owner(path: str) -> Optional[tuple[str, str]]:
    """configs/<device>.cfg belongs to that device (a folder under configs/ is another platform's)."""
    if path.startswith(FOLDER) and path.endswith(SUFFIX) and "/" not in path[len(FOLDER):]:
        return path[len(FOLDER):-len(SUFFIX)], CONFIG
    return None


PLATFORM = Platform(
    name="ios_xe",
    render=render.render,
    owner=owner,
    layout={CONFIG: "ios_config"},  # the running configuration, merged by cisco.ios.ios_config (roles/device_config/tasks/ios_xe.yml)
    connection={"ansible_connection": "ansible.netcommon.network_cli", "ansible_network_os": "cisco.ios.ios"},
    deploy_tasks="ios_xe.yml",
    backup_tasks="backup_ios_xe.yml",
    verify_tasks="verify_ios_xe.yml",
)
