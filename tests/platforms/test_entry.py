"""A platform entry's defaults: no host variables, and a file its layout does not know is an error naming it."""

from __future__ import annotations

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.entry import Platform, no_host_vars


def test_defaults_are_a_platform_ansible_does_not_reach() -> None:
    entry = Platform(name="junos", render=lambda states, only: {}, owner=lambda path: None, layout={"config": "junos_config"})
    assert entry.host_vars is no_host_vars and no_host_vars("r1") == {}
    assert (entry.deploy_tasks, entry.backup_tasks, entry.verify_tasks, entry.device_platform) == ("", "", "", True)
    assert entry.daemon("configs/r1.conf", "config") == "junos_config"
    with pytest.raises(ValueError, match=r"platform junos: the build has configs/r1.set"):
        entry.daemon("configs/r1.set", "r1.set")
