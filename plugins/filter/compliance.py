# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for IOS-XE remediation and rollback; the logic lives in plugin_utils/govnet/compliance.py (hier_config)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.compliance import frr_compare
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.compliance import ios_remediation as _remediation


def ios_remediation(running, intended):
    """The IOS-XE lines, in order, that bring a running configuration to an intended one (GovNet's features only)."""
    if not isinstance(running, str) or not isinstance(intended, str):
        raise AnsibleFilterError(
            f"ios_remediation: expected two configurations as text, got {type(running).__name__} and {type(intended).__name__}")
    try:
        return _remediation(running, intended)
    except ValueError as error:  # hier-config missing on the controller
        raise AnsibleFilterError(f"ios_remediation: {error}") from error


def frr_drift(reload_test):
    """The drift in frr-reload.py --test's output, one masked line each (the lab's always-reported lines aside)."""
    if not isinstance(reload_test, str):
        raise AnsibleFilterError(f"frr_drift: expected frr-reload.py --test's output as text, got {type(reload_test).__name__}")
    return [f"{item.feature}: {line}" for item in frr_compare("", "", reload_test).drift for line in item.lines]


class FilterModule:
    """Remediation filters: IOS-XE (hier_config) and the lab's FRR."""

    def filters(self):
        return {"ios_remediation": ios_remediation, "frr_drift": frr_drift}
