"""The lab platform entry: each device's files under lab/<device>/, each with the daemon that reads it."""

from __future__ import annotations

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import platform
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.names import netns


def test_a_file_in_a_device_folder_or_its_subfolders_is_the_devices() -> None:
    assert platform.owner("lab/core-dar/soc/rsyslog.conf") == ("core-dar", "soc/rsyslog.conf")
    assert platform.owner("lab/moa-ce1/frr.conf") == ("moa-ce1", "frr.conf")
    assert platform.owner("lab/moa-ce1") is None and platform.owner("configs/moa-ce1.cfg") is None


def test_every_device_lives_in_its_namespace() -> None:
    assert platform.host_vars("moa-ce1") == {"govnet_netns": netns("moa-ce1")}


def test_an_unknown_file_is_refused_with_where_to_declare_it() -> None:
    with pytest.raises(ValueError, match=r"lab/moa-ce1/extra.conf.*platforms/lab/platform.py"):
        platform.PLATFORM.daemon("lab/moa-ce1/extra.conf", "extra.conf")
