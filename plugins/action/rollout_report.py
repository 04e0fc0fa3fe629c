# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.rollout_report: report the rollout and advance the deployed state."""

from __future__ import annotations

import json
from pathlib import Path


from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import rollout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import internal_error
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.rollout_report import outcome, read_results, report_junit, report_markdown
from ansible_collections.ega.govnet.plugins.modules.rollout_report import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub

    def act(self, result, args):
        try:
            return self._report(result, Path(args["dest"]), Path(args["repo"]))
        except rollout.RolloutError as error:
            return dict(result, failed=True, msg=str(error))
        except (OSError, ValueError) as error:
            return dict(result, failed=True, msg=f"rollout report: cannot use the plan in {args['dest']}: {error}. Hint: run the plan first")
        except Exception as error:  # pylint: disable=broad-exception-caught
            return dict(result, failed=True, msg=internal_error("rollout_report", error))

    def _report(self, result, dest, repo):
        """Write report.md and report.xml, and move the deployed state forward for the verified devices."""
        plan = json.loads((dest / "plan.json").read_text())
        done = outcome(plan, read_results(dest / "results"))
        (dest / "report.md").write_text(report_markdown(plan, done))
        (dest / "report.xml").write_text(report_junit(plan, done))
        changed = False
        if done.verified:
            state = rollout.read_state(repo, plan["environment"])
            state.update({name: plan["head"] for name in done.verified})
            rollout.write_state(repo, plan["environment"], state)
            changed = True
        statuses = {name: item["status"] for name, item in done.results.items()}
        return dict(
            result,
            changed=changed,
            stopped_at=done.stopped_at,
            verified=done.verified,
            statuses=statuses,
            report=str(dest / "report.md"),
            msg=(f"rollout stopped in wave '{done.stopped_at}'" if done.stopped_at else "rollout complete")
            + f": {len(done.verified)} of {len(statuses)} devices verified; report in {dest / 'report.md'}",
        )
