# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.validate: the thin shell around the library's validation."""

from __future__ import annotations

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import check
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError, internal_error
from ansible_collections.ega.govnet.plugins.modules.validate import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub

    def act(self, result, args):
        inventory = args["inventory"]
        try:
            registry, devices = check(inventory)
        except GovnetInputError as error:
            return dict(result, failed=True, msg=error.report(), problems=[str(problem) for problem in error.problems])
        except Exception as error:  # pylint: disable=broad-exception-caught
            return dict(result, failed=True, msg=internal_error("validate", error))
        return dict(
            result,
            changed=False,
            institutions=len(registry.institutions),
            devices=len(devices),
            msg=f"GovNet input is valid: {len(registry.institutions)} institutions, {len(devices)} devices",
        )
