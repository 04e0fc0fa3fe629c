"""The IOS-XE platform entry: one configuration file per device, pushed by ios_config over network_cli."""

from __future__ import annotations

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import platform


def test_a_device_owns_its_one_configuration_and_nothing_in_a_folder() -> None:
    assert platform.owner("configs/mof-ce1.cfg") == ("mof-ce1", platform.CONFIG)
    assert platform.owner("configs/core-dar-sip-core/kamailio.cfg") is None  # the SIP core platform's
    assert platform.owner("lab/mof-ce1/frr.conf") is None and platform.owner("plan/mof-ce1.yml") is None


def test_connection_and_task_files_name_the_ios_collection() -> None:
    entry = platform.PLATFORM
    assert entry.connection["ansible_network_os"] == "cisco.ios.ios"
    assert entry.daemon("configs/mof-ce1.cfg", platform.CONFIG) == "ios_config"
    assert entry.deploy_tasks and entry.backup_tasks and entry.verify_tasks
