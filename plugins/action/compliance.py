# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.compliance: compare what the devices run with a build and write the reports."""

from __future__ import annotations

from pathlib import Path


from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.compliance_report import summary, write_reports
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.compliance_run import compare, running_from_dir
from ansible_collections.ega.govnet.plugins.modules.compliance import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub

    def act(self, result, args):
        build, dest = Path(args["build"]), Path(args["dest"])
        if not (build / "plan").is_dir():
            return dict(result, failed=True, msg=f"build {build}: no plan/ folder; run playbooks/build.yml first (-e govnet_build_dir=DIR)")
        running = dict(running_from_dir(Path(args["running_dir"]), build)) if args.get("running_dir") else {}
        running.update(args["running"])
        try:
            results = compare(build, running)
        except (KeyError, OSError, ValueError) as error:
            return dict(result, failed=True, msg=f"compliance: cannot compare with build {build}: {error}")
        reports = write_reports(results, dest, args["title"])
        drifted = {r.device: [item.feature for item in r.drift] for r in results if r.drift}
        errors = {r.device: r.error for r in results if r.error}
        counts = summary(results)
        return dict(
            result,
            changed=False,
            compliant=not drifted and not errors,
            drifted=drifted,
            errors=errors,
            summary=counts,
            reports=[str(path) for path in reports],
            msg=f"{counts['devices']} devices: {counts['compliant']} compliant, {counts['drift']} drifted, "
            f"{counts['errors']} not compared; report in {reports[0]}",
        )
