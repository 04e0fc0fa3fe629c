"""The network as Ansible sees it: groups with what their hosts share, hosts with only their own variables."""

from __future__ import annotations

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import inventory_view
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import schema
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import read_source
from conftest import ROOT, SMALL

SMALL_LAB = ROOT / "tests" / "fixtures" / "small-lab" / "institutions.yml"


def test_a_platform_group_gets_the_registry_entry_connection_and_rollout_tasks() -> None:
    assert inventory_view.platform_vars("ios_xe") == {
        "govnet_platform": "ios_xe",
        "ansible_connection": "ansible.netcommon.network_cli",
        "ansible_network_os": "cisco.ios.ios",
        "govnet_deploy_tasks": "ios_xe.yml",
        "govnet_backup_tasks": "backup_ios_xe.yml",
        "govnet_verify_tasks": "verify_ios_xe.yml",
    }
    lab = inventory_view.platform_vars("lab")
    assert (lab["ansible_connection"], lab["govnet_verify_tasks"]) == ("ega.govnet.netns", "verify_lab.yml")


def test_an_unknown_platform_gets_no_connection_but_an_error() -> None:
    """Before the registry, any platform but IOS-XE silently got the lab's namespace connection."""
    with pytest.raises(ValueError, match=r"platform 'junos' is not a device platform\. Hint: a device's platform is one of ios_xe, lab"):
        inventory_view.platform_vars("junos")


@pytest.mark.parametrize("role", schema.DEVICE_ROLES)
def test_a_role_group_says_whether_its_devices_route(role: str) -> None:
    assert inventory_view.role_vars(role) == {"govnet_role": role, "govnet_router": role in ("core_hub", "regional_aggregation", "ce_router")}


def test_hosts_hold_only_their_own_variables() -> None:
    view = inventory_view.device_hosts(read_source(SMALL))
    hosts = {host.name: host for host in view.hosts}
    assert set(hosts["mof-ce1"].variables) == {"ansible_host"}
    assert {"ce_routers", "ios_xe", "ministries", "phase_1", "institution_mof", "region_dodoma"} <= set(hosts["mof-ce1"].groups)
    assert view.groups["ce_routers"] == {"govnet_role": "ce_router", "govnet_router": True}
    assert view.groups["access_switches"]["govnet_router"] is False
    assert view.groups["institution_mof"] == {"govnet_institution": "mof", "govnet_institution_id": 8}
    assert list(view.groups) == sorted(view.groups)


def test_a_lab_host_gets_its_namespace_from_its_platform() -> None:
    view = inventory_view.device_hosts(read_source(SMALL_LAB))
    hosts = {host.name: host for host in view.hosts}
    assert hosts["mof-ce1"].variables["govnet_netns"] == "gn-mof-ce1"
    assert "lab" in hosts["mof-ce1"].groups
