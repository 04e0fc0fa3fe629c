"""The parts of a build that belong to one device or one institution, spread over the machine's cores.

A device's files (plan YAML, rendered configuration) and an institution's own documents (its page and
dialling guides) depend only on the whole network computed before them. So devices and institutions are
shared out among forked workers, which inherit that network, and the parts are merged. The bytes are the
same whatever the number of workers; the parent meanwhile writes the documents about the whole network.

The workers are plain forks, each handing its one share back through a pipe of its own, rather than a
multiprocessing pool: a pool's workers share a task queue guarded by a lock, and a worker killed while
holding it (Ansible's worker process forwards SIGTERM to its process group) leaves the others, and the
pool's terminate(), waiting on it forever. Here nothing is shared between workers, every wait has a
deadline, workers start with the default signal handling and die with their parent, and a worker that does
not end in time is killed.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import selectors
import signal
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Callable, Mapping, Optional

from ..design.intended import State
from ..publish.documents import Pages, institution_documents
from ..platforms.registry import render_all
from ..core.yamlout import dump

# Below this many devices one process is quicker than starting workers (unless jobs are asked for).
PARALLEL_FROM = 400
# Workers for a build; default: the cores this process may use, at most MAX_JOBS.
JOBS_VARIABLE = "GOVNET_BUILD_JOBS"
MAX_JOBS = 8
# The longest a build waits for its workers, in seconds.
WAIT_LIMIT = 1800
# The longest a killed worker is waited for (SIGKILL cannot be caught; only a stuck file system delays it).
KILL_WAIT = 10
# Signals whose handling a worker does not inherit: Ansible's (SIGTERM, SIGINT) or the build's own.
PLAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD, signal.SIGPIPE, signal.SIGALRM)
_PR_SET_PDEATHSIG = 1

Share = tuple[list[str], list[str]]  # hostnames, institution slugs
# What is done with a part's files where they are made (kept, or compared and written to disk); its result
# is what travels back from a worker.
Sink = Callable[[dict[str, bytes]], Any]


class BuildWorkerError(RuntimeError):
    """A worker ended without handing back its part, or the workers did not finish in time."""


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


def default_jobs() -> int:
    """Workers for a build: GOVNET_BUILD_JOBS when set, else the usable cores (at most MAX_JOBS)."""
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{JOBS_VARIABLE}={configured!r} is not a number of workers; set a whole number from 1, or unset it")
        return int(configured)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_JOBS))


@dataclass
class _Worker:
    """A forked worker: its process, the pipe its part comes back on, what has arrived so far."""

    pid: int
    reader: int
    exited: Optional[int] = None  # os.waitstatus_to_exitcode once reaped
    chunks: list[bytes] = field(default_factory=list)


def _plain_signals() -> None:
    """Default handling for the signals a worker would otherwise inherit from Ansible or the build."""
    for number in PLAIN_SIGNALS:
        signal.signal(number, signal.SIG_DFL)


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux), so no worker outlives a killed build."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the worker ends when its part cannot be handed back
        pass
    if os.getppid() != parent:
        os._exit(1)


def _portable(error: BaseException) -> BaseException:
    """The worker's error as it can travel through a pipe (its own type when that pickles)."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # pylint: disable=broad-except  # any unpicklable error is described instead
        return BuildWorkerError(f"{type(error).__name__}: {error}")


def _serve(writer: int, sink: Sink, states: Mapping[str, State], pages: Pages, share: Share) -> None:
    """In the forked worker: make the share, hand the sink's result (or the error) back, and exit; never returns."""
    code = 1
    try:
        _plain_signals()
        try:
            outcome: tuple[bool, Any] = (True, sink(part(states, pages, share)))
        except Exception as error:  # pylint: disable=broad-except  # raised again in the parent
            outcome = (False, _portable(error))
        with os.fdopen(writer, "wb") as stream:
            stream.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)  # no return into the parent's stack, no parent's exit handlers


def _await_end(pid: int, deadline: float) -> None:
    """Wait until the process has ended or the deadline has passed (a pidfd on Linux, else polled)."""
    if hasattr(os, "pidfd_open"):
        handle = os.pidfd_open(pid)
        try:
            select.select([handle], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(handle)
        return
    while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):  # pragma: no cover - not Linux
        time.sleep(0.01)


def _describe(status: Optional[int]) -> str:
    if status is None:
        return "ended"
    if status < 0:
        return f"was killed by signal {-status} ({signal.strsignal(-status)})"
    return f"exited with status {status}"


class BuildParts:
    """Every device's files and every institution's own documents, started on creation (in forked workers when
    worth it) and handed to the sink where they are made; result() collects what the sink gave back."""

    def __init__(self, states: Mapping[str, State], pages: Pages, jobs: int | None = None, sink: Sink = keep) -> None:
        self._states = states
        self._pages = pages
        self._sink = sink
        self._all: Share = (sorted(states), sorted(pages.plans))
        if jobs is None:
            jobs = default_jobs() if len(states) >= PARALLEL_FROM else 1
        self._workers: list[_Worker] = []
        if jobs > 1:
            hostnames, slugs = self._all
            for start in range(jobs):
                self._workers.append(self._fork((hostnames[start::jobs], slugs[start::jobs])))

    def _fork(self, share: Share) -> _Worker:
        reader, writer = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                os.close(reader)
                for earlier in self._workers:
                    os.close(earlier.reader)
                _die_with(parent)
            finally:
                _serve(writer, self._sink, self._states, self._pages, share)
        os.close(writer)
        return _Worker(pid, reader)

    def result(self) -> list[Any]:
        """The sink's result for each share of the work; a worker's error is raised here."""
        if not self._workers:
            return [self._sink(part(self._states, self._pages, self._all))]
        deadline = time.monotonic() + WAIT_LIMIT
        self._receive(deadline)
        results = []
        for worker in self._workers:
            self._reap(worker, deadline)
            try:
                handed, value = pickle.loads(b"".join(worker.chunks))
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
                raise BuildWorkerError(
                    f"A build worker (process {worker.pid}) {_describe(worker.exited)} before it handed back its part of the build. "
                    "Hint: something stopped it from outside (out of memory, or a signal); nothing was replaced, run the build again"
                ) from error
            if not handed:
                raise value
            results.append(value)
        return results

    def _receive(self, deadline: float) -> None:
        """Read every worker's pipe to its end, until the deadline."""
        with selectors.DefaultSelector() as waiting:
            for worker in self._workers:
                waiting.register(worker.reader, selectors.EVENT_READ, worker)
            while waiting.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BuildWorkerError(
                        f"The build's {len(self._workers)} workers did not finish within {WAIT_LIMIT} s. "
                        f"Hint: the machine may be overloaded; nothing was replaced; set {JOBS_VARIABLE}=1 to build in one process"
                    )
                for key, _events in waiting.select(left):
                    chunk = os.read(key.fd, 1 << 20)
                    if chunk:
                        key.data.chunks.append(chunk)
                    else:
                        waiting.unregister(key.fd)

    @staticmethod
    def _reap(worker: _Worker, deadline: float) -> None:
        """Wait for the worker's end until the deadline; its exit status is kept (None while it runs)."""
        if worker.exited is not None:
            return
        try:
            _await_end(worker.pid, deadline)
            pid, status = os.waitpid(worker.pid, os.WNOHANG)
        except (ProcessLookupError, ChildProcessError):  # reaped by someone else (SIGCHLD ignored): its pipe tells
            worker.exited = 0
            return
        if pid:
            worker.exited = os.waitstatus_to_exitcode(status)

    def __enter__(self) -> "BuildParts":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _trace: TracebackType | None) -> None:
        """Kill the workers that are still running (after an error or an interruption) and reap them, bounded."""
        for worker in self._workers:
            if worker.exited is None:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + KILL_WAIT
        for worker in self._workers:
            self._reap(worker, deadline)
            os.close(worker.reader)
        self._workers = []
