"""The build directory is replaced whole, only when something differs, and never touched by a failed build."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import GOLDEN, SMALL, check_golden

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import pipeline as build_module
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.dest import MARKER, MARKER_TEXT, BuildDestinationError, sweep, turn
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.manifest import MANIFEST


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    dest = tmp_path_factory.mktemp("reference") / "build"
    build(SMALL, dest)
    return dest, tree(dest)


def copy(reference: dict[str, bytes], dest: Path) -> None:
    for name, content in reference.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(content)


@pytest.mark.parametrize("damage", ["edited", "stale", "missing", "same"])
def test_any_difference_replaces_the_build_and_none_leaves_it(tmp_path: Path, built: tuple[Path, dict[str, bytes]], damage: str) -> None:
    _, reference = built
    dest = tmp_path / "build"
    copy(reference, dest)
    victim = dest / "plan" / sorted(name for name in reference if name.startswith("plan/"))[0].split("/")[1]
    if damage == "edited":
        victim.write_bytes(victim.read_bytes().replace(b"hostname", b"hostnamE", 1))
    elif damage == "stale":
        (dest / "configs" / "left-over.cfg").write_text("from an older build\n")
    elif damage == "missing":
        victim.unlink()
    inode = dest.stat().st_ino
    assert build(SMALL, dest, check=True).changed == (damage != "same")
    result = build(SMALL, dest)
    assert result.changed == (damage != "same") and result.files == len(reference)
    assert tree(dest) == reference
    assert (dest.stat().st_ino == inode) == (damage == "same"), "an unchanged build must leave the directory itself alone"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".build.lock", "build"], "no staging folder is left behind (the lock file stays)"


def test_a_failure_while_making_files_leaves_the_build_and_no_staging(
    tmp_path: Path, built: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, reference = built
    dest = tmp_path / "build"
    copy(reference, dest)

    def broken(*_args: object) -> dict[str, bytes]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "network_documents", broken)
    with pytest.raises(OSError, match="No space left"):
        build(SMALL, dest)
    assert tree(dest) == reference
    assert sorted(path.name for path in tmp_path.iterdir()) == [".build.lock", "build"]


def refusal(given: Path, tmp_path: Path) -> str:
    """The build's error for a destination, with the test's folder written as TMP (for the golden file)."""
    with pytest.raises(BuildDestinationError) as raised:
        build(SMALL, given)
    return str(raised.value).replace(str(tmp_path), "TMP") + "\n"


@pytest.mark.golden
@pytest.mark.parametrize("case", ["file", "folder", "link", "dangling_link"])
def test_a_destination_that_is_not_a_build_is_refused_and_kept(tmp_path: Path, case: str) -> None:
    given = tmp_path / "out"
    other = tmp_path / "elsewhere"
    if case == "file":
        given.write_text("notes\n")
    elif case == "folder":
        given.mkdir()
        for name in ("thesis.odt", "photos", "plan"):
            (given / name).mkdir() if name != "thesis.odt" else (given / name).write_text("years of work\n")
    else:
        if case == "link":
            other.mkdir()
            (other / "keep.txt").write_text("keep\n")
        given.symlink_to(other)
    before = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    check_golden(GOLDEN / "errors" / f"build_{case}.txt", refusal(given, tmp_path))
    assert {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")} - {".out.lock"} == before


def test_a_previous_build_an_empty_folder_and_a_link_to_a_build_are_built_into(tmp_path: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    _, reference = built
    old_layout = tmp_path / "yesterday"  # a build made before the marker (and the manifest): plan/, docs/, configs/ only
    copy({name: content for name, content in reference.items() if name not in (MARKER, MANIFEST)}, old_layout)
    empty = tmp_path / "empty"
    empty.mkdir()
    linked = tmp_path / "current"
    linked.symlink_to(old_layout)
    for dest in (old_layout, empty, linked):
        build(SMALL, dest)
        assert tree(dest) == reference
    assert linked.is_symlink() and (old_layout / MARKER).read_bytes() == MARKER_TEXT


def test_the_projects_own_outputs_do_not_make_a_folder_foreign(tmp_path: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    """make report / rollout-plan / compliance before any build, or beside yesterday's build: the build replaces them."""
    _, reference = built
    only_reports = tmp_path / "reports-first"
    copy({"reports/calls.md": b"calls\n", "rollout/lab/plan.md": b"plan\n"}, only_reports)
    beside = tmp_path / "yesterday"
    copy({**{name: content for name, content in reference.items() if name not in (MARKER, MANIFEST)}, "compliance/lab/compliance.md": b"ok\n"}, beside)
    for dest in (only_reports, beside):
        build(SMALL, dest)
        assert tree(dest) == reference


def test_a_killed_builds_leftovers_are_swept_and_a_running_ones_kept(tmp_path: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    _, reference = built
    dest = tmp_path / "build"
    copy(reference, dest)
    dead = subprocess.Popen(["true"])  # a process id that has ended
    dead.wait(timeout=30)
    for name in (f".build.new-{dead.pid}-x1", f".build.old-{dead.pid}-x2", f".build.new-{os.getppid()}-alive"):
        (tmp_path / name / "plan").mkdir(parents=True)
    build(SMALL, dest)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".build.lock", f".build.new-{os.getppid()}-alive", "build"]
    assert tree(dest) == reference


def test_a_previous_build_caught_between_two_renames_is_put_back(tmp_path: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    _, reference = built
    dead = subprocess.Popen(["true"])  # a process id that has ended
    dead.wait(timeout=30)
    copy(reference, tmp_path / f".build.old-{dead.pid}-x" / "build")
    build(SMALL, tmp_path / "build", check=True)
    sweep(tmp_path / "build")
    assert tree(tmp_path / "build") == reference
    assert sorted(path.name for path in tmp_path.iterdir()) == ["build"]


def test_a_build_waits_for_another_into_the_same_place_within_a_bound(tmp_path: Path) -> None:
    dest = tmp_path / "build"
    with turn(dest):
        with pytest.raises(BuildDestinationError) as raised, turn(dest, wait=0.2):
            pass  # pragma: no cover - the lock is never had
    assert str(raised.value).replace(str(tmp_path), "TMP") == (
        f"The build directory TMP/build is being built by another build (process {os.getpid()}), which did not finish within 0 s. "
        "Hint: wait for it to end or stop it, then build again; its lock is TMP/.build.lock"
    )


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_build_leaves_no_staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    def interrupted(*_args: object) -> dict[str, bytes]:
        os.kill(os.getpid(), number)
        raise AssertionError("the signal should have stopped the build")  # pragma: no cover

    monkeypatch.setattr(build_module, "network_documents", interrupted)
    caught: list[int] = []
    previous = signal.signal(number, lambda got, _frame: caught.append(got))
    try:
        with pytest.raises(SystemExit):
            build(SMALL, tmp_path / "build")
    finally:
        signal.signal(number, previous)
    assert caught == [number], "the signal reaches the handler there was before the build"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".build.lock"]
