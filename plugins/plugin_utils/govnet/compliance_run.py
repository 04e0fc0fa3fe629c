"""Compare every device of a build with what it runs, as playbooks/compliance.yml gathered it.

What a device runs arrives as one mapping per device, by platform and role:

- IOS-XE: ``{"config": <show running-config>}``
- lab router: ``{"frr_reload_test": <frr-reload.py --test output against the build's frr.conf>}``
- lab switch: ``{"ports": <ovs-vsctl --format=json --columns=name,tag list port>}``
- lab call control: ``{"files": {name: text}}`` (Kamailio's files as it reads them)
- any device that could not be read: ``{"error": <why>}``
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import yaml

from . import compliance
from .compliance import DeviceCompliance

LAB_ROUTERS = ("core_hub", "regional_aggregation", "ce_router")


def _plan(build: Path, device: str) -> dict:
    return yaml.load((build / "plan" / f"{device}.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _institution(plan: Mapping) -> str:
    institution = plan.get("institution")
    return str(institution["slug"]) if isinstance(institution, Mapping) else "infrastructure"


def compare_device(build: Path, device: str, running: Mapping) -> DeviceCompliance:
    """One device of the build against what it runs."""
    plan = _plan(build, device)
    platform, role, institution = plan["platform"], plan["role"], _institution(plan)
    if running.get("error"):
        return DeviceCompliance(device, platform, institution, error=str(running["error"]))
    if platform == "ios_xe":
        intended = (build / "configs" / f"{device}.cfg").read_text(encoding="utf-8")
        return compliance.ios_compare(device, institution, running["config"], intended)
    files = build / "lab" / device
    if role in LAB_ROUTERS:
        return compliance.frr_compare(device, institution, running["frr_reload_test"])
    if role == "access_switch":
        ports = running["ports"]
        ports = json.loads(ports) if isinstance(ports, str) else ports
        return compliance.ovs_compare(device, institution, (files / "ovs.sh").read_text(encoding="utf-8"), ports)
    intended = {name: (files / name).read_text(encoding="utf-8") for name in compliance.KAMAILIO_FEATURES}
    return compliance.files_compare(device, institution, intended, running.get("files", {}),
                                    compliance.KAMAILIO_FEATURES)


def compare(build: Path, running: Mapping[str, Mapping]) -> list[DeviceCompliance]:
    """Every device named in running; a device of the build with nothing gathered is reported as not compared."""
    devices = sorted(path.stem for path in (build / "plan").glob("*.yml"))
    results = []
    for device in devices:
        if device in running:
            results.append(compare_device(build, device, running[device]))
    return results


def running_from_dir(folder: Path, build: Path) -> dict[str, dict]:
    """IOS-XE running configurations saved as <folder>/<device>.cfg (e.g. ios_config backups, or a build's configs)."""
    running = {}
    for path in sorted(folder.glob("*.cfg")):
        if (build / "plan" / f"{path.stem}.yml").is_file():
            running[path.stem] = {"config": path.read_text(encoding="utf-8")}
    return running
