"""The GitOps rollout, proved in the running lab (molecule/rollout, after the default converge).

A git copy of this checkout as the lab was converged from is the repository the rollout runs in; each test
commits a change there and runs the real playbooks/rollout.yml against the lab. The tests run in file order
and build on each other: the deployed state each one leaves is where the next one starts.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import live_checks
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.names import netns, run_dir

ROOT = Path(__file__).resolve().parents[3]
INVENTORY = Path(os.environ.get("GOVNET_LAB_INVENTORY", ROOT / "inventories" / "lab" / "default.yml")).relative_to(ROOT)
HOSTS = "molecule/default/inventory/hosts.yml"
FRR_TEMPLATE = "plugins/plugin_utils/govnet/platforms/lab/templates/frr.conf.j2"
REMOTE_AS = " neighbor {{ neighbor.address }} remote-as {{ neighbor.remote_asn }}\n"
# Short waits: a check that cannot pass (the BGP-breaking change) fails after this many seconds.
VERIFY_TIMEOUT = 30
# The lab's own vault (molecule/default/lab_vault.yml), given to the rollout as production gives its vault.
LAB_VAULT = Path("/run/govnet-lab/vault")
LAB_BUILD = Path("/run/govnet-lab/build")  # the build the lab was converged from

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root")


def policy(*canary_categories: str) -> dict[str, Any]:
    """The rollout policy of these tests: canaries from the given categories, one institution per batch."""
    return {
        "canary": {"categories": list(canary_categories), "per_category": 1, "prefer": []},
        "batch_size": 1,
        "infrastructure": "last",
        "verify_timeout": VERIFY_TIMEOUT,
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files as they are (what converge deployed), committed in a fresh git repository."""
    target = tmp_path_factory.mktemp("rollout") / "repo"
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "-co", "--exclude-standard"], capture_output=True, check=True).stdout
    for name in sorted(set(listed.decode().split("\0")) - {""}):
        source = ROOT / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the work tree
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A", "--force")  # exactly the copied files, also where an ignore rule matches (build/ is a library folder too)
    git(target, "commit", "-q", "-m", "GovNet as the lab runs it")
    return target


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="rollout test", GIT_AUTHOR_EMAIL="lab@govnet.invalid")
    env.update(GIT_COMMITTER_NAME=env["GIT_AUTHOR_NAME"], GIT_COMMITTER_EMAIL=env["GIT_AUTHOR_EMAIL"])
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env).stdout.strip()


def commit(repo: Path, message: str, *edits: tuple[str, str, str]) -> str:
    """Replace text in files of the repository ((path, old, new) each), commit, return the new HEAD."""
    for path, old, new in edits:
        text = (repo / path).read_text()
        assert old in text, f"{old!r} not in {path}"
        (repo / path).write_text(text.replace(old, new, 1))
    git(repo, "commit", "-q", "-am", message)
    return git(repo, "rev-parse", "HEAD")


def rename(slug: str, name: str, new: str) -> tuple[str, str, str]:
    """An edit of the lab registry that renames an institution."""
    return (str(INVENTORY), f"slug: {slug}\n    name: {name}\n", f"slug: {slug}\n    name: {new}\n")


def rollout(repo: Path, mode: str, rollout_policy: dict[str, Any] | None = None, *inventories: Path) -> subprocess.CompletedProcess[str]:
    """Run the repository's own playbooks/rollout.yml on the lab, with the repository's ansible.cfg."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "MOLECULE_"))}
    env["ANSIBLE_CONFIG"] = str(repo / "ansible.cfg")
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", HOSTS, "-i", str(INVENTORY)]
    for extra in inventories:
        argv += ["-i", str(extra)]
    argv += ["playbooks/rollout.yml", "-e", "govnet_rollout_environment=lab", "-e", f"govnet_rollout_mode={mode}"]
    argv += ["-e", f"govnet_rollout_dir={repo.parent / 'out'}"]
    if (LAB_VAULT / "vault.yml").is_file():
        argv += ["-e", f"@{LAB_VAULT / 'vault.yml'}", f"--vault-password-file={LAB_VAULT / 'password'}"]
    if rollout_policy:
        argv += ["-e", json.dumps({"govnet_rollout": rollout_policy})]
    return subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)


def out(repo: Path, name: str) -> Any:
    path = repo.parent / "out" / name
    return json.loads(path.read_text()) if name.endswith(".json") else path.read_text()


def deployed(repo: Path) -> dict[str, str]:
    return json.loads((repo / "deployed" / "lab.json").read_text())["devices"]


def devices() -> list[str]:
    return sorted(path.stem for path in (LAB_BUILD / "plan").glob("*.yml"))


def snapshot(names: list[str]) -> dict[str, dict[str, Any]]:
    """Per device: every configuration file its daemons read, its FRR running config, and the pid and
    start time of every process in its namespaces (a restarted daemon has a new pid or start time)."""
    result = {}
    for name in names:
        ns = f"gn-{name}"
        folders = [Path(f"/etc/frr/{ns}"), Path(f"/etc/netns/{ns}/kamailio"), Path(f"/run/govnet-lab/{ns}-svc")]
        files = {
            str(path): path.read_text(errors="replace")
            for folder in folders
            if folder.is_dir()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix in ("", ".conf", ".cfg", ".list", ".xml")
        }
        ovs = Path(f"/run/govnet-lab/{ns}/ovs.sh")
        if ovs.is_file():
            files[str(ovs)] = ovs.read_text(errors="replace")
        processes = set()
        for space in (ns, f"{ns}-svc"):
            pids = subprocess.run(["ip", "netns", "pids", space], capture_output=True, text=True, check=False).stdout.split()
            for pid in pids:
                stat = Path(f"/proc/{pid}/stat")
                if stat.exists():
                    processes.add((int(pid), int(stat.read_text().rsplit(")", 1)[1].split()[19])))
        running = ""
        if Path(f"/etc/frr/{ns}").is_dir():
            running = subprocess.run(["vtysh", "-N", ns, "-c", "show running-config"], capture_output=True, text=True, check=True).stdout
        result[name] = {"files": files, "processes": processes, "running": running}
    return result


def changes(before: dict[str, str], after: dict[str, str]) -> str:
    """The unified diff of the files that differ, for an assertion's message (BGP keys masked)."""
    lines = "".join(
        "".join(difflib.unified_diff(before.get(path, "").splitlines(True), after.get(path, "").splitlines(True), path, path))
        for path in sorted(set(before) | set(after))
        if before.get(path) != after.get(path)
    )
    return re.sub(r"(password) \S+", r"\1 ***", lines)


def established(name: str) -> bool:
    """Every BGP session of a lab router's intended state is Established: the rollout's own check (ops/live_checks.py)."""
    state = yaml.safe_load((LAB_BUILD / "plan" / f"{name}.yml").read_text())
    ns = netns(name)
    summary = subprocess.run(live_checks.lab_command("lab_bgp_sessions", ns, run_dir(ns)), capture_output=True, text=True, timeout=30, check=False)
    return live_checks.judge("lab_bgp_sessions", summary.stdout, state).ok


def statuses(repo: Path) -> dict[str, str]:
    plan = out(repo, "plan.json")
    results = {path.stem: json.loads(path.read_text())["status"] for path in (repo.parent / "out" / "results").glob("*.json")}
    return {name: results.get(name, "not_started") for name in plan["devices"]}


def test_an_institution_change_touches_only_that_institution(repo: Path) -> None:
    recorded = rollout(repo, "record")
    assert recorded.returncode == 0, recorded.stdout[-3000:]
    base = git(repo, "rev-parse", "HEAD")
    assert set(deployed(repo).values()) == {base}
    others = [name for name in devices() if not name.startswith("moa-")]
    before = snapshot(others)
    head = commit(
        repo, "moa moves to rollout phase 2", (str(INVENTORY), "    size: medium\n    phase: 1\n", "    size: medium\n    phase: 2\n")
    )

    planned = rollout(repo, "plan")
    assert planned.returncode == 0, planned.stdout[-3000:]
    plan = out(repo, "plan.json")
    assert sorted(plan["devices"]) == ["moa-cc1", "moa-ce1", "moa-sw1"]
    assert "-phase: 1\n+phase: 2\n" in plan["devices"]["moa-ce1"]["diff"]
    assert "## Wave 1: canary" in out(repo, "plan.md") and "+phase: 2" in out(repo, "plan.md")

    done = rollout(repo, "run")
    assert done.returncode == 0, done.stdout[-3000:]
    assert statuses(repo) == {"moa-cc1": "verified", "moa-ce1": "verified", "moa-sw1": "verified"}
    assert "**Completed**" in out(repo, "report.md")
    assert snapshot(others) == before
    state = deployed(repo)
    assert {name: rev for name, rev in state.items() if rev == head} == {"moa-cc1": head, "moa-ce1": head, "moa-sw1": head}
    assert all(state[name] == base for name in others)


def test_an_unreachable_device_stops_the_rollout_and_the_next_one_finishes(repo: Path) -> None:
    start = deployed(repo)
    # The hub's BGP neighbour description names the institution, so core-dodoma changes too (a later wave).
    head = commit(repo, "moa renamed", rename("moa", "Ministry of Agriculture", "Ministry of Agriculture and Food Security"))
    away = repo.parent / "unreachable.yml"
    away.write_text(yaml.safe_dump({"all": {"hosts": {"moa-sw1": {"govnet_netns": "gn-rollout-unreachable"}}}}))
    sw1_before = snapshot(["moa-sw1"])["moa-sw1"]

    done = rollout(repo, "run", policy("ministry"), away)
    assert done.returncode != 0
    plan = out(repo, "plan.json")
    assert plan["waves"] == [
        {"name": "canary", "devices": ["moa-ce1", "moa-sw1", "moa-cc1"]},
        {"name": "core hub", "devices": ["core-dodoma"]},
    ]
    result = statuses(repo)
    assert (result["moa-ce1"], result["moa-sw1"], result["moa-cc1"]) == ("verified", "unreachable", "verified")
    assert {result[name] for wave in plan["waves"][1:] for name in wave["devices"]} == {"not_started"}
    report = out(repo, "report.md")
    assert "**Stopped** in wave 'canary': no later wave was started." in report
    assert "| canary | moa-sw1 | moa | unreachable: nothing pushed, previous configuration kept |" in report
    assert snapshot(["moa-sw1"])["moa-sw1"] == sw1_before
    state = deployed(repo)
    assert (state["moa-ce1"], state["moa-cc1"]) == (head, head)
    assert {name: state[name] for name in state if name not in ("moa-ce1", "moa-cc1")} == {
        name: rev for name, rev in start.items() if name not in ("moa-ce1", "moa-cc1")
    }

    resumed = rollout(repo, "run", policy("ministry"))
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert "moa-ce1" not in out(repo, "plan.json")["devices"]
    assert set(statuses(repo).values()) == {"verified"}
    assert {name for name, rev in deployed(repo).items() if rev == head} == {"moa-ce1", "moa-sw1", "moa-cc1", "core-dodoma"}


def test_a_change_that_breaks_bgp_is_rolled_back_and_stops_the_rollout(repo: Path) -> None:
    start = deployed(repo)
    # The wrong ASN, and a line the failed push adds (no counterpart in the backup): the restore must remove it too.
    broken = (" neighbor {{ neighbor.address }} remote-as {{ neighbor.remote_asn + (1 if device.hostname == 'gpsa-ce1' else 0) }}\n"
              "{% if device.hostname == 'gpsa-ce1' %} neighbor {{ neighbor.address }} timers connect 7\n{% endif %}")
    head = commit(
        repo,
        "gpsa-ce1 with a wrong upstream ASN; moa's old name back",
        (FRR_TEMPLATE, REMOTE_AS, broken),
        rename("moa", "Ministry of Agriculture and Food Security", "Ministry of Agriculture"),
    )
    before = snapshot(devices())

    done = rollout(repo, "run", policy("executive_agency"))
    assert done.returncode != 0
    plan = out(repo, "plan.json")
    assert [wave["name"] for wave in plan["waves"]] == ["canary", "region dodoma batch 1", "core hub"]
    assert plan["waves"][0]["devices"] == ["gpsa-ce1"]
    result = statuses(repo)
    assert result["gpsa-ce1"] == "rolled_back"
    assert {result[name] for wave in plan["waves"][1:] for name in wave["devices"]} == {"not_started"}
    checks = json.loads((repo.parent / "out" / "results" / "gpsa-ce1.json").read_text())["checks"]
    assert [(check["name"], check["ok"]) for check in checks] == [
        ("after push: BGP sessions Established", False),
        ("after push: expected routes present", False),
        ("after restore: BGP sessions Established", True),
        ("after restore: expected routes present", True),
    ]
    report = out(repo, "report.md")
    assert "**Stopped** in wave 'canary': no later wave was started." in report
    assert "verify failed: previous configuration restored and verified" in report
    junit = out(repo, "report.xml")
    assert '<testsuite name="canary" tests="1" failures="1" skipped="0">' in junit and 'skipped="1"' in junit
    after = snapshot(devices())
    # frr-reload.py writes FRR's running configuration back over frr.conf after each reload, so gpsa-ce1's frr.conf is
    # compared as FRR runs it (its running configuration, next); every other file of it byte for byte.
    frr_conf = "/etc/frr/gn-gpsa-ce1/frr.conf"
    unreloaded = {
        name: {path: text for path, text in item["files"].items() if path != frr_conf}
        for name, item in (("before", before["gpsa-ce1"]), ("after", after["gpsa-ce1"]))
    }
    assert unreloaded["after"] == unreloaded["before"], changes(unreloaded["before"], unreloaded["after"])
    assert after["gpsa-ce1"]["running"] == before["gpsa-ce1"]["running"]
    assert "timers connect 7" not in after["gpsa-ce1"]["running"], "a line of the failed push survived the restore"
    assert {name: item for name, item in after.items() if name != "gpsa-ce1"} == {
        name: item for name, item in before.items() if name != "gpsa-ce1"
    }
    assert established("gpsa-ce1") and established("core-dar")
    assert deployed(repo) == start and head not in deployed(repo).values()

    commit(repo, "gpsa-ce1's upstream ASN fixed", (FRR_TEMPLATE, broken, REMOTE_AS))
    fixed = rollout(repo, "run", policy("executive_agency"))
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    assert set(statuses(repo).values()) == {"verified"}
    assert all(established(name) for name in devices() if Path(f"/etc/frr/gn-{name}").is_dir())
