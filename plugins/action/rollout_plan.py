# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.rollout_plan: the thin shell around the library's rollout plan."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import rollout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import internal_error
from ansible_collections.ega.govnet.plugins.modules.rollout_plan import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction

# What a plan run replaces in dest (and nothing else there).
OUTPUTS = ("head", "base", "results", "backup", "plan.json", "plan.md", "report.md", "report.xml")


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub

    def act(self, result, args):
        try:
            return self._plan(result, args)
        except rollout.RolloutError as error:
            return dict(result, failed=True, msg=str(error))
        except OSError as error:
            return dict(result, failed=True, msg=f"rollout: {error.filename or 'a file'}: {error.strerror}. Hint: check dest and its permissions")
        except Exception as error:  # pylint: disable=broad-exception-caught
            return dict(result, failed=True, msg=internal_error("rollout_plan", error))

    def _plan(self, result, args):
        """Record the deployed state, or plan the rollout into dest."""
        inventory = Path(args["inventory"]).resolve()
        dest = Path(args["dest"])
        repo = Path(rollout.git(inventory.parent, "rev-parse", "--show-toplevel"))
        relative = os.path.relpath(inventory, repo)
        for name in OUTPUTS:
            target = dest / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        dest.mkdir(parents=True, exist_ok=True)
        if args["record"]:
            head = rollout.resolve(repo, args["head"])
            devices = rollout.device_files(rollout.render_revision(repo, head, relative, dest / "head"))
            path = rollout.write_state(repo, args["environment"], {name: head for name in devices})
            return dict(
                result,
                changed=True,
                state_file=str(path),
                head=head,
                msg=f"{len(devices)} devices recorded as deployed at {head[:12]} in {path}",
            )
        plan = rollout.make_plan(
            repo,
            relative,
            args["environment"],
            dest,
            args["policy"],
            args["region_order"],
            args["head"],
        )
        data = plan.to_json()
        (dest / "plan.json").write_text(json.dumps(data, indent=2) + "\n")
        (dest / "plan.md").write_text(rollout.plan_markdown(data))
        (dest / "results").mkdir()
        hosts = [name for wave in data["waves"] for name in wave["devices"]]
        return dict(
            result,
            changed=False,
            head=plan.head,
            repo=str(repo),
            build=str(dest / "head"),
            waves=data["waves"],
            hosts=hosts,
            bases={name: item["base"] for name, item in data["devices"].items()},
            serial=[len(wave["devices"]) for wave in data["waves"]] or [1],
            removed=data["removed"],
            files=plan.files,
            msg=f"{len(hosts)} devices change in {len(data['waves'])} waves; plan in {dest / 'plan.md'}",
        )
