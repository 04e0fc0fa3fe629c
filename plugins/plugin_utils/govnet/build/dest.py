"""Where a build goes: only into a previous build or a new or empty folder, one build at a time, no debris.

A build replaces its whole directory, so it must not take a folder that holds anything else: a build
directory carries a marker file (MARKER), and a destination that is neither absent, empty, a previous build
(with the marker, or in the layout builds had before the marker) nor a link to one of those is refused.
Builds into one destination take turns (a lock file beside it, waited for within LOCK_WAIT). The staging
folder of a build is named after its process, so the next build removes what a killed one left behind
without touching a running one's. SIGTERM and SIGINT during a build remove the staging folder before the
signal takes its usual course.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import Iterator, Optional

# The marker file of a build directory and its one line (deterministic: it is part of the build's bytes).
MARKER = ".govnet-build"
MARKER_TEXT = b"ega.govnet build directory, format 1\n"
# A folder written by a build from before the marker: only these top-level folders, with plan/ and docs/.
OLD_LAYOUT = frozenset(("configs", "docs", "lab", "plan"))
OLD_LAYOUT_NEEDS = frozenset(("docs", "plan"))
# What the project's other commands write into the build directory (the rollout, the call report, compliance and the
# printed guides): a folder holding only these, or a build beside them, is the project's own (a build replaces them).
OUTPUTS = frozenset(("compliance", "guides-pdf", "reports", "rollout"))
# The longest a build waits for another build into the same destination, in seconds.
LOCK_WAIT = 600.0
# Signals that interrupt a build cleanly (staging removed), then take their usual course.
INTERRUPTS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
HINT_KEEP = "a build replaces its whole directory, so it writes only into a new or empty folder or a previous build"


class BuildDestinationError(Exception):
    """The destination cannot take a build (not a build, or another build holds it for too long)."""


class Interrupted(BaseException):
    """A signal arrived during a build; raised to unwind (and clean up), then the signal is delivered again."""

    def __init__(self, number: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(number).name}")
        self.number = number


def _listing(folder: Path) -> str:
    names = sorted(os.listdir(folder))
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return f"{len(names)} entr{'y' if len(names) == 1 else 'ies'} ({shown})"


def is_build(folder: Path) -> bool:
    """True for an empty folder or a previous build: the marker, or the layout of a build made before it."""
    names = set(os.listdir(folder))
    if not names:
        return True
    marker = folder / MARKER
    if marker.is_file() and not marker.is_symlink():
        return marker.read_bytes().startswith(MARKER_TEXT.split(b",", 1)[0])
    if not all((folder / name).is_dir() and not (folder / name).is_symlink() for name in names):
        return False
    return names <= OUTPUTS or (names <= OLD_LAYOUT | OUTPUTS and OLD_LAYOUT_NEEDS <= names)


def _refuse(dest: Path, what: str, hint: str) -> BuildDestinationError:
    return BuildDestinationError(f"The build directory {dest} {what}; {HINT_KEEP} (one holding {MARKER}). Hint: {hint}.")


def destination(given: str | Path) -> Path:
    """The folder a build replaces (a link to a build is followed); BuildDestinationError when it is not a build."""
    dest = Path(os.path.abspath(given))
    if dest.is_symlink():
        target = dest.resolve()
        if not target.is_dir() or not is_build(target):
            state = "does not exist" if not target.exists() else "is not a build"
            return_hint = "point govnet_build_dir at the build folder itself, or remove the link"
            raise _refuse(dest, f"is a symbolic link to {target}, which {state}", return_hint)
        return target
    if not dest.exists():
        return dest
    if not dest.is_dir():
        kind = "a file" if dest.is_file() else "not a folder (a device, socket or pipe)"
        raise _refuse(dest, f"is {kind}, not a folder", "move it away, or set govnet_build_dir to another path")
    if not is_build(dest):
        raise _refuse(
            dest,
            f"is a folder that is not a build: it holds {_listing(dest)} and no {MARKER}",
            "set govnet_build_dir to a new or empty folder, or empty this one if nothing in it is needed",
        )
    return dest


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _leftovers(dest: Path) -> Iterator[tuple[Path, str]]:
    """The staging and retired folders of builds into dest whose process is gone, with their kind (new, old)."""
    pattern = re.compile(rf"\.{re.escape(dest.name)}\.(new|old)-(\d+)-")
    for entry in dest.parent.iterdir():
        found = pattern.match(entry.name)
        if found and entry.is_dir() and not entry.is_symlink() and not _alive(int(found.group(2))):
            yield entry, found.group(1)


def sweep(dest: Path) -> None:
    """Remove what killed builds into dest left; a previous build caught between two renames is put back."""
    for folder, kind in sorted(_leftovers(dest), key=lambda item: item[1] != "old"):
        if kind == "old" and (folder / dest.name).is_dir() and not os.path.lexists(dest):
            os.rename(folder / dest.name, dest)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def turn(dest: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold dest's lock (a file beside it, holding the holder's process id) for the block; wait at most `wait` s."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock = dest.parent / f".{dest.name}.lock"
    handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        pause = 0.01
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:  # flock has no timeout of its own: polled, backing off to 0.5 s
                holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "unknown"
                raise BuildDestinationError(
                    f"The build directory {dest} is being built by another build (process {holder}), "
                    f"which did not finish within {wait:.0f} s. Hint: wait for it to end or stop it, then build again; its lock is {lock}"
                )
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.5)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # releases the lock; the empty lock file stays (removing it would race the next build)


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGTERM, SIGINT and SIGHUP into Interrupted inside the block (so cleanup runs), then deliver them as before.

    Only in the main thread (where Python runs signal handlers); elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, _frame: Optional[FrameType]) -> None:
        raise Interrupted(number)

    before = {number: signal.getsignal(number) for number in INTERRUPTS}
    for number, handler in before.items():
        if handler is not signal.SIG_IGN:
            signal.signal(number, stop)
    try:
        yield
    except Interrupted as interruption:
        _restore(before)
        os.kill(os.getpid(), interruption.number)  # the handler there was before (Ansible's, Python's, the default)
        raise SystemExit(128 + interruption.number) from None
    finally:
        _restore(before)


def _restore(handlers: dict[int, object]) -> None:
    for number, handler in handlers.items():
        signal.signal(number, handler)  # type: ignore[arg-type]


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back the interrupting signals while a cleanup runs, so it is not cut short; they arrive after."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class Staging:
    """A fresh folder beside dest (named after this process) to write a build into; swap() puts it in dest's
    place, else it is removed."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.folder = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-{os.getpid()}-", dir=dest.parent))
        os.chmod(self.folder, 0o755)

    def swap(self) -> None:
        """Put the staged build in dest's place; on failure dest is as it was."""
        dest = self.dest
        with _signals_held():
            retired = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-{os.getpid()}-", dir=dest.parent))
            try:
                if dest.exists():
                    os.rename(dest, retired / dest.name)
                os.rename(self.folder, dest)
            except BaseException:
                if (retired / dest.name).exists() and not dest.exists():
                    os.rename(retired / dest.name, dest)
                raise
            finally:
                shutil.rmtree(retired, ignore_errors=True)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _trace: TracebackType | None) -> None:
        with _signals_held():
            shutil.rmtree(self.folder, ignore_errors=True)  # gone already when swapped in
