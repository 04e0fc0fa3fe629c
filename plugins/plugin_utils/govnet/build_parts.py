"""The parts of a build that belong to one device or one institution, spread over the machine's cores.

A device's files (plan YAML, rendered configuration) and an institution's own documents (its page and
dialling guides) depend only on the whole network computed before them. So devices and institutions are
shared out among forked workers, which inherit that network (only names travel to them), and the parts are
merged. The bytes are the same whatever the number of workers; the parent meanwhile writes the documents
about the whole network.
"""

from __future__ import annotations

import multiprocessing
import os
from types import TracebackType
from typing import Any, Callable, Mapping, Optional

from .intended import State
from .publish import Pages, institution_documents
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

Share = tuple[list[str], list[str]]  # hostnames, institution slugs
# What is done with a part's files where they are made (kept, or compared and written to disk); its result
# is what travels back from a worker.
Sink = Callable[[dict[str, bytes]], Any]
_shared: Optional[tuple[Mapping[str, State], Pages, Sink]] = None  # what forked workers work from, set before forking


def keep(files: dict[str, bytes]) -> dict[str, bytes]:
    """The sink that hands the files back."""
    return files


def files_of(states: Mapping[str, State], hostnames: list[str]) -> dict[str, bytes]:
    """The plan YAML and rendered files of some devices; renderers still see every state."""
    files = {f"plan/{hostname}.yml": dump(states[hostname]).encode() for hostname in hostnames}
    files.update({path: text.encode() for path, text in render_all(dict(states), set(hostnames)).items()})
    return files


def part(states: Mapping[str, State], pages: Pages, share: Share) -> dict[str, bytes]:
    """Some devices' files and some institutions' documents, keyed by path inside the build directory."""
    hostnames, slugs = share
    files = files_of(states, hostnames)
    files.update({f"docs/{path}": content for path, content in institution_documents(pages, slugs).items()})
    return files


def _work(share: Share) -> Any:
    if _shared is None:
        raise RuntimeError("a build worker started before the network was shared")
    states, pages, sink = _shared
    return sink(part(states, pages, share))


def default_jobs() -> int:
    """Workers for a build: GOVNET_BUILD_JOBS when set, else the usable cores (at most MAX_JOBS)."""
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{JOBS_VARIABLE}={configured!r} is not a number of workers; set a whole number from 1, or unset it")
        return int(configured)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_JOBS))


class BuildParts:
    """Every device's files and every institution's own documents, started on creation (in forked workers when
    worth it) and handed to the sink where they are made; result() collects what the sink gave back."""

    def __init__(self, states: Mapping[str, State], pages: Pages, jobs: int | None = None, sink: Sink = keep) -> None:
        global _shared  # pylint: disable=global-statement
        self._states = states
        self._pages = pages
        self._sink = sink
        self._all: Share = (sorted(states), sorted(pages.plans))
        if jobs is None:
            jobs = default_jobs() if len(states) >= PARALLEL_FROM else 1
        self._pool = None
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            _shared = (states, pages, sink)
            self._pool = multiprocessing.get_context("fork").Pool(jobs)
            count = jobs * SHARES_PER_JOB
            hostnames, slugs = self._all
            shares = [(hostnames[start::count], slugs[start::count]) for start in range(count)]
            self._pending = self._pool.map_async(_work, shares)

    def result(self) -> list[Any]:
        """The sink's result for each share of the work; a worker's error is raised here."""
        if self._pool is None:
            return [self._sink(part(self._states, self._pages, self._all))]
        return list(self._pending.get(timeout=WAIT_LIMIT))

    def __enter__(self) -> "BuildParts":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        global _shared  # pylint: disable=global-statement
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
        _shared = None
