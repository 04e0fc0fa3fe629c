"""Where a lab device lives (platforms/lab/names.py): its namespace, named from its hostname, and its run folder."""

from __future__ import annotations

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.names import PREFIX, RUN_ROOT, netns, run_dir


def test_a_device_lives_in_gn_hostname_with_its_run_folder_under_the_lab_root() -> None:
    assert netns("moa-ce1") == f"{PREFIX}moa-ce1" == "gn-moa-ce1"
    assert run_dir(netns("moa-sw1")) == f"{RUN_ROOT}/gn-moa-sw1"


@pytest.mark.parametrize("hostname", ["", "../etc", "moa/ce1", "MOA-CE1", "moa ce1", "moa-ce1\n", "mo\u0430-ce1"])
def test_a_hostname_that_is_no_file_name_gets_no_namespace(hostname: str) -> None:
    with pytest.raises(ValueError, match="a lab namespace is named by a hostname of lowercase ASCII letters, digits and '-'"):
        netns(hostname)
