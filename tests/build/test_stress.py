"""Many builds on a loaded machine, some at once, some killed mid-way: each ends within a bound, none leaves debris.

Every build runs in a child process of its own (its own process group) with a bound: a library build dumps
its stack (faulthandler) and exits when it passes the bound, and the playbook's stack is read from /proc, so
a hang fails the test with the place it hangs. Every finished build is byte for byte the reference build;
after a killed one, the destination holds the previous build or the new one, and the next build into it
sweeps what the killed one left. No process of any build outlives it. Kill points are random but seeded.
The numbers and what the test found are in docs/build-stress.md.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SMALL

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build

pytestmark = pytest.mark.slow

BOUND = 60  # seconds a build may take on this loaded 2-core machine before it counts as hung
SEED = 13
# A library build with forked workers even for the small fixture (three of them), its stack dumped at the bound.
CHILD = """
import faulthandler, sys
faulthandler.dump_traceback_later({bound}, exit=True)
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import parts as build_parts
build_parts.PARALLEL_FROM = 1
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build
build(sys.argv[1], sys.argv[2])
"""
BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def library_build(inventory: Path, dest: Path) -> subprocess.Popen:
    env = {**os.environ, "GOVNET_BUILD_JOBS": "3", "PYTHONPATH": str(ROOT / "collections")}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD.format(bound=BOUND), str(inventory), str(dest)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )


def playbook_build(dest: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventories/govnet", "playbooks/build.yml", "-e", f"govnet_build_dir={dest}"]
    env = {**os.environ, "ANSIBLE_FORCE_COLOR": "0"}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


def stacks(pgid: int) -> str:
    """Where each process of a hung build waits (kernel stack), for the failure message."""
    lines = []
    for pid in group(pgid):
        try:
            lines.append(f"{pid} {(Path('/proc') / str(pid) / 'cmdline').read_bytes()[:80]!r}\n{(Path('/proc') / str(pid) / 'stack').read_text()}")
        except OSError:
            lines.append(f"{pid}: (gone)")
    return "\n".join(lines)


def finish(process: subprocess.Popen, what: str) -> tuple[int, str]:
    """The exit code and output of a build within the bound; a hang fails the test with the build's stacks."""
    try:
        output, _ = process.communicate(timeout=BOUND + 15)
    except subprocess.TimeoutExpired:
        where = stacks(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=30)
        pytest.fail(f"{what} hung:\n{output.decode(errors='replace')[-3000:]}\n{where}")
    return process.returncode, output.decode(errors="replace")


def no_process_left(process: subprocess.Popen, what: str) -> None:
    """No process of the build's group is left (the kernel ends killed workers; allow it a bounded moment)."""
    deadline = time.monotonic() + 10
    while group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # no notification exists for "a process group is empty": polled, bounded
    assert not group(process.pid), f"{what} left processes behind:\n{stacks(process.pid)}"


def no_staging(folder: Path) -> None:
    left = sorted(path.name for path in folder.iterdir() if ".new-" in path.name or ".old-" in path.name)
    assert not left, f"staging left behind: {left}"


def ok(process: subprocess.Popen, what: str) -> str:
    code, output = finish(process, what)
    assert code == 0, f"{what} failed ({code}):\n{output[-3000:]}"
    no_process_left(process, what)
    return output


class Burners:
    """CPU-bound processes beside some builds; they stop by themselves after their bound."""

    def __init__(self, count: int, seconds: float) -> None:
        self.processes = [subprocess.Popen([sys.executable, "-c", BURN.format(seconds=seconds)]) for _ in range(count)]

    def __enter__(self) -> "Burners":
        return self

    def __exit__(self, *_exc: object) -> None:
        for burner in self.processes:
            burner.kill()
            burner.wait(timeout=30)


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("reference")
    build(SMALL, folder / "small")
    return {"small": tree(folder / "small")}


def test_builds_beside_load_and_each_other_finish_byte_identical(tmp_path: Path, references: dict[str, dict[str, bytes]]) -> None:
    reference = references["small"]
    with Burners(2, BOUND):
        for run in range(6):  # one at a time beside two CPU-bound processes
            ok(library_build(SMALL, tmp_path / f"alone-{run}"), f"library build {run} beside load")
            assert tree(tmp_path / f"alone-{run}") == reference
        for run in range(4):  # three at once: two into the same place (they take turns), one elsewhere
            dests = [tmp_path / "shared", tmp_path / "shared", tmp_path / f"other-{run}"]
            builds = [library_build(SMALL, dest) for dest in dests]
            for index, process in enumerate(builds):
                ok(process, f"concurrent build {run}.{index}")
            for dest in dests:
                assert tree(dest) == reference
    no_staging(tmp_path)


def test_killed_builds_leave_the_previous_or_the_new_build_and_no_debris(tmp_path: Path, references: dict[str, dict[str, bytes]]) -> None:
    reference = references["small"]
    chosen = random.Random(SEED)
    dest = tmp_path / "build"
    ok(library_build(SMALL, dest), "first build")
    killed = []
    with Burners(1, BOUND):
        for run in range(10):
            victim = dest / "plan" / "tba-ce1.yml"  # a difference, so the build writes staging and swaps
            victim.write_bytes(victim.read_bytes() + b"# edited\n")
            damaged = tree(dest)
            process = library_build(SMALL, dest)
            how = chosen.choice(["SIGTERM", "SIGKILL", "SIGINT", "worker SIGKILL"])
            try:
                process.wait(timeout=chosen.uniform(0.05, 0.6))  # the kill point (a build ends sooner: not killed)
            except subprocess.TimeoutExpired:
                killed.append(how)
                if how == "worker SIGKILL":
                    workers = [pid for pid in group(process.pid) if pid != process.pid]
                    for pid in workers[:1]:
                        os.kill(pid, signal.SIGKILL)
                else:
                    os.kill(process.pid, getattr(signal, how))
            code, _output = finish(process, f"killed build {run} ({how})")
            no_process_left(process, f"killed build {run} ({how})")
            assert tree(dest) in (damaged, reference), f"killed build {run} ({how}, exit {code}) changed the build partly"
            ok(library_build(SMALL, dest), f"the build after killed build {run}")
            assert tree(dest) == reference
            no_staging(tmp_path)
    print(f"killed {len(killed)} of 10 builds mid-way: {', '.join(sorted(killed))}")  # shown with pytest -s


def test_playbook_builds_three_at_once_beside_load(tmp_path: Path) -> None:
    """The reviewer's case: the shipped registry, three ansible-playbook builds at once, two CPU-bound processes."""
    ok(playbook_build(tmp_path / "alone"), "playbook build alone")
    reference = tree(tmp_path / "alone")
    with Burners(2, BOUND):
        dests = [tmp_path / f"play-{index}" for index in range(3)]
        builds = [playbook_build(dest) for dest in dests]
        for index, process in enumerate(builds):
            ok(process, f"playbook build {index}")
    for dest in dests:
        assert tree(dest) == reference
    no_staging(tmp_path)


def test_a_build_into_a_regular_file_fails_cleanly_and_at_once(tmp_path: Path) -> None:
    """Before the marker, workers failed on the file and the pool's terminate() waited forever, every time."""
    target = tmp_path / "notes.txt"
    target.write_text("keep\n")
    process = playbook_build(target)
    code, output = finish(process, "playbook build into a regular file")
    assert code != 0 and f"The build directory {target} is a file, not a folder;" in output, output[-3000:]
    assert "Traceback" not in output
    no_process_left(process, "playbook build into a regular file")
    assert target.read_text() == "keep\n" and sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
