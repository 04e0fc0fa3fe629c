"""Benchmark of the GovNet build: the shipped GovNet and synthetic registries of growing size.

For each registry, each measure in a process of its own (wall time; peak resident memory):

* our stages, in one Python process, in order: validate (read + check), plan (allocate, intended state,
  plan YAML), render (every device configuration), docs (published documents and pictures). Memory is
  the process's high-water mark after the stage (the earlier stages' data is still held);
* the whole build as users run it: ``ansible-playbook playbooks/build.yml`` (Ansible start-up, the
  inventory plugin and writing the files included);
* reference (a), plain Ansible: one ``ansible.builtin.template`` task per host over the same templates
  and the same per-device data, on two samples of hosts; start-up and per-host cost come from the two
  and are extrapolated to every device;
* reference (b), the floor: the same templates rendered with Jinja2 directly, the data already in memory.

Ratios are taken between figures of the same run, so they hold while the machine is shared; absolute
times move with its load (the load average is printed with the table).

Usage: python hacking/bench.py [--sizes 1000 5000 20000] [--out docs/performance.md]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import pipeline as build

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import synthetic  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.allocation import allocate  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.intended import intended_states  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish.documents import documents  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.registry import render_all  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.yamlout import dump  # noqa: E402

SHIPPED = ROOT / "inventories" / "govnet" / "institutions.yml"
BIN = Path(sys.executable).parent
TIMEOUT = 240  # seconds for any one measured process; a slower one is reported as such
SAMPLES = (4, 24)  # hosts in the two plain-Ansible runs
STAGES = ("validate", "plan", "render", "docs")
REPEATS = 2  # runs of render and of the floor, each timed; the best of each is reported
CPU_SECONDS: list[float] = []  # user + system seconds of each command run(), in order


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def contexts(states: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(role, template context) of every ios_xe device: exactly what our renderer hands its templates."""
    return [
        (state["role"], ios_xe.context(state))
        for state in states.values()
        if state.get("platform") == ios_xe.PLATFORM
    ]


def stages(inventory: str) -> dict[str, Any]:
    """Our stages and the floor in this process; figures as a dict."""
    out: dict[str, Any] = {}
    (registry, policy), out["validate"] = timed(lambda: build.validate(inventory))
    out["validate_mb"] = peak_mb()

    def plan() -> tuple[Any, Any, dict[str, bytes]]:
        alloc = allocate(registry, policy)
        states = intended_states(alloc, policy)
        return alloc, states, {hostname: dump(state).encode() for hostname, state in states.items()}

    (alloc, states, plans), out["plan"] = timed(plan)
    out["plan_mb"] = peak_mb()
    gc.freeze()  # as the build does once the network is computed (build.settled)
    views = contexts(states)
    templates = {role: ios_xe.ENV.get_template(f"{role}.j2") for role in {role for role, _view in views}}
    renders, floors = [], []
    for _ in range(REPEATS):  # interleaved, best of each: a ratio should not hang on one noisy moment
        configs, seconds = timed(lambda: render_all(states))
        renders.append(seconds)
        _rendered, seconds = timed(lambda: [templates[role].render(view) for role, view in views])
        floors.append(seconds)
    out["render"], out["floor"] = min(renders), min(floors)
    out["render_mb"] = peak_mb()
    docs, out["docs"] = timed(lambda: documents(alloc, policy))
    out["docs_mb"] = peak_mb()
    out.update(
        devices=len(states),
        ios_xe=len(views),
        institutions=len(registry.institutions),
        files=len(plans) + len(configs) + len(docs),
    )
    return out


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float | None, float | None, str]:
    """Wall seconds and peak MB of a command (None, None when it fails or runs past TIMEOUT), and its output.

    The CPU seconds it used (user + system, its workers included) are kept in CPU_SECONDS[-1]."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        try:
            done = subprocess.run(
                ["/usr/bin/time", "-f", "%U %S %M", "-o", report.name, *command],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, None, f"timed out after {TIMEOUT} s"
        wall = time.perf_counter() - start
        if done.returncode != 0:
            return None, None, done.stdout[-2000:] + done.stderr[-2000:]
        user, system, peak = report.read().split()[-3:]
        CPU_SECONDS.append(float(user) + float(system))
        return wall, int(peak) / 1024, done.stdout


def plain_ansible(inventory: str, work: Path) -> dict[str, Any]:
    """Reference (a): per-host template tasks on two samples; start-up and seconds per host."""
    network = build.plan(inventory)
    views = [(hostname, state) for hostname, state in network.states.items() if state.get("platform") == ios_xe.PLATFORM]
    secrets = {variable: "bench" for variable in network.policy.security["secrets"].values()}
    walls = []
    for count in SAMPLES:
        step = max(1, len(views) // count)
        hosts = {
            hostname: {"govnet_template": str(ios_xe.TEMPLATES / f"{state['role']}.j2"), **ios_xe.context(state)}
            for hostname, state in views[::step][:count]
        }
        folder = work / f"sample{count}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "hosts.json").write_text(json.dumps({"all": {"hosts": hosts, "vars": {"ansible_connection": "local", **secrets}}}))
        (folder / "play.yml").write_text(
            "- hosts: all\n  gather_facts: false\n  tasks:\n"
            "    - ansible.builtin.template: {src: '{{ govnet_template }}', dest: '"
            + str(folder)
            + "/{{ inventory_hostname }}.cfg', lstrip_blocks: true, trim_blocks: true, mode: '0644'}\n"
        )
        env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_INVENTORY_ENABLED="yaml")
        wall, _mb, output = run([str(BIN / "ansible-playbook"), "-i", str(folder / "hosts.json"), str(folder / "play.yml")], env)
        if wall is None:
            return {"error": output}
        walls.append(wall)
    per_host = max(0.0, (walls[1] - walls[0]) / (SAMPLES[1] - SAMPLES[0]))
    startup = max(0.0, walls[0] - SAMPLES[0] * per_host)
    return {"per_host": per_host, "startup": startup, "extrapolated": startup + per_host * len(views)}


def measure(name: str, inventory: str, work: Path) -> dict[str, Any]:
    """Every figure of one registry."""
    print(f"==> bench: {name}", file=sys.stderr, flush=True)
    figures: dict[str, Any] = {"name": name}
    wall, _mb, output = run([sys.executable, __file__, "--stages", inventory])
    figures.update(json.loads(output) if wall is not None else {"error": output})
    if "error" in figures:  # the whole build would fail or time out the same way
        return figures
    wall, mb, output = run([str(BIN / "ansible-playbook"), "-i", inventory, "playbooks/build.yml", "-e", f"govnet_build_dir={work / 'build'}"])
    figures.update(build_wall=wall, build_cpu=CPU_SECONDS[-1] if wall is not None else None, build_mb=mb)
    figures["build_error"] = None if wall is not None else output[-400:]
    figures["ansible"] = plain_ansible(inventory, work / "ansible")
    return figures


def load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def cell(value: float | None, unit: str = " s", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


# Kept in every report: the build under load, at once and killed is measured by tests/build/test_stress.py.
STRESS_NOTE = (
    "Builds beside CPU-bound processes, several at once into the same and other places, and builds killed mid-way "
    "(tests/build/test_stress.py, in `make test`): what ran, how long it took and what it found is in "
    "[build-stress.md](build-stress.md)."
)


def table(results: list[dict[str, Any]], loads: tuple[str, str], command: str) -> str:
    """The Markdown report."""
    lines = [
        "# Build performance",
        "",
        f"Generated by `{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}) on {os.cpu_count()} cores;",
        f"load average (1, 5, 15 min) {loads[0]} at the start and {loads[1]} at the end: the machine was shared,",
        "so absolute times are noisy; each ratio comes from figures of the same run.",
        "",
        "## Our stages (one Python process) and the whole build",
        "",
        "Time and the process's peak memory after each stage. `make build` is `ansible-playbook playbooks/build.yml`:",
        "Ansible start-up, the inventory plugin, validate, plan, render, docs and writing every file, in wall time",
        "and in CPU time (user + system, its workers included: what the build costs whatever else the machine runs).",
        "",
        "| Registry | Devices | Institutions | Files | validate | plan | render | docs | `make build` |",
        "| --- | ---: | ---: | ---: | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | | | | failed: {r['error'].splitlines()[-1] if r['error'] else ''} | | | | |")
            continue
        stage_cells = " | ".join(f"{r[s]:.2f} s, {r[s + '_mb']:.0f} MB" for s in STAGES)
        whole = (
            f"{cell(r['build_wall'])} ({cell(r['build_cpu'])} CPU), {cell(r['build_mb'], ' MB', 0)}"
            if r["build_wall"] is not None
            else "failed or timed out"
        )
        lines.append(f"| {r['name']} | {r['devices']:,} | {r['institutions']:,} | {r['files']:,} | {stage_cells} | {whole} |")
    lines += [
        "",
        "## Against the references",
        "",
        "Floor: the IOS-XE templates rendered with Jinja2 directly, each device's template context already in",
        "memory. Ours: our render stage from the intended state in memory (the same start: it works out each",
        "context, renders and checks it); ours to configs adds validate and plan (read, check, allocate, intended",
        "state, plan YAML) to it. Plain Ansible: one `ansible.builtin.template` task per host (local connection,",
        f"this project's forks), run on samples of {SAMPLES[0]} and {SAMPLES[1]} hosts; start-up plus per-host cost",
        "times every device, against the whole `make build`. Render and floor: the best of two interleaved runs.",
        "",
        "| Registry | Floor | Ours | ours / floor | Ours to configs | to configs / floor | Plain Ansible (per host) | `make build` / plain Ansible |",
        "| --- | --- | --- | ---: | --- | ---: | --- | ---: |",
    ]
    for r in results:
        if "error" in r:
            continue
        to_configs = r["validate"] + r["plan"] + r["render"]
        ansible = r["ansible"]
        if "error" in ansible:
            plain, versus = "failed", "n/a"
        else:
            plain = f"{ansible['extrapolated']:.0f} s ({ansible['per_host'] * 1000:.0f} ms)"
            versus = "n/a" if r["build_wall"] is None else f"{r['build_wall'] / ansible['extrapolated']:.3f}"
        lines.append(
            f"| {r['name']} | {r['floor']:.2f} s | {r['render']:.2f} s | {r['render'] / r['floor']:.1f} | {to_configs:.2f} s "
            f"| {to_configs / r['floor']:.1f} | {plain} | {versus} |"
        )
    lines += ["", "## Build stress", "", STRESS_NOTE]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure every registry and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000], help="devices of each synthetic registry")
    parser.add_argument("--out", type=Path, help="write the Markdown report here (default: print it)")
    parser.add_argument("--stages", metavar="INVENTORY", help=argparse.SUPPRESS)  # child mode: our stages, as JSON
    args = parser.parse_args()
    if args.stages:
        print(json.dumps(stages(args.stages)))
        return 0
    start_load = load()
    results = []
    with tempfile.TemporaryDirectory(prefix="govnet-bench-") as work:
        results.append(measure("shipped GovNet", str(SHIPPED), Path(work) / "shipped"))
        for devices in args.sizes:
            registry = synthetic.write(Path(work) / f"synthetic-{devices}", devices)
            results.append(measure(f"synthetic {devices:,}", str(registry), Path(work) / f"run-{devices}"))
    command = "make bench" if os.environ.get("MAKELEVEL") else "python hacking/bench.py " + " ".join(sys.argv[1:])
    report = table(results, (start_load, load()), command.strip())
    if args.out:
        args.out.write_text(report)
        print(f"==> bench: wrote {args.out}", file=sys.stderr)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
