"""The build's manifest: every device's files exactly once, each with its platform and daemon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import manifest
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan
from conftest import ROOT, SMALL

SMALL_LAB = ROOT / "tests" / "fixtures" / "small-lab" / "institutions.yml"


@pytest.fixture(scope="module")
def builds() -> dict[str, dict[str, bytes]]:
    return {"ios_xe": outputs(plan(SMALL)), "lab": outputs(plan(SMALL_LAB))}


@pytest.mark.parametrize("build", ["ios_xe", "lab"])
def test_the_manifest_covers_every_file_of_every_device_exactly_once(builds: dict[str, dict[str, bytes]], build: str) -> None:
    files = builds[build]
    devices = json.loads(files[manifest.MANIFEST])["devices"]
    listed = [path for entry in devices.values() for path in (entry["plan"], *entry["files"])]
    device_paths = {path for path in files if path.startswith(("plan/", "configs/", "lab/"))}
    assert len(listed) == len(set(listed)) and set(listed) == device_paths
    assert set(devices) == {path[5:-4] for path in files if path.startswith("plan/")}
    assert {entry["platform"] for entry in devices.values()} == {build}
    assert all(item["daemon"] for entry in devices.values() for item in entry["files"].values())


def test_a_hubs_sip_core_server_files_belong_to_the_hub(builds: dict[str, dict[str, bytes]]) -> None:
    devices = manifest.read_manifest(builds["ios_xe"])
    assert devices["core-dar"]["platform"] == "ios_xe"
    assert devices["core-dar"]["files"] == {
        "configs/core-dar.cfg": {"platform": "ios_xe", "daemon": "ios_config", "name": "config"},
        **{
            f"configs/core-dar-sip-core/{name}": {"platform": "sip_core", "daemon": "kamailio", "name": name}
            for name in ("dialplan", "kamailio.cfg", "version")
        },
    }


def test_a_lab_device_lists_each_file_with_the_daemon_that_reads_it(builds: dict[str, dict[str, bytes]]) -> None:
    devices = manifest.read_manifest(builds["lab"])
    daemons = {item["name"]: item["daemon"] for item in devices["mof-ce1"]["files"].values()}
    assert {name for name, daemon in daemons.items() if daemon == "frr"} == {"daemons", "frr.conf", "vtysh.conf"}
    assert daemons["nftables.conf"] == "nftables"
    call_control = devices["mof-cc1"]["files"]
    assert {item["name"] for item in call_control.values() if item["daemon"] == "kamailio"} == {"dialplan", "dispatcher.list", "kamailio.cfg", "version"}


def test_the_manifest_bytes_do_not_depend_on_the_workers() -> None:
    network = plan(SMALL)
    assert outputs(network, jobs=1)[manifest.MANIFEST] == outputs(network, jobs=2)[manifest.MANIFEST]


def test_the_manifest_holds_one_device_a_line(builds: dict[str, dict[str, bytes]]) -> None:
    lines = builds["ios_xe"][manifest.MANIFEST].decode().splitlines()
    assert lines[0] == '{"format": 1, "devices": {' and lines[-1] == "}}"
    assert lines[1] == (
        '  "agg-dodoma": {"files": {"configs/agg-dodoma.cfg": {"daemon": "ios_config", "name": "config", "platform": "ios_xe"}}, '
        '"plan": "plan/agg-dodoma.yml", "platform": "ios_xe"},'
    )
    assert len(lines) == 2 + len(json.loads("\n".join(lines))["devices"])


def test_a_build_without_a_manifest_is_read_by_the_same_rules(builds: dict[str, dict[str, bytes]]) -> None:
    """A revision from before the manifest renders none: the rollout still reads its devices, from its paths."""
    files = builds["ios_xe"]
    old = {path: content for path, content in files.items() if path != manifest.MANIFEST}
    assert manifest.read_manifest(old) == manifest.read_manifest(files)


def test_an_old_builds_file_this_layout_does_not_know_still_belongs_to_its_device() -> None:
    devices = manifest.read_manifest({"plan/x-ce1.yml": b"", "lab/x-ce1/bird.conf": b"", "lab/x-ce1/frr.conf": b""})
    assert devices["x-ce1"]["files"]["lab/x-ce1/bird.conf"] == {"platform": "lab", "daemon": None, "name": "bird.conf"}


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["plan/a.yml", "junos/a/config"], r"the build has junos/a/config, which belongs to no platform\. Hint: every rendered file needs an owner"),
        (["plan/a.yml", "configs/b.cfg"], r"configs/b.cfg, of device 'b', which has no plan/b.yml"),
        (["plan/a.yml", "lab/a/bird.conf"], r"platform lab: the build has lab/a/bird.conf, which its file layout does not know"),
    ],
)
def test_a_file_of_no_known_platform_or_device_is_refused_clearly(paths: list[str], message: str) -> None:
    with pytest.raises(manifest.ManifestError, match=message):
        manifest.manifest_text(paths)


def test_a_manifest_of_another_format_is_refused() -> None:
    with pytest.raises(manifest.ManifestError, match="is not a GovNet build manifest of format 1"):
        manifest.read_manifest({manifest.MANIFEST: b'{"format": 2, "devices": {}}\n'})
    with pytest.raises(manifest.ManifestError, match="is not a GovNet build manifest"):
        manifest.read_manifest({manifest.MANIFEST: b"format: 1\n"})


def test_a_build_on_disk_is_read_from_its_manifest_or_its_paths(builds: dict[str, dict[str, bytes]], tmp_path: Path) -> None:
    files = builds["lab"]
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    with_manifest = manifest.read_build(tmp_path)
    (tmp_path / manifest.MANIFEST).unlink()
    assert manifest.read_build(tmp_path) == with_manifest == manifest.read_manifest(files)
