#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_report
short_description: Report a GovNet rollout and advance the deployed revision of the devices that verified
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Reads the plan (C(plan.json)) and the per-device results (C(results/<device>.json)) in I(dest); a device
    of the plan without a result was not started because an earlier wave stopped the rollout.
  - Writes C(report.md) (what changed where, what was verified, what was rolled back) and C(report.xml)
    (JUnit XML, a test suite per wave and a test case per device) into I(dest).
  - Moves the deployed revision in C(deployed/<environment>.json) to the plan's HEAD for the devices that
    verified, and only for them.
  - Runs on the controller (an action plugin); no device is contacted.
options:
  dest:
    description: The rollout's folder (the I(dest) of M(ega.govnet.rollout_plan)).
    type: path
    required: true
  repo:
    description: The git checkout holding the state file (returned by M(ega.govnet.rollout_plan) as C(repo)).
    type: path
    required: true
attributes:
  check_mode:
    description: Not supported; the report and the state file are always written.
    support: none
  diff_mode:
    description: No diff; the state file is in git.
    support: none
  platform:
    description: Runs on the Ansible controller only.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Write the report and advance the deployed state
  ega.govnet.rollout_report:
    dest: "{{ rollout_dir }}"
    repo: "{{ rollout_plan.repo }}"
  register: rollout_report
"""

RETURN = r"""
stopped_at:
  description: The wave where a device did not verify (null when the rollout completed).
  returned: success
  type: str
  sample: canary
verified:
  description: The devices that verified HEAD (their deployed revision moved to HEAD).
  returned: success
  type: list
  elements: str
statuses:
  description: Each device's result (verified, rolled_back, restore_failed, unreachable or not_started).
  returned: success
  type: dict
  sample: {"gpsa-ce1": "rolled_back", "moa-ce1": "not_started"}
report:
  description: Path of the Markdown report.
  returned: success
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(dest=dict(type="path", required=True), repo=dict(type="path", required=True)))
    module.fail_json(msg="ega.govnet.rollout_report runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
