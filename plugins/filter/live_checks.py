# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the rollout's live checks of a device; the checks live in plugin_utils/govnet/ops/live_checks.py,
where the Molecule lab tests use them too."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.live_checks import CHECKS, judge, lab_command

STATE_HINT = "pass the device's intended state (build/plan/<device>.yml, read with from_yaml)"


def _known(name, check, known):
    if not isinstance(check, str) or check not in known:
        raise AnsibleFilterError(f"{name}: argument 'check', value {check!r}: must be one of {', '.join(sorted(known))}. Hint: name the check to run")


def live_check(output, check, intended, stage=""):
    """Judge a command's output against the device's intended state: {name, ok, detail}, the name after the stage."""
    _known("live_check", check, CHECKS)
    if not isinstance(intended, dict):
        raise AnsibleFilterError(f"live_check: argument 'intended', value of type {type(intended).__name__}: must be a dict. Hint: {STATE_HINT}")
    try:
        return judge(check, output, intended).as_dict(str(stage))
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError(f"live_check: check {check}: the intended state lacks or mistypes {error}. Hint: {STATE_HINT}") from None


def live_check_command(check, netns, run_dir):
    """The argv of the command whose output a lab check reads."""
    lab_checks = [name for name in CHECKS if name.startswith("lab_") and name != "lab_sip_options"]
    _known("live_check_command", check, lab_checks)
    return lab_command(check, str(netns), str(run_dir))


class FilterModule:
    def filters(self):
        return {"live_check": live_check, "live_check_command": live_check_command}
