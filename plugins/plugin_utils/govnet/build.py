"""The main job: validate, plan and write the build directory, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .allocation import Allocation, allocate
from .build_parts import BuildParts
from .intended import Device, State, devices, intended_states
from .model import Policy, Registry
from .publish import Pages, network_documents
from .source import read_source
from .validation import parse


@dataclass(frozen=True)
class Network:
    """GovNet computed once: the typed input, every allocation and every device's intended state."""

    registry: Registry
    policy: Policy
    allocation: Allocation
    states: dict[str, State]


def validate(inventory: str | Path) -> tuple[Registry, Policy]:
    """Read and check an inventory source; raises GovnetInputError listing every problem."""
    return parse(read_source(inventory))


def check(inventory: str | Path) -> tuple[Registry, list[Device]]:
    """Validate and allocate, which finds every input problem; the registry and its devices (not their states)."""
    registry, policy = validate(inventory)
    return registry, devices(allocate(registry, policy), policy)


def plan(inventory: str | Path) -> Network:
    """Validate, allocate and compute the intended state of every device."""
    registry, policy = validate(inventory)
    alloc = allocate(registry, policy)
    return Network(registry, policy, alloc, intended_states(alloc, policy))


def outputs(network: Network, jobs: int | None = None) -> dict[str, bytes]:
    """Every file of the build, keyed by its path inside the build directory.

    Devices' files and institutions' own documents are made by `jobs` workers (default: build_parts.default_jobs()
    for a large network, else one process) while this process writes the documents about the whole network;
    the bytes do not depend on `jobs`."""
    with BuildParts(network.states, Pages(network.allocation, network.policy), jobs) as parts:
        docs = {f"docs/{path}": content for path, content in network_documents(network.allocation, network.policy).items()}
        files = parts.result()
    files.update(docs)
    return files


def same_tree(files: dict[str, bytes], dest: str | Path) -> bool:
    """True when dest holds exactly these files with exactly these bytes."""
    dest = Path(dest)
    if not dest.is_dir():
        return False
    present = {path.relative_to(dest).as_posix() for path in dest.rglob("*") if path.is_file()}
    return present == set(files) and all((dest / name).read_bytes() == content for name, content in files.items())


def write_tree(files: dict[str, bytes], dest: str | Path) -> None:
    """Write files into a fresh directory beside dest, then swap it in; dest is untouched on failure."""
    dest = Path(dest).resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
    try:
        _write_files(files, staging)
        os.chmod(staging, 0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
    try:
        if dest.exists():
            os.rename(dest, retired / dest.name)
        os.rename(staging, dest)
    except BaseException:
        if (retired / dest.name).exists() and not dest.exists():
            os.rename(retired / dest.name, dest)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def _write_files(files: dict[str, bytes], folder: Path) -> None:
    """Write new files under folder; each directory is made once (tens of thousands of files per build)."""
    made: set[str] = set()
    for relative, content in sorted(files.items()):
        parent = relative.rpartition("/")[0]
        if parent not in made:
            os.makedirs(folder / parent, exist_ok=True)
            made.add(parent)
        handle = os.open(folder / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)


@dataclass(frozen=True)
class BuildResult:
    network: Network
    files: int
    changed: bool


def build(inventory: str | Path, dest: str | Path, check: bool = False) -> BuildResult:
    """Build everything for an inventory into dest; nothing is written if the input is invalid.

    An unchanged build leaves dest alone (and reports no change); check mode only reports.
    """
    network = plan(inventory)
    files = outputs(network)
    changed = not same_tree(files, dest)
    if changed and not check:
        write_tree(files, dest)
    return BuildResult(network, len(files), changed)
