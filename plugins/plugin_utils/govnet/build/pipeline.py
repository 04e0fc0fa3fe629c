"""The main job: validate, plan and write the build directory, all or nothing."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..design.allocation import Allocation, allocate
from .dest import MARKER, MARKER_TEXT, Staging, destination, interruptible, sweep, turn
from .manifest import MANIFEST, manifest_text
from .parts import BuildParts, Sink, keep
from .tree import Compare, Written, changed, link_same
from ..design.intended import Device, State, devices, intended_states
from ..design.model import Policy, Registry
from ..publish.documents import Pages, network_documents
from ..design.source import read_source
from ..design.validation import parse


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
    """Every file of the build, keyed by its path inside the build directory; the bytes do not depend on `jobs`."""
    files: dict[str, bytes] = {}
    for piece in _make(network, keep, jobs):
        files.update(piece)
    return files


def _make(network: Network, sink: Sink, jobs: int | None = None) -> list[Any]:
    """Make every file of the build and hand each part to sink where it is made; sink's results.

    Devices' files and institutions' own documents are made by `jobs` workers (default: build_parts.default_jobs()
    for a large network, else one process) while this process makes the documents about the whole network;
    then the manifest of every device's files, from the paths the parts made."""
    with settled(), BuildParts(network.states, Pages(network.allocation, network.policy), jobs, sink) as parts:
        docs = network_documents(network.allocation, network.policy)
        docs = sink({MARKER: MARKER_TEXT, **{f"docs/{path}": content for path, content in docs.items()}})
        made = parts.result()
        paths = [path for piece in made for path in _paths(piece)]
        return made + [docs, sink({MANIFEST: manifest_text(paths).encode()})]


def _paths(piece: Any) -> tuple[str, ...]:
    """The paths of a part as its sink handed it back: the files themselves (keep) or what was written (Compare)."""
    return piece.paths if isinstance(piece, Written) else tuple(piece)


@contextmanager
def settled() -> Iterator[None]:
    """Keep what exists now (the computed network) out of the garbage collector's sweeps until the block ends.

    Making the files allocates millions of short-lived objects; each full collection would walk the whole
    network again (at 20,000 devices that doubled the time to render). Forked workers inherit the setting."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class BuildResult:
    network: Network
    files: int
    changed: bool


def build(inventory: str | Path, dest: str | Path, check: bool = False) -> BuildResult:
    """Build everything for an inventory into dest; nothing is written if the input is invalid.

    dest must be absent, an empty folder or a previous build (build_dest.destination), else BuildDestinationError.
    An unchanged build leaves dest alone (and reports no change); check mode only reports. Builds into one dest
    take turns; SIGTERM or SIGINT during a build leaves no staging folder behind.
    """
    with interruptible():
        if check:
            network = plan(inventory)
            place = destination(dest)
            parts = _make(network, Compare(place, None))
            return BuildResult(network, sum(len(part.paths) for part in parts), changed(parts, place))
        place = destination(dest)  # refused before anything is computed; invalid input writes nothing, not even the lock
        network = plan(inventory)
        with turn(place):
            place = destination(dest)  # again, now that no other build can change it
            sweep(place)
            with Staging(place) as staging:
                parts = _make(network, Compare(place, staging.folder))
                differs = changed(parts, place)
                if differs:
                    link_same(parts, place, staging.folder)
                    staging.swap()
    return BuildResult(network, sum(len(part.paths) for part in parts), differs)
