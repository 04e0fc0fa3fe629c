# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.lab: the thin shell around the library's labnet (what) and labctl (how)."""

from __future__ import annotations

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import ctl as labctl
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError, internal_error
from ansible_collections.ega.govnet.plugins.modules.lab import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub
    REQUIRED_IF = (("state", "present", ("inventory",)),)

    def act(self, result, args):
        state = args["state"]
        try:
            if state == "absent":
                if self._task.check_mode:
                    labctl.check_prerequisites()
                    return dict(result, changed=bool(labctl.lab_namespaces() or labctl.lab_folders()), state=state)
                outcome = labctl.absent()
                return dict(result, changed=outcome.changed, state=state, removed=outcome.removed, timings=_rounded(outcome.timings))
            network = plan(args["inventory"])
            if self._task.check_mode:
                labctl.check_prerequisites()
                topology = labnet.topology(network.states)
                return dict(result, changed=bool(labctl.mismatches(topology)), state=state, **labnet.summary(topology))
            outcome = labctl.present(network.states)
        except GovnetInputError as error:
            return dict(result, failed=True, msg=error.report(), problems=[str(problem) for problem in error.problems])
        except labctl.LabError as error:
            return dict(result, failed=True, msg=f"lab {state}: {error}")
        except OSError as error:
            return dict(result, failed=True, msg=f"lab {state}: {error.filename or 'a file'}: {error.strerror}. Hint: the lab needs root")
        except Exception as error:  # pylint: disable=broad-exception-caught
            return dict(result, failed=True, msg=internal_error(f"lab {state}", error))
        return dict(
            result,
            changed=outcome.changed,
            state=state,
            removed=outcome.removed,
            timings=_rounded(outcome.timings),
            msg=f"GovNet lab up: {outcome.counts['namespaces']} namespaces, {outcome.counts['links']} links, {outcome.counts['switches']} switches",
            **outcome.counts,
        )


def _rounded(timings):
    return {name: round(seconds, 3) for name, seconds in timings.items()}
