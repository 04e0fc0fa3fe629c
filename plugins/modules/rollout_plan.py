#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_plan
short_description: Plan a GovNet rollout from the deployed revision of each device to HEAD
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Renders HEAD and every revision an environment's devices are deployed at (from the state file
    C(deployed/<environment>.json) in the repository), each with its own code from C(git archive), and lists
    the devices whose files (intended state, IOS-XE configuration, lab files) differ, with a unified diff each.
  - Orders those devices in waves by the policy I(policy) (C(govnet_rollout)). First a canary wave (institutions
    chosen per category), then batches of institutions by region in I(region_order), and the regional
    aggregation routers and core hubs last (or first, as the policy says).
  - Writes C(plan.json) and C(plan.md) into I(dest), and HEAD's build into C(dest/head), which the rollout
    pushes. Earlier plans, results, backups and reports in I(dest) are removed first.
  - With I(record=true) it plans nothing and records every device of HEAD as deployed at HEAD (after a
    full deploy of the environment, e.g. the first one).
  - Runs on the controller (an action plugin); no device is contacted.
options:
  inventory:
    description: The registry file of the environment, inside a git checkout.
    type: path
    required: true
  environment:
    description: The environment's name; its state file is C(deployed/<environment>.json).
    type: str
    required: true
  dest:
    description: Folder for the plan, HEAD's build, backups, results and the report.
    type: path
    required: true
  policy:
    description: The rollout policy, C(govnet_rollout) from C(plugins/plugin_utils/govnet/design/defaults/rollout.yml).
    type: dict
    default: {}
  region_order:
    description: Region slugs in the order their batches run (regions not listed come after).
    type: list
    elements: str
    default: []
  record:
    description: Record every device of HEAD as deployed at HEAD instead of planning.
    type: bool
    default: false
  head:
    description: The revision to roll out.
    type: str
    default: HEAD
attributes:
  check_mode:
    description: Planning changes no device; the plan files are written in check mode too.
    support: full
  diff_mode:
    description: The unified diffs are in C(plan.md) and C(plan.json), not in Ansible's diff output.
    support: none
  platform:
    description: Runs on the Ansible controller only.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Plan the rollout
  ega.govnet.rollout_plan:
    inventory: "{{ govnet_inventory_file }}"
    environment: lab
    dest: "{{ playbook_dir }}/../build/rollout/lab"
    policy: "{{ govnet_rollout }}"
    region_order: "{{ govnet_regions | sort(attribute='id') | map(attribute='slug') | list }}"
  register: rollout_plan
"""

RETURN = r"""
head:
  description: The commit being rolled out.
  returned: success
  type: str
  sample: 3f1c0d2e9b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d
repo:
  description: The git checkout that holds the inventory and the state file.
  returned: success, unless record
  type: str
build:
  description: HEAD's build directory, which the rollout pushes.
  returned: success, unless record
  type: str
waves:
  description: The waves in order, each with its name and devices.
  returned: success, unless record
  type: list
  elements: dict
  sample: [{"name": "canary", "devices": ["moa-ce1", "moa-sw1", "moa-cc1"]}]
hosts:
  description: Every device to roll out, in wave order.
  returned: success, unless record
  type: list
  elements: str
bases:
  description: Each device's deployed revision before the rollout (null for a device new at HEAD).
  returned: success, unless record
  type: dict
  sample: {"moa-ce1": 3f1c0d2e9b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d}
serial:
  description: The number of devices of each wave (a play's serial batches); [1] when nothing changes.
  returned: success, unless record
  type: list
  elements: int
files:
  description:
    - Each device to roll out with its files at HEAD (C(head)) and at the revision it runs (C(base), empty for a device new
      at HEAD), from the two builds' C(manifest.json); each file has its C(path) in the build, its C(platform), the
      C(daemon) that reads it and its C(name) among the device's files. C(ega.govnet.rollout_device) pushes, backs up
      and restores by them.
  returned: success, unless record
  type: dict
  sample: {"moa-ce1": {"head": [{"path": lab/moa-ce1/frr.conf, "platform": lab, "daemon": frr, "name": frr.conf}], "base": []}}
removed:
  description: Devices recorded as deployed that HEAD no longer has (the rollout leaves them alone).
  returned: success, unless record
  type: list
  elements: str
state_file:
  description: The state file written.
  returned: record
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            inventory=dict(type="path", required=True),
            environment=dict(type="str", required=True),
            dest=dict(type="path", required=True),
            policy=dict(type="dict", default={}),
            region_order=dict(type="list", elements="str", default=[]),
            record=dict(type="bool", default=False),
            head=dict(type="str", default="HEAD"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ega.govnet.rollout_plan runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
