"""The platform registry: one entry per platform, each owning its paths of a build and knowing each file's daemon."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import schema
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms import registry
from conftest import ROOT, SMALL

SMALL_LAB = ROOT / "tests" / "fixtures" / "small-lab" / "institutions.yml"


@pytest.fixture(scope="module")
def builds() -> dict[str, dict[str, bytes]]:
    """The small fixture's build on IOS-XE (with the hubs' SIP core servers) and on the lab platform."""
    return {"ios_xe": outputs(plan(SMALL)), "lab": outputs(plan(SMALL_LAB))}


def test_the_schema_allows_exactly_the_registered_device_platforms() -> None:
    assert sorted(schema.PLATFORMS) == list(registry.DEVICE_PLATFORMS) == ["ios_xe", "lab"]


def test_each_platform_is_declared_once_with_its_connection_and_rollout_tasks() -> None:
    assert [entry.name for entry in registry.PLATFORMS] == ["ios_xe", "sip_core", "lab"]
    assert registry.platform("ios_xe").connection["ansible_connection"] == "ansible.netcommon.network_cli"
    assert registry.platform("lab").connection["ansible_connection"] == "ega.govnet.netns"
    for name in registry.DEVICE_PLATFORMS:
        entry = registry.platform(name)
        assert (entry.deploy_tasks, entry.backup_tasks, entry.verify_tasks) == (f"{name}.yml", f"backup_{name}.yml", f"verify_{name}.yml")
        assert (ROOT / "roles" / "device_config" / "tasks" / entry.deploy_tasks).is_file()
        assert (ROOT / "roles" / "rollout_device" / "tasks" / entry.backup_tasks).is_file()
        assert (ROOT / "roles" / "rollout_device" / "tasks" / entry.verify_tasks).is_file()
    assert not registry.platform("sip_core").device_platform


def test_an_unknown_platform_is_refused_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"platform 'junos' is not registered\. Hint: use one of ios_xe, lab, sip_core"):
        registry.platform("junos")
    with pytest.raises(ValueError, match=r"platform 'sip_core' is not a device platform\. Hint: a device's platform is one of ios_xe, lab"):
        registry.device_platform("sip_core")


def test_rendering_refuses_a_device_of_an_unregistered_platform() -> None:
    states = copy.deepcopy(plan(SMALL).states)
    states["mof-ce1"]["platform"] = "junos"
    with pytest.raises(ValueError, match="platform 'junos' is not a device platform"):
        registry.render_all(states)


@pytest.mark.parametrize("build", ["ios_xe", "lab"])
def test_every_rendered_file_has_exactly_one_owner_and_a_daemon(builds: dict[str, dict[str, bytes]], build: str) -> None:
    rendered = [path for path in builds[build] if path.startswith(("configs/", "lab/"))]
    assert rendered
    for path in rendered:
        owners = [(entry, entry.owner(path)) for entry in registry.PLATFORMS if entry.owner(path)]
        assert len(owners) == 1, path
        entry, (device, name) = owners[0]
        assert f"plan/{device}.yml" in builds[build]
        assert entry.daemon(path, name)


def test_the_owners_place_files_as_the_renderers_name_them() -> None:
    ios_xe, lab, sip_core = (registry.platform(name) for name in ("ios_xe", "lab", "sip_core"))
    assert ios_xe.owner("configs/mof-ce1.cfg") == ("mof-ce1", "config")
    assert ios_xe.owner("configs/core-dar-sip-core/dialplan") is None
    assert sip_core.owner("configs/core-dar-sip-core/dialplan") == ("core-dar", "dialplan")
    assert lab.owner("lab/core-dar/sip-core/kamailio.cfg") == ("core-dar", "sip-core/kamailio.cfg")
    assert (lab.daemon("lab/x/frr.conf", "frr.conf"), lab.daemon("lab/x/sip-core/version", "sip-core/version")) == ("frr", "sip_core")
    assert all(entry.owner(path) is None for entry in registry.PLATFORMS for path in ("plan/mof-ce1.yml", "docs/index.html", "manifest.json"))


def test_a_file_the_layout_does_not_know_is_named_with_a_hint() -> None:
    with pytest.raises(ValueError, match=r"platform lab: the build has lab/x/bird.conf, .* Hint: add 'bird.conf' and its daemon .*platforms/lab/platform.py"):
        registry.platform("lab").daemon("lab/x/bird.conf", "bird.conf")
