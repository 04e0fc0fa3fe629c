"""Shared fixtures: the repository's paths and a factory for registries with deliberate changes."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import settings

# Shared, noisy machines: no per-example deadline (timings are measured in benchmarks, never asserted).
settings.register_profile("govnet", deadline=None)
settings.load_profile("govnet")

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "inventories" / "govnet" / "institutions.yml"
SMALL = ROOT / "tests" / "fixtures" / "small" / "institutions.yml"
GOLDEN = ROOT / "tests" / "golden"
BIN = Path(sys.executable).parent  # the venv's ansible-playbook, ansible-inventory, ansible-doc
DEFAULT_POLICY = ROOT / "plugins" / "plugin_utils" / "govnet" / "design" / "defaults"  # the shipped policy, as design/source.py reads it
UPDATE_GOLDEN = os.environ.get("GOVNET_UPDATE_GOLDEN") == "1"


def small_institutions() -> list[dict[str, Any]]:
    """The small fixture's registry items, as plain data to change."""
    return copy.deepcopy(yaml.safe_load(SMALL.read_text())["institutions"])


def default_policy() -> dict[str, Any]:
    """The shipped policy (the library's design/defaults), as plain data to change."""
    policy: dict[str, Any] = {}
    for path in sorted(DEFAULT_POLICY.glob("*.yml")):
        policy.update(yaml.safe_load(path.read_text()) or {})
    return policy


def write_registry(folder: Path, institutions: Any, policy: dict[str, Any] | None = None, **options: Any) -> Path:
    """Write a registry file (and a policy override beside it) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"plugin": "ega.govnet.registry", "institutions": institutions}
    if policy:
        (folder / "policy.yml").write_text(yaml.safe_dump(policy, sort_keys=False))
        data["policy"] = ["policy.yml"]
    data.update(options)
    path = folder / "institutions.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def check_golden(path: Path, actual: str) -> None:
    """Compare with a golden file word for word; GOVNET_UPDATE_GOLDEN=1 rewrites it instead."""
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
    assert path.exists(), f"golden file {path} is missing: run `make golden` and review the diff"
    assert actual == path.read_text(), f"output differs from {path}: if the change is intended, run `make golden` and review the diff"


@pytest.fixture
def registry_factory(tmp_path: Path) -> Callable[..., Path]:
    return lambda institutions, policy=None, **options: write_registry(tmp_path / "inv", institutions, policy, **options)


@pytest.fixture
def namespace():
    """An empty network namespace (lo up) for one test, deleted afterwards; skipped without root."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2 to make a network namespace")
    name = f"govnet-t-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def ansible(command: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """An Ansible command of the venv run from the repository, bounded, its output captured, no colour."""
    return subprocess.run(
        [str(BIN / command), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ANSIBLE_FORCE_COLOR": "0", **env},
    )
