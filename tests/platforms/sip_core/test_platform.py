"""The production SIP core platform entry: a hub's server files belong to the hub, Ansible reaches no device of it."""

from __future__ import annotations

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.sip_core import platform, render


def test_the_server_folder_belongs_to_its_hub() -> None:
    assert platform.owner("configs/core-dar-sip-core/kamailio.cfg") == ("core-dar", "kamailio.cfg")
    assert platform.owner("configs/-sip-core/kamailio.cfg") is None  # no hub name
    assert platform.owner("configs/core-dar.cfg") is None


def test_each_file_is_kamailios_and_the_platform_has_no_device_of_its_own() -> None:
    assert set(platform.PLATFORM.layout) == set(render.FILES) and set(platform.PLATFORM.layout.values()) == {"kamailio"}
    assert not platform.PLATFORM.device_platform and not platform.PLATFORM.deploy_tasks
