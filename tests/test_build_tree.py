"""The build directory is replaced whole, only when something differs, and never touched by a failed build."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet import build as build_module
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import build


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
