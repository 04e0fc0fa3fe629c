# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.build: the thin shell around the library's build()."""

from __future__ import annotations

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.dest import BuildDestinationError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.manifest import ManifestError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.parts import BuildWorkerError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.modules.build import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub

    def act(self, result, args):
        try:
            outcome = build(args["inventory"], args["dest"], check=self._task.check_mode)
        except GovnetInputError as error:
            return dict(result, failed=True, msg=error.report(), problems=[str(problem) for problem in error.problems])
        except (BuildDestinationError, BuildWorkerError, ManifestError) as error:
            return dict(result, failed=True, msg=str(error))
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            hint = "Hint: nothing was replaced; fix the cause and build again."
            return dict(result, failed=True, msg=f"The build into {args['dest']} failed: {error.strerror or error}{where}. {hint}")
        network = outcome.network
        return dict(
            result,
            changed=outcome.changed,
            dest=str(args["dest"]),
            files=outcome.files,
            devices=len(network.states),
            institutions=len(network.registry.institutions),
            msg=f"GovNet built: {len(network.registry.institutions)} institutions, {len(network.states)} devices, {outcome.files} files",
        )
