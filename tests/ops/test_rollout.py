"""The rollout's pure parts: which devices a commit changes, the waves, the state file, the report.

Revisions are real commits in a git clone of this repository; each is rendered with its own code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.manifest import MANIFEST
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan as network_plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import rollout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.rollout_report import outcome, report_junit, report_markdown
from conftest import GOLDEN, ROOT, SMALL, check_golden

LAB = "inventories/lab/default.yml"
POLICY = {"canary": {"categories": ["ministry", "executive_agency", "council"], "per_category": 1, "prefer": []}, "batch_size": 10}
REGIONS = ["dar-es-salaam", "dodoma"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@govnet.invalid", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A clone of this repository with the lab's devices recorded as deployed at its HEAD."""
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    head = rollout.resolve(clone, "HEAD")
    names = rollout.device_files(rollout.render_revision(clone, head, LAB, tmp_path / "record"))
    rollout.write_state(clone, "lab", {name: head for name in names})
    return clone


def edit(repo: Path, path: str, old: str, new: str) -> str:
    """Change a file, commit, return the new HEAD."""
    text = (repo / path).read_text()
    assert old in text
    (repo / path).write_text(text.replace(old, new, 1))
    git(repo, "commit", "-q", "-am", f"change {path}")
    return git(repo, "rev-parse", "HEAD")


def test_an_institution_change_plans_only_its_devices(repo: Path, tmp_path: Path) -> None:
    head = edit(repo, LAB, "    size: medium\n    phase: 1\n", "    size: medium\n    phase: 2\n")
    plan = rollout.make_plan(repo, LAB, "lab", tmp_path / "out", POLICY, REGIONS)
    assert plan.head == head
    assert [(wave.name, wave.devices) for wave in plan.waves] == [("canary", ("moa-ce1", "moa-sw1", "moa-cc1"))]
    data = plan.to_json()
    assert data["devices"]["moa-sw1"]["files"] == ["plan/moa-sw1.yml"]
    assert "-phase: 1\n+phase: 2\n" in data["devices"]["moa-sw1"]["diff"]
    assert "## Wave 1: canary" in rollout.plan_markdown(data)


def test_each_revision_is_rendered_by_its_own_code(repo: Path, tmp_path: Path) -> None:
    edit(
        repo,
        "plugins/plugin_utils/govnet/platforms/lab/templates/frr.conf.j2",
        " bgp log-neighbor-changes\n",
        " bgp log-neighbor-changes\n bgp graceful-restart\n",
    )
    plan = rollout.make_plan(repo, LAB, "lab", tmp_path / "out", POLICY, REGIONS)
    routers = {"agg-dodoma", "core-dar", "core-dodoma", "gpsa-ce1", "kongwa-dc-ce1", "moa-ce1"}
    assert set(plan.changes) == routers
    assert all(change.diffs.keys() == {f"lab/{name}/frr.conf"} for name, change in plan.changes.items())
    assert "+ bgp graceful-restart\n" in plan.changes["moa-ce1"].diffs["lab/moa-ce1/frr.conf"]
    # What roles/rollout_device pushes and backs up, from the two builds' manifests.
    for side in ("head", "base"):
        frr = [item for item in plan.files["moa-ce1"][side] if item["daemon"] == "frr"]
        assert [(item["path"], item["name"]) for item in frr] == [(f"lab/moa-ce1/{name}", name) for name in ("daemons", "frr.conf", "vtysh.conf")]
    assert [wave.name for wave in plan.waves] == ["canary", "regional aggregation", "core hub"]


def test_a_device_runs_the_revision_it_verified(repo: Path, tmp_path: Path) -> None:
    """After a partial rollout, each device is planned from its own revision, and one not recorded is new."""
    first = rollout.resolve(repo, "HEAD")
    second = edit(repo, LAB, "name: Ministry of Agriculture\n", "name: Ministry of Agriculture and Food Security\n")
    state = rollout.read_state(repo, "lab")
    state["moa-ce1"] = second
    del state["gpsa-cc1"]
    rollout.write_state(repo, "lab", state)
    plan = rollout.make_plan(repo, LAB, "lab", tmp_path / "out", POLICY, REGIONS)
    assert {name: change.base for name, change in plan.changes.items()} == {
        "core-dodoma": first,
        "moa-cc1": first,
        "moa-sw1": first,
        "gpsa-cc1": None,
    }
    assert plan.changes["gpsa-cc1"].diffs["lab/gpsa-cc1/kamailio.cfg"].startswith("--- /dev/null\n+++ b/lab/gpsa-cc1/kamailio.cfg\n")


@pytest.fixture(scope="module")
def production() -> dict[str, bytes]:
    """The small fixture's build (IOS-XE, the hubs with their SIP core servers)."""
    return outputs(network_plan(SMALL))


def test_a_hubs_sip_core_server_files_belong_to_the_hub(production: dict[str, bytes]) -> None:
    devices = rollout.device_files(production)
    sip_core = {f"configs/core-dar-sip-core/{name}" for name in ("kamailio.cfg", "dialplan", "version")}
    assert set(devices["core-dar"]) == {"plan/core-dar.yml", "configs/core-dar.cfg", *sip_core}
    changed = dict(production, **{"configs/core-dar-sip-core/dialplan": b"changed\n"})
    changes = rollout.changed_devices({"old": devices}, {name: "old" for name in devices}, rollout.device_files(changed))
    assert {name: sorted(change.diffs) for name, change in changes.items()} == {"core-dar": ["configs/core-dar-sip-core/dialplan"]}


def test_a_build_from_before_the_manifest_is_read_device_by_device(production: dict[str, bytes]) -> None:
    """A deployed revision older than the manifest renders a build without one: its devices come from its paths."""
    old = {path: content for path, content in production.items() if path != MANIFEST}
    assert rollout.device_files(old) == rollout.device_files(production)


@pytest.mark.golden
def test_error_text_no_state_file(tmp_path: Path) -> None:
    with pytest.raises(rollout.RolloutError) as error:
        rollout.read_state(tmp_path, "production")
    check_golden(GOLDEN / "errors" / "rollout_no_state.txt", str(error.value).replace(str(tmp_path), "REPO") + "\n")


def change(
    name: str, role: str, region: str, institution: str | None = None, category: str | None = None, ident: int | None = None
) -> rollout.Change:
    return rollout.Change(rollout.Device(name, role, "lab", region, institution, category, ident), None, {f"plan/{name}.yml": "diff"})


CHANGES = {
    item.device.hostname: item
    for item in (
        change("core-dar", "core_hub", "dar-es-salaam"),
        change("agg-dodoma", "regional_aggregation", "dodoma"),
        change("mof-ce1", "ce_router", "dodoma", "mof", "ministry", 8),
        change("moa-cc1", "call_control", "dodoma", "moa", "ministry", 9),
        change("moa-ce1", "ce_router", "dodoma", "moa", "ministry", 9),
        change("ega-ce1", "ce_router", "dar-es-salaam", "ega", "executive_agency", 60),
        change("gpsa-ce1", "ce_router", "dar-es-salaam", "gpsa", "executive_agency", 52),
        change("kongwa-dc-ce1", "ce_router", "dodoma", "kongwa-dc", "council", 101),
        change("bahi-dc-ce1", "ce_router", "dodoma", "bahi-dc", "council", 99),
    )
}


def test_waves_canary_per_category_then_regions_then_infrastructure() -> None:
    policy = {"canary": {"categories": ["ministry", "executive_agency"], "per_category": 1, "prefer": ["ega"]}, "batch_size": 2}
    waves = rollout.waves(CHANGES, policy, REGIONS)
    assert [(wave.name, wave.devices) for wave in waves] == [
        ("canary", ("mof-ce1", "ega-ce1")),
        ("region dar-es-salaam batch 1", ("gpsa-ce1",)),
        ("region dodoma batch 1", ("moa-ce1", "moa-cc1", "bahi-dc-ce1")),
        ("region dodoma batch 2", ("kongwa-dc-ce1",)),
        ("regional aggregation", ("agg-dodoma",)),
        ("core hub", ("core-dar",)),
    ]
    first = rollout.waves(CHANGES, dict(policy, infrastructure="first", canary={"categories": []}), ["dodoma"])
    assert [wave.name for wave in first] == [
        "regional aggregation",
        "core hub",
        "region dodoma batch 1",
        "region dodoma batch 2",
        "region dar-es-salaam batch 1",
    ]


@pytest.mark.golden
def test_report_golden_verified_rolled_back_not_started() -> None:
    plan = {
        "environment": "lab",
        "head": "a" * 40,
        "waves": [{"name": "canary", "devices": ["gpsa-ce1", "gpsa-sw1"]}, {"name": "region dodoma batch 1", "devices": ["moa-ce1"]}],
        "devices": {name: {"institution": name.split("-")[0]} for name in ("gpsa-ce1", "gpsa-sw1", "moa-ce1")},
        "removed": [],
    }
    results = {
        "gpsa-ce1": {
            "status": "rolled_back",
            "message": "Stop when a check failed: gpsa-ce1 did not verify after push",
            "checks": [
                {"name": "after push: BGP sessions Established", "ok": False, "detail": "not Established: 10.1.0.1"},
                {"name": "after restore: BGP sessions Established", "ok": True, "detail": "not Established: none"},
            ],
        },
        "gpsa-sw1": {
            "status": "verified",
            "message": "",
            "checks": [{"name": "after push: VLANs present on access ports", "ok": True, "detail": ""}],
        },
    }
    done = outcome(plan, results)
    assert done.stopped_at == "canary" and done.verified == ["gpsa-sw1"]
    assert done.results["moa-ce1"]["status"] == "not_started"
    check_golden(GOLDEN / "rollout" / "report.md", report_markdown(plan, done))
    suites = ET.fromstring(report_junit(plan, done))
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("skipped")) for s in suites] == [
        ("canary", "2", "1", "0"),
        ("region dodoma batch 1", "1", "0", "1"),
    ]
    assert json.loads(json.dumps(done.results))["gpsa-ce1"]["wave"] == "canary"


def playbook(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """playbooks/rollout.yml of the clone, with the clone's ansible.cfg, on the lab registry (no device is contacted)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["ANSIBLE_CONFIG"] = str(repo / "ansible.cfg")
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "molecule/default/inventory/hosts.yml", "-i", LAB]
    argv += ["playbooks/rollout.yml", "-e", "govnet_rollout_environment=lab", "-e", f"govnet_rollout_dir={repo.parent / 'out'}", *extra]
    return subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_the_playbook_records_then_plans_a_dry_run(tmp_path: Path) -> None:
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    (clone / "deployed" / "lab.json").unlink(missing_ok=True)
    refused = playbook(clone)
    assert refused.returncode != 0 and "environment lab: no deployed state in" in refused.stdout
    recorded = playbook(clone, "-e", "govnet_rollout_mode=record")
    assert recorded.returncode == 0, recorded.stdout[-2000:]
    assert set(json.loads((clone / "deployed" / "lab.json").read_text())["devices"].values()) == {rollout.resolve(clone, "HEAD")}
    edit(clone, LAB, "    size: medium\n    phase: 1\n", "    size: medium\n    phase: 2\n")
    planned = playbook(clone)
    assert planned.returncode == 0, planned.stdout[-2000:]
    assert "canary: moa-ce1, moa-sw1, moa-cc1" in planned.stdout
    assert sorted(json.loads((tmp_path / "out" / "plan.json").read_text())["devices"]) == ["moa-cc1", "moa-ce1", "moa-sw1"]
    assert not (tmp_path / "out" / "results" / "moa-ce1.json").exists() and not (tmp_path / "out" / "report.md").exists()
