"""The per-device part of a build, plan YAML and rendered files, spread over the machine's cores.

A device's files depend only on the intended states of the whole network, so the devices are shared out
among forked workers, which inherit the computed states (only hostnames travel to them), and the parts are
merged. The bytes are the same whatever the number of workers; the parent meanwhile writes the documents.
"""

from __future__ import annotations

import multiprocessing
import os
from types import TracebackType
from typing import Mapping

from .intended import State
from .render import render_all
from .yamlout import dump

# Below this many devices one process is quicker than starting workers (unless jobs are asked for).
PARALLEL_FROM = 400
# Workers for a build; default: the cores this process may use, at most MAX_JOBS.
JOBS_VARIABLE = "GOVNET_BUILD_JOBS"
MAX_JOBS = 8
# Shares per worker: small shares even out devices that take longer (large CE configs, call control).
SHARES_PER_JOB = 4
# The longest a build waits for its workers, in seconds.
WAIT_LIMIT = 1800

_shared: Mapping[str, State] = {}  # the states forked workers render from, set by the parent before forking


def files_of(states: Mapping[str, State], hostnames: list[str]) -> dict[str, bytes]:
    """The plan YAML and rendered files of some devices; renderers still see every state."""
    files = {f"plan/{hostname}.yml": dump(states[hostname]).encode() for hostname in hostnames}
    files.update({path: text.encode() for path, text in render_all(dict(states), set(hostnames)).items()})
    return files


def _work(hostnames: list[str]) -> dict[str, bytes]:
    return files_of(_shared, hostnames)


def default_jobs() -> int:
    """Workers for a build: GOVNET_BUILD_JOBS when set, else the usable cores (at most MAX_JOBS)."""
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{JOBS_VARIABLE}={configured!r} is not a number of workers; set a whole number from 1, or unset it")
        return int(configured)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_JOBS))


class DeviceFiles:
    """Every device's files, started on creation (in forked workers when worth it); result() collects them."""

    def __init__(self, states: Mapping[str, State], jobs: int | None = None) -> None:
        global _shared  # pylint: disable=global-statement
        self._states = states
        self._hostnames = sorted(states)
        if jobs is None:
            jobs = default_jobs() if len(self._hostnames) >= PARALLEL_FROM else 1
        self._pool = None
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            _shared = states
            self._pool = multiprocessing.get_context("fork").Pool(jobs)
            shares = jobs * SHARES_PER_JOB
            self._pending = self._pool.map_async(_work, [self._hostnames[start::shares] for start in range(shares)])

    def result(self) -> dict[str, bytes]:
        """The files, keyed by path inside the build directory; a worker's error is raised here."""
        if self._pool is None:
            return files_of(self._states, self._hostnames)
        files: dict[str, bytes] = {}
        for part in self._pending.get(timeout=WAIT_LIMIT):
            files.update(part)
        return files

    def __enter__(self) -> "DeviceFiles":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        global _shared  # pylint: disable=global-statement
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
        _shared = {}
