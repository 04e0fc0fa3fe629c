"""The build directory on disk: written whole beside the old one and swapped in, or left alone.

A build is written into a fresh folder beside the build directory and swapped in only when it differs from
the build already there; on any failure the old build stays as it was and the fresh folder is removed. The
workers that make the files compare and write their own part; a part equal to the old build's is not
written again but linked from it (builds never change a file in place), so an unchanged build only reads.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional


def write_files(files: dict[str, bytes], folder: Path) -> None:
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


def _same_file(path: Path, content: bytes) -> bool:
    try:
        return os.stat(path).st_size == len(content) and path.read_bytes() == content
    except FileNotFoundError:
        return False


def present(folder: Path) -> set[str]:
    """The files under folder, as paths relative to it."""
    found: set[str] = set()
    for root, _dirs, names in os.walk(folder):
        prefix = os.path.relpath(root, folder).replace(os.sep, "/")
        found.update(name if prefix == "." else f"{prefix}/{name}" for name in names)
    return found


@dataclass(frozen=True)
class Written:
    """One part of a build: its paths, and whether each equals the file already in the build (then it is not written)."""

    paths: tuple[str, ...]
    same: bool


class Compare:
    """A build part's sink: compares its files with the current build and writes a differing part into staging."""

    def __init__(self, dest: Path, staging: Optional[Path]) -> None:
        self.dest = dest
        self.staging = staging

    def __call__(self, files: dict[str, bytes]) -> Written:
        same = all(_same_file(self.dest / path, content) for path, content in files.items())
        if not same and self.staging is not None:
            write_files(files, self.staging)
        return Written(tuple(files), same)


def link_same(parts: Iterable[Written], dest: Path, staging: Path) -> None:
    """Put the unchanged parts' files into staging as links to the old build's (they have the same bytes)."""
    made: set[str] = set()
    for part in parts:
        if not part.same:
            continue
        for relative in part.paths:
            parent = relative.rpartition("/")[0]
            if parent not in made:
                os.makedirs(staging / parent, exist_ok=True)
                made.add(parent)
            try:
                os.link(dest / relative, staging / relative)
            except OSError:  # a file system without hard links
                shutil.copyfile(dest / relative, staging / relative)


def changed(parts: Iterable[Written], dest: Path) -> bool:
    """True unless dest holds exactly the parts' files, each with the same bytes."""
    paths: set[str] = set()
    same = True
    for part in parts:
        paths.update(part.paths)
        same = same and part.same
    return not same or not dest.is_dir() or paths != present(dest)
