"""The main job end to end: the shipped GovNet builds, deterministically, all or nothing."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError

from conftest import DEFAULT_POLICY, GOLDEN, ROOT, SHIPPED, SMALL, ansible, small_institutions, write_registry



def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def shipped():
    return plan(SHIPPED)


def test_shipped_govnet_is_the_real_one(shipped) -> None:
    institutions = shipped.registry.institutions
    categories = Counter(inst.category for inst in institutions)
    assert categories == {"ministry": 27, "independent_department": 20, "executive_agency": 24, "regional_secretariat": 26, "council": 184}
    councils = Counter(inst.council_type for inst in institutions if inst.category == "council")
    assert councils == {"district": 137, "town": 21, "municipal": 20, "city": 6}
    assert "ega" in {inst.slug for inst in institutions}
    assert not any(region.zanzibar for region in shipped.registry.regions)
    assert Counter(inst.phase for inst in institutions)[1] == 71
    assert len({inst.region for inst in institutions if inst.phase == 2}) == 20
    roles = Counter(state["role"] for state in shipped.states.values())
    assert roles["core_hub"] == 2 and roles["regional_aggregation"] == 26
    assert roles["call_control"] == len(institutions)
    assert {state["hostname"] for state in shipped.states.values() if state["role"] == "core_hub"} == {"core-dar", "core-dodoma"}


def test_zanzibar_is_built_only_when_asked(tmp_path: Path) -> None:
    items = yaml.safe_load(SHIPPED.read_text())["institutions"]
    network = plan(write_registry(tmp_path, items, include_zanzibar=True))
    assert len(network.registry.institutions) == 297
    assert sum(state["role"] == "regional_aggregation" for state in network.states.values()) == 31


def test_every_ce_has_one_ebgp_session_that_accepts_only_govnet(shipped) -> None:
    for state in shipped.states.values():
        if state["role"] == "ce_router":
            (neighbor,) = state["bgp"]["neighbors"]
            assert neighbor["accept"] == ["10.0.0.0/8"]
            assert neighbor["advertise"] == state["bgp"]["originate"]


def test_upstreams_accept_only_each_institutions_own_block(shipped) -> None:
    blocks = {}
    for inst_plan in shipped.allocation.institutions:
        for router in inst_plan.routers:
            blocks[router] = [str(inst_plan.block)]
    for state in shipped.states.values():
        if state["role"] in ("core_hub", "regional_aggregation"):
            for neighbor in state["bgp"]["neighbors"]:
                if neighbor["peer"] in blocks:
                    assert neighbor["accept"] == blocks[neighbor["peer"]]
                    assert neighbor["max_prefixes"] >= 1


def test_build_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    build(SHIPPED, tmp_path / "one")
    build(SHIPPED, tmp_path / "two")
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one == two
    assert len([name for name in one if name.startswith("plan/")]) == 1013
    for name in (
        "docs/numbering.csv",
        "docs/addressing.csv",
        "docs/numbering.md",
        "docs/addressing.md",
        "docs/index.html",
        "docs/topology.svg",
    ):
        assert name in one


def test_bad_input_writes_nothing_and_keeps_the_previous_build(tmp_path: Path) -> None:
    good = write_registry(tmp_path / "good", small_institutions())
    dest = tmp_path / "build"
    build(good, dest)
    before = tree(dest)
    items = small_institutions()
    items[0]["size"] = "huge"
    bad = write_registry(tmp_path / "bad", items)
    with pytest.raises(GovnetInputError):
        build(bad, dest)
    assert tree(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build.lock", "bad", "build", "good"]


def test_unchanged_build_is_not_a_change(tmp_path: Path) -> None:
    assert build(SMALL, tmp_path / "b").changed
    assert not build(SMALL, tmp_path / "b").changed
    assert build(SMALL, tmp_path / "c", check=True).changed and not (tmp_path / "c").exists()


def test_build_playbook_builds_and_bad_input_fails_clearly(tmp_path: Path) -> None:
    dest = tmp_path / "build"
    ok = ansible("ansible-playbook", "-i", str(SMALL), "playbooks/build.yml", "-e", f"govnet_build_dir={dest}")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "[WARNING]" not in ok.stdout + ok.stderr
    before = tree(dest)
    items = small_institutions()
    items[1]["region"] = "dodom"
    bad = write_registry(tmp_path / "bad", items)
    failed = ansible("ansible-playbook", "-i", str(bad), "playbooks/build.yml", "-e", f"govnet_build_dir={dest}")
    assert failed.returncode != 0
    assert "institution 48 (tba), field 'region', value 'dodom': is not a known region." in failed.stdout + failed.stderr
    assert tree(dest) == before


def test_inventory_groups(tmp_path: Path) -> None:
    shown = ansible("ansible-inventory", "-i", "inventories/govnet", "--list")
    assert shown.returncode == 0, shown.stderr
    inventory = json.loads(shown.stdout, object_hook=lambda d: d.get("__ansible_unsafe", d) if len(d) == 1 else d)
    hosts = lambda group: set(inventory.get(group, {}).get("hosts", []))  # noqa: E731
    assert hosts("core_hubs") == {"core-dar", "core-dodoma"}
    assert len(hosts("regional_aggregation")) == 26
    assert {"mof-ce1", "mof-ce2", "mof-sw1", "mof-cc1"} <= hosts("institution_mof")
    assert "mof-ce1" in hosts("ministries") and "mof-ce1" in hosts("phase_1") and "mof-ce1" in hosts("region_dodoma")
    assert "kongwa-dc-ce1" in hosts("district_councils") and "kongwa-dc-ce1" in hosts("councils")
    assert "dodoma-cc-ce1" in hosts("city_councils") and "kongwa-dc-cc1" in hosts("call_control")
    assert "kongwa-dc-sw1" in hosts("access_switches") and "ega-ce1" in hosts("executive_agencies")
    assert len({h for h in hosts("ce_routers")}) == sum(1 for h in inventory["_meta"]["hostvars"] if h.endswith(("-ce1", "-ce2")))
    meta = inventory["_meta"]["hostvars"]["mof-ce1"]
    assert meta["ansible_network_os"] == "cisco.ios.ios" and meta["govnet_institution"] == "mof"
    assert meta["govnet_numbering"]["pstn_access_digit"] == "9" and meta["govnet_validation_errors"] == []
    assert (meta["govnet_role"], meta["govnet_platform"], meta["govnet_region"]) == ("ce_router", "ios_xe", "dodoma")
    assert meta["govnet_institution_id"] == 8 and meta["govnet_phase"] == 1 and meta["ansible_connection"] == "ansible.netcommon.network_cli"
    assert meta["ansible_host"] == plan(SHIPPED).states["mof-ce1"]["loopback"].split("/")[0]
    assert (meta["govnet_router"], inventory["_meta"]["hostvars"]["mof-sw1"]["govnet_router"]) == (True, False)
    assert (meta["govnet_deploy_tasks"], meta["govnet_backup_tasks"], meta["govnet_verify_tasks"]) == ("ios_xe.yml", "backup_ios_xe.yml", "verify_ios_xe.yml")
    lab = ansible("ansible-inventory", "-i", "inventories/lab/default.yml", "--host", "moa-ce1")
    lab_vars = json.loads(lab.stdout, object_hook=lambda d: d.get("__ansible_unsafe", d) if len(d) == 1 else d)
    assert (lab_vars["govnet_netns"], lab_vars["ansible_connection"], lab_vars["govnet_platform"]) == ("gn-moa-ce1", "ega.govnet.netns", "lab")
    assert (lab_vars["govnet_router"], lab_vars["govnet_deploy_tasks"], lab_vars["govnet_verify_tasks"]) == (True, "lab.yml", "verify_lab.yml")
    assert Path(lab_vars["ansible_python_interpreter"]).resolve() == Path(sys.executable).resolve()


# Every plugin the collection ships, found on disk, so a new one without documentation fails here.
PLUGINS = sorted(
    {("module", f"ega.govnet.{path.stem}") for path in (ROOT / "plugins" / "modules").glob("*.py")}
    | {("filter", f"ega.govnet.{path.stem}") for path in (ROOT / "plugins" / "filter").glob("*.yml")}
    | {(kind, f"ega.govnet.{path.stem}") for kind in ("inventory", "connection", "lookup", "callback") for path in (ROOT / "plugins" / kind).glob("*.py")}
)


@pytest.mark.parametrize("kind,name", PLUGINS, ids=lambda value: value)
def test_every_plugin_documents_itself(kind: str, name: str) -> None:
    shown = ansible("ansible-doc", "-t", kind, name, "--json")
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)[name]
    assert doc["doc"]["short_description"] and doc["examples"]


def test_filters_work_in_a_playbook(tmp_path: Path) -> None:
    playbook = tmp_path / "filters.yml"
    playbook.write_text("""---
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.assert:
        that:
          - (govnet_addressing.pools.central_sites_small.prefix | ega.govnet.pool_block(24, 42)) == '10.28.42.0/24'
          - (42 | ega.govnet.institution_code(govnet_numbering)) == 442
          - (442 | ega.govnet.onnet_number(2001, govnet_numbering)) == '4422001'
          - (['112', '1120', '4422001'] | ega.govnet.dial_plan_clashes) == [['112', '1120']]
          - ('10.16.4.0/22' | ega.govnet.vlan_subnets(govnet_size_classes.large, govnet_vlans))[0].gateway == '10.16.4.1'
    # The secret handling of roles/device_config/tasks/ios_xe.yml: values come from (vault) variables by name.
    - ansible.builtin.assert:
        that:
          - "'vault_' not in split.plain and split.plain.endswith('end\\n')"
          - "blocks[0] == {'parents': ['tacacs server GOVNET-TACACS-1'], 'lines': ['key tacacs-value']}"
          - "blocks[1].lines[0].endswith('secret admin-value')"
      vars:
        split: "{{ lookup('ansible.builtin.file', '%s') | ega.govnet.ios_config_split }}"
        names: "{{ govnet_security.secrets.values() | list }}"
        values: "{{ dict(names | zip(names | map('extract', vars))) }}"
        blocks: "{{ split.secrets | ega.govnet.ios_secret_blocks(values) }}"
""" % (GOLDEN / "configs" / "ios_xe" / "tba-ce1.cfg"))
    # Stand-in vault values for every secret the policy names, as extra vars (where a vault's values end up).
    names = yaml.safe_load((DEFAULT_POLICY / "security.yml").read_text())["govnet_security"]["secrets"].values()
    values = {name: name.removeprefix("vault_govnet_").split("_")[0] + "-value" for name in names}
    (tmp_path / "vault.yml").write_text(yaml.safe_dump(values))
    ran = ansible("ansible-playbook", "-i", str(SMALL), str(playbook), "-e", f"@{tmp_path / 'vault.yml'}")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_deploy_refuses_a_device_that_was_not_built(tmp_path: Path) -> None:
    empty = tmp_path / "empty-build"
    empty.mkdir()
    ran = ansible("ansible-playbook", "-i", str(SMALL), "playbooks/deploy.yml", "-e", f"govnet_build_dir={empty}", "--limit", "kongwa-dc-ce1")
    assert ran.returncode != 0
    assert f"No configuration for kongwa-dc-ce1 in {empty}/configs: run playbooks/build.yml first." in ran.stdout
    assert re.search(r"kongwa-dc-ce1\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=1", ran.stdout), ran.stdout


def test_site_and_deploy_playbooks_parse() -> None:
    for playbook in ("playbooks/site.yml", "playbooks/deploy.yml"):
        ran = ansible("ansible-playbook", "-i", str(SMALL), playbook, "--syntax-check")
        assert ran.returncode == 0, ran.stdout + ran.stderr


def test_build_playbook_refuses_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    dest = tmp_path / "documents"
    dest.mkdir()
    (dest / "report.odt").write_text("keep me\n")
    ran = ansible("ansible-playbook", "-i", str(SMALL), "playbooks/build.yml", "-e", f"govnet_build_dir={dest}")
    assert ran.returncode != 0
    assert f"The build directory {dest} is a folder that is not a build: it holds 1 entry (report.odt) and no .govnet-build;" in ran.stdout
    assert "Traceback" not in ran.stdout + ran.stderr
    assert (dest / "report.odt").read_text() == "keep me\n" and sorted(path.name for path in tmp_path.iterdir()) == ["documents"]
