#!/usr/bin/env python3
"""Run the build playbook many times on a loaded machine and count the runs that hang.

    python hacking/build_stress.py [--root CHECKOUT] [--runs 12] [--together 3] [--burners 2] [--timeout 60]

Each round starts `--together` builds of the shipped registry at once (each into its own folder) beside
`--burners` CPU-bound processes, which stop by themselves after the round's bound. A build that does not
finish within `--timeout` seconds counts as hung and is killed with its process group. Prints one line per
round and a summary; exit status 1 when any build hung or failed. `--root` runs another checkout (e.g. an
older revision unpacked with `git archive`), with this checkout's virtual environment.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


def start_build(root: Path, dest: Path) -> subprocess.Popen:
    """The build playbook of the shipped registry into dest, in a process group of its own."""
    command = [str(HERE / ".venv" / "bin" / "ansible-playbook"), "-i", "inventories/govnet", "playbooks/build.yml", "-e", f"govnet_build_dir={dest}"]
    return subprocess.Popen(
        command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env={**os.environ, "ANSIBLE_FORCE_COLOR": "0"}
    )


def finish(process: subprocess.Popen, deadline: float) -> str:
    """'ok', 'failed' or 'hung' (then the whole process group is killed)."""
    try:
        code = process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return "hung"
    return "ok" if code == 0 else "failed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", type=Path, default=HERE)
    parser.add_argument("--runs", type=int, default=12, help="rounds")
    parser.add_argument("--together", type=int, default=3, help="builds at once per round")
    parser.add_argument("--burners", type=int, default=2, help="CPU-bound processes beside each round")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a build counts as hung")
    args = parser.parse_args()
    counts = {"ok": 0, "failed": 0, "hung": 0}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="govnet-stress-") as scratch:
        for run in range(args.runs):
            burners = [subprocess.Popen([sys.executable, "-c", BURN.format(seconds=args.timeout)]) for _ in range(args.burners)]
            deadline = time.monotonic() + args.timeout
            builds = [start_build(args.root.resolve(), Path(scratch) / f"b{run}-{index}") for index in range(args.together)]
            outcomes = [finish(build, deadline) for build in builds]
            for burner in burners:
                burner.kill()
                burner.wait(timeout=30)
            for outcome in outcomes:
                counts[outcome] += 1
            print(f"round {run + 1}: {' '.join(outcomes)}", flush=True)
    total = sum(counts.values())
    print(f"{total} builds in {time.monotonic() - started:.0f} s: {counts['ok']} ok, {counts['failed']} failed, {counts['hung']} hung")
    return 0 if counts["ok"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
