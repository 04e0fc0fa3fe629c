"""The build's manifest: every device's files, each with the platform that rendered it and the daemon that reads it.

Written at the top of every build (``manifest.json``, one line per device, so a diff shows the devices that
changed) so that nothing else writes a file list again: the roles install a device's files by daemon from it,
the rollout compares two revisions device by device with it, and compliance finds what to compare in it.
Which device a file belongs to and which daemon reads it come from the platform registry
(platforms/*/platform.py); a hub's SIP core server files belong to the hub.

A build made before the manifest existed has none; `device_entries` then works the same out of the build's paths.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..platforms.registry import PLATFORMS, Platform

MANIFEST = "manifest.json"
FORMAT = 1
PLAN = "plan/"
PLAN_SUFFIX = ".yml"
DOCUMENTS = "docs/"  # the documents belong to the whole network, not to a device

Entry = dict[str, Any]  # {"platform": name, "plan": path, "files": {path: {"platform", "daemon", "name"}}}


class ManifestError(ValueError):
    """A build's file that belongs to no device, or to a device the build has no plan for."""


def _planned(paths: Iterable[str]) -> dict[str, str]:
    """Device -> its intended state's path (plan/<device>.yml)."""
    return {path[len(PLAN):-len(PLAN_SUFFIX)]: path for path in paths if path.startswith(PLAN) and path.endswith(PLAN_SUFFIX)}


def _owned(path: str) -> tuple[Platform, str, str]:
    """The platform, device and name of a rendered file; a path no platform owns is a ManifestError."""
    for entry in PLATFORMS:
        found = entry.owner(path)
        if found:
            return entry, found[0], found[1]
    raise ManifestError(f"the build has {path}, which belongs to no platform. Hint: every rendered file needs an owner in platforms/*/platform.py")


def device_entries(paths: Iterable[str], strict: bool = True) -> dict[str, Entry]:
    """Every device of a build (a plan/<device>.yml) with its files, from the build's paths; documents and
    top-level files (the marker, the manifest) are no device's. A file of no device, or one its platform's layout
    does not know, is a ManifestError; unless not `strict` (an old build, whose files this revision's layout may
    not know): such a file is left out, or has no daemon."""
    paths = sorted(paths)
    plans = _planned(paths)
    entries: dict[str, Entry] = {hostname: {"platform": None, "plan": plan, "files": {}} for hostname, plan in sorted(plans.items())}
    for path in paths:
        if "/" not in path or path.startswith((DOCUMENTS, PLAN)):
            continue
        try:
            platform, device, name = _owned(path)
            if device not in entries:
                raise ManifestError(
                    f"the build has {path}, of device {device!r}, which has no plan/{device}.yml. Hint: a renderer named a device that is not in the network"
                )
            daemon = platform.daemon(path, name) if strict else platform.layout.get(name)
        except ValueError as error:  # a ManifestError, or a file the platform's layout does not know
            if strict:
                raise ManifestError(str(error)) from None
            continue
        entry = entries[device]
        entry["files"][path] = {"platform": platform.name, "daemon": daemon, "name": name}
        if platform.device_platform:
            if entry["platform"] not in (None, platform.name):
                raise ManifestError(f"device {device}: has files of platforms {entry['platform']} and {platform.name}. Hint: a device has one platform")
            entry["platform"] = platform.name
    return entries


def manifest_text(paths: Iterable[str]) -> str:
    """The manifest of a build with these paths, as written: JSON with one device a line, devices and keys sorted
    (deterministic bytes; at 20,000 devices YAML took four times as long to write and fifteen times to read)."""
    lines = [f"  {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}" for name, entry in device_entries(paths).items()]
    return f'{{"format": {FORMAT}, "devices": {{\n' + ",\n".join(lines) + "\n}}\n"


def read_manifest(files: Mapping[str, bytes]) -> dict[str, Entry]:
    """The devices of a build read into memory (path -> bytes): its manifest, or for an old build without one
    (rendered by a revision from before the manifest) the same worked out of its paths by the platforms' rules."""
    if MANIFEST not in files:
        return device_entries(files, strict=False)
    try:
        data = json.loads(files[MANIFEST])
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("devices"), dict):
        raise ManifestError(f"{MANIFEST}: is not a GovNet build manifest of format {FORMAT}. Hint: build again with this revision")
    return data["devices"]


def read_build(folder: Path) -> dict[str, Entry]:
    """The devices of a build directory on disk: its manifest, or for an old build the same worked out of its paths."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        return read_manifest({MANIFEST: manifest.read_bytes()})
    return device_entries((path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()), strict=False)
