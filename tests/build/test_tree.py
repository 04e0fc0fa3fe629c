"""The build directory on disk (build/tree.py): files written once, parts compared with the old build, unchanged
parts linked instead of rewritten, and whether a build changed at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.tree import Compare, Written, changed, link_same, present, write_files

OLD = {"configs/a.cfg": b"hostname a\n", "configs/b.cfg": b"hostname b\n", "plan/a.yml": b"role: ce_router\n"}


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "build"
    write_files(OLD, folder)
    return folder


def test_write_files_makes_the_folders_and_never_overwrites(tmp_path: Path) -> None:
    write_files({"x/y/z.txt": b"z", "top.txt": b"", "x/w.txt": b"w" * 100_000}, tmp_path)
    assert (tmp_path / "x" / "y" / "z.txt").read_bytes() == b"z" and (tmp_path / "top.txt").read_bytes() == b""
    assert (tmp_path / "x" / "w.txt").stat().st_size == 100_000
    with pytest.raises(FileExistsError):  # a build never changes a file in place
        write_files({"top.txt": b"again"}, tmp_path)


def test_present_lists_every_file_relative_to_the_folder(dest: Path) -> None:
    assert present(dest) == set(OLD)
    assert present(dest / "missing") == set()


def test_a_part_equal_to_the_old_build_is_not_written(dest: Path, tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    part = Compare(dest, staging)({"configs/a.cfg": OLD["configs/a.cfg"]})
    assert part == Written(("configs/a.cfg",), True)
    assert not staging.exists()


def test_a_differing_part_is_written_whole_into_staging(dest: Path, tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    files = {"configs/a.cfg": OLD["configs/a.cfg"], "configs/b.cfg": b"hostname b2\n"}
    part = Compare(dest, staging)(files)
    assert part == Written(("configs/a.cfg", "configs/b.cfg"), False)
    assert present(staging) == set(files) and (staging / "configs" / "b.cfg").read_bytes() == b"hostname b2\n"


def test_without_staging_a_part_is_only_compared(dest: Path) -> None:
    assert not Compare(dest, None)({"configs/new.cfg": b"new"}).same
    assert "configs/new.cfg" not in present(dest)


def test_unchanged_parts_are_linked_from_the_old_build(dest: Path, tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    parts = [Written(("configs/a.cfg", "plan/a.yml"), True), Written(("configs/b.cfg",), False)]
    link_same(parts, dest, staging)
    assert present(staging) == {"configs/a.cfg", "plan/a.yml"}
    assert os.stat(staging / "configs" / "a.cfg").st_ino == os.stat(dest / "configs" / "a.cfg").st_ino


def test_changed_only_when_the_files_or_their_bytes_differ(dest: Path, tmp_path: Path) -> None:
    same = [Written(tuple(OLD), True)]
    assert not changed(same, dest)
    assert changed([Written(tuple(OLD), False)], dest), "a part with other bytes"
    assert changed([Written(("configs/a.cfg", "configs/b.cfg"), True)], dest), "a file of the old build is gone"
    assert changed(same, tmp_path / "no-build-yet")
