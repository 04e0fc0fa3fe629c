"""The collection as shipped: build the tarball, install it offline, build GovNet from the installed copy.

The installed collection, run from outside the checkout with no project configuration, must render
exactly (same files, same bytes) what the checkout renders with the project's own ansible.cfg.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

# Took 13 s on the 2-core machine with the first real build.yml: not marked slow. Mark it
# (pytestmark = pytest.mark.slow) once it takes more than 20 s.

REPO = Path(__file__).resolve().parent.parent
# The venv's own tools: the bin dir of the interpreter running the tests (not resolved: a venv's python
# is a symlink to the base interpreter, whose bin dir has no ansible).
BIN = Path(sys.executable).parent
TIMEOUT = 1800  # seconds, per command

# Paths that must never be shipped in the tarball (relative to the collection root).
NOT_SHIPPED = ("collections", ".venv", "build", ".tree", ".ci", ".git")


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment without any ANSIBLE_* or PYTHONPATH that the caller (make, a shell) may have set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_") and k != "PYTHONPATH"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_LOCAL_TEMP"] = str(tmp_path / "ansible-tmp")
    env["ANSIBLE_NOCOLOR"] = "1"
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, (
        f"command failed with exit code {proc.returncode}: {' '.join(args)}\n(cwd {cwd})\n"
        f"--- stdout ---\n{proc.stdout[-20000:]}\n--- stderr ---\n{proc.stderr[-20000:]}"
    )
    return proc


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> content; a symlink -> its target), not following symlinks."""
    found: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in filenames + [d for d in dirnames if (here / d).is_symlink()]:
            path = here / name
            rel = path.relative_to(root).as_posix()
            found[rel] = b"symlink -> " + os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return found


def test_installed_tarball_builds_the_same_as_the_checkout(tmp_path: Path) -> None:
    assert (REPO / "playbooks" / "build.yml").is_file(), f"{REPO}/playbooks/build.yml is missing"
    for tool in ("ansible-galaxy", "ansible-playbook"):
        assert (BIN / tool).exists(), f"{tool} not found beside {sys.executable}: run the tests from the venv"

    # Configuration that is nothing of the repo's: an empty file outside the checkout.
    empty_cfg = tmp_path / "empty-ansible.cfg"
    empty_cfg.write_text("")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    collections = tmp_path / "collections"
    dist = tmp_path / "dist"

    # 1. Build the tarball from the checkout.
    env = _clean_env(tmp_path, ANSIBLE_CONFIG=str(empty_cfg))
    _run([str(BIN / "ansible-galaxy"), "collection", "build", str(REPO), "--output-path", str(dist)], outside, env)
    tarballs = sorted(dist.glob("ega-govnet-*.tar.gz"))
    assert len(tarballs) == 1, f"expected one ega-govnet tarball in {dist}, found {tarballs}"
    tarball = tarballs[0]

    with tarfile.open(tarball) as tar:
        names = [name.removeprefix("./") for name in tar.getnames()]
    shipped = [n for n in names if n.split("/", 1)[0] in NOT_SHIPPED]
    assert not shipped, f"the tarball ships paths it must not: {shipped[:20]}"
    assert "MANIFEST.json" in names and "playbooks/build.yml" in names, names[:50]

    # 2. Install it offline, without dependencies (the `ansible` bundle provides cisco.ios & co).
    _run(
        [str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "--no-deps", "-p", str(collections), str(tarball)],
        outside,
        env,
    )
    installed = collections / "ansible_collections" / "ega" / "govnet"
    assert (installed / "MANIFEST.json").is_file(), f"not installed at {installed}"

    # 3. Build GovNet with the installed collection, from outside the repo, with no project config.
    out = tmp_path / "out"
    env = _clean_env(tmp_path, ANSIBLE_CONFIG=str(empty_cfg), ANSIBLE_COLLECTIONS_PATH=str(collections))
    _run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            str(installed / "inventories" / "govnet"),
            "ega.govnet.build",
            "-e",
            f"govnet_build_dir={out}",
        ],
        outside,
        env,
    )

    # 4. The same build from the checkout, with the repo's ansible.cfg (found in the working directory).
    ref = tmp_path / "ref"
    _run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            "inventories/govnet",
            "playbooks/build.yml",
            "-e",
            f"govnet_build_dir={ref}",
        ],
        REPO,
        _clean_env(tmp_path),
    )

    # 5. Byte for byte the same, and the same set of files.
    got, want = _tree(out), _tree(ref)
    assert want, f"the checkout's build wrote no files into {ref}"
    assert sorted(got) == sorted(want), (
        f"different files: only from the tarball {sorted(set(got) - set(want))[:20]}, "
        f"only from the checkout {sorted(set(want) - set(got))[:20]}"
    )
    differing = sorted(name for name in want if got[name] != want[name])
    assert not differing, f"{len(differing)} files differ between the tarball build and the checkout build: {differing[:20]}"
