"""The AWX / Automation Platform execution environment: ansible-builder makes its build context, offline.

`ansible-builder create` only writes the context (no image is built here: no container engine). Run as root,
it runs in a network namespace of its own, with no network at all, which proves it fetches nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

BUILDER = Path(sys.executable).parent / "ansible-builder"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)")


def pins(lines: list[str]) -> dict[str, str]:
    """Package name (lower case) -> pinned version, for every `name==version` line."""
    return {match[1].lower(): match[2] for line in lines if (match := PIN.match(line.strip()))}


def test_builder_makes_the_context_offline(tmp_path: Path) -> None:
    argv = [
        str(BUILDER),
        "create",
        "-f",
        str(ROOT / "execution-environment.yml"),
        "-c",
        str(tmp_path / "context"),
        "--output-filename",
        "Containerfile",
    ]
    if os.geteuid() == 0 and shutil.which("unshare"):
        argv = ["unshare", "--net", *argv]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    containerfile = (tmp_path / "context" / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="debian:bookworm-slim"' in containerfile
    assert 'ARG PKGMGR="/usr/bin/apt-get"' in containerfile
    assert "ansible-core==2.19.14 ansible-runner==2.4.3" in containerfile
    assert (tmp_path / "context" / "_build" / "bindep.txt").read_text() == (ROOT / "bindep.txt").read_text()
    context_pins = pins((tmp_path / "context" / "_build" / "requirements.txt").read_text().splitlines())
    assert {"ansible", "jinja2", "pyyaml"} <= context_pins.keys()


def test_every_python_package_is_pinned_as_in_requirements() -> None:
    ee = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    deps = ee["dependencies"]
    listed = list(deps["python"]) + [deps["ansible_core"]["package_pip"], deps["ansible_runner"]["package_pip"]]
    assert all(PIN.match(line) for line in listed), listed
    project = pins((ROOT / "requirements.txt").read_text().splitlines())
    shared = {name: version for name, version in pins(listed).items() if name in project}
    assert shared == {name: project[name] for name in shared}
    assert {"ansible", "ansible-core", "jinja2", "pyyaml"} <= shared.keys()


def test_bindep_names_debian_packages() -> None:
    lines = [line for line in (ROOT / "bindep.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert lines and all(line.endswith("[platform:dpkg]") for line in lines)
    assert {line.split()[0] for line in lines} >= {"git", "graphviz"}
