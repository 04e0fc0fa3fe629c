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
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Mapping

import yaml

from ..build.manifest import Entry, read_build
from ..design.schema import ROUTER_ROLES
from . import compliance
from .compliance import DeviceCompliance

# From this many devices the comparison runs in forked workers, one per usable core (hier_config parses each
# configuration in pure Python: about 60 ms a device); a worker's whole share must finish within the bound.
PARALLEL_FROM = 200
WORKER_TIMEOUT = 1800


def _plan(build: Path, device: str) -> dict:
    return yaml.load((build / "plan" / f"{device}.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _institution(plan: Mapping) -> str:
    institution = plan.get("institution")
    return str(institution["slug"]) if isinstance(institution, Mapping) else "infrastructure"


def _texts(build: Path, entry: Entry, daemon: str) -> dict[str, str]:
    """The device's files a daemon reads, by name, as the build's manifest lists them."""
    return {item["name"]: (build / path).read_text(encoding="utf-8") for path, item in entry["files"].items() if item["daemon"] == daemon}


def compare_device(build: Path, device: str, running: Mapping, entry: Entry | None = None) -> DeviceCompliance:
    """One device of the build against what it runs; `entry` is the device's in the build's manifest (read when not given)."""
    entry = entry if entry is not None else read_build(build)[device]
    plan = _plan(build, device)
    platform, role, institution = plan["platform"], plan["role"], _institution(plan)
    if running.get("error"):
        return DeviceCompliance(device, platform, institution, error=str(running["error"]))
    if platform == "ios_xe":
        intended = "".join(_texts(build, entry, "ios_config").values())
        return compliance.ios_compare(device, institution, running["config"], intended)
    if role in ROUTER_ROLES:
        return compliance.frr_compare(device, institution, running["frr_reload_test"])
    if role == "access_switch":
        ports = running["ports"]
        ports = json.loads(ports) if isinstance(ports, str) else ports
        return compliance.ovs_compare(device, institution, "".join(_texts(build, entry, "ovs").values()), ports)
    intended = _texts(build, entry, "kamailio")
    return compliance.files_compare(device, institution, intended, running.get("files", {}),
                                    compliance.KAMAILIO_FEATURES)


def _compare_one(job: tuple[Path, str, Mapping, Entry]) -> DeviceCompliance:
    return compare_device(*job)


def compare(build: Path, running: Mapping[str, Mapping], jobs: int | None = None) -> list[DeviceCompliance]:
    """Every device of the build named in running, in name order."""
    devices = sorted(path.stem for path in (build / "plan").glob("*.yml") if path.stem in running)
    entries = read_build(build)
    work = [(build, device, running[device], entries[device]) for device in devices]
    jobs = jobs or len(os.sched_getaffinity(0))
    if jobs < 2 or len(work) < PARALLEL_FROM:
        return [_compare_one(job) for job in work]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_compare_one, work, chunksize=max(1, len(work) // (jobs * 4)), timeout=WORKER_TIMEOUT))


def running_from_dir(folder: Path, build: Path) -> dict[str, dict]:
    """IOS-XE running configurations saved as <folder>/<device>.cfg (e.g. ios_config backups, or a build's configs)."""
    running = {}
    for path in sorted(folder.glob("*.cfg")):
        if (build / "plan" / f"{path.stem}.yml").is_file():
            running[path.stem] = {"config": path.read_text(encoding="utf-8")}
    return running
