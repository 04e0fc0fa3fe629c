#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: build
short_description: Build GovNet from a registry into a build directory
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Validates the registry and the GovNet policy, allocates every address, ASN and number in one pass,
    computes the intended state of every device and writes the build directory
    (C(plan/<device>.yml), C(configs/), C(lab/), C(docs/)), with C(manifest.json), every device's files, each with
    the platform that rendered it and the daemon that reads it (the roles and the rollout read it).
  - The build is written into a fresh directory beside I(dest) and swapped in only when complete;
    invalid input writes nothing and leaves the previous build as it was.
  - An unchanged build leaves I(dest) alone and reports C(changed=false).
  - I(dest) is replaced only when it is a previous build (it holds the marker file C(.govnet-build), or only the
    C(plan/), C(docs/), C(configs/), C(lab/) folders of a build made before the marker), an empty folder, or absent;
    a file, a folder with other content or a link to anything else is refused with a message naming it.
  - Builds into one I(dest) take turns (the lock file C(.<dest>.lock) beside it); an interrupted build
    (SIGTERM, SIGINT) leaves no staging folder, and the next build removes what a killed one left.
  - Runs on the controller (an action plugin); no device is contacted.
options:
  inventory:
    description: Path of the registry file (an C(ega.govnet.registry) inventory source); playbooks pass C(govnet_inventory_file).
    type: path
    required: true
  dest:
    description: The build directory to create or replace (absent, empty, or a previous build).
    type: path
    required: true
attributes:
  check_mode:
    description: In check mode nothing is written; the result says whether the build would change.
    support: full
  diff_mode:
    description: No diff is shown; compare two builds with diff -r instead.
    support: none
  platform:
    description: Runs on the Ansible controller only.
    support: full
    platforms: posix
notes:
  - Every problem in the input is reported at once, each naming the institution or device, the field, the value and a hint.
"""

EXAMPLES = r"""
- name: Build GovNet
  ega.govnet.build:
    inventory: "{{ govnet_inventory_file }}"
    dest: "{{ govnet_build_dir }}"
"""

RETURN = r"""
devices:
  description: Number of devices planned.
  returned: success
  type: int
  sample: 1013
institutions:
  description: Number of institutions built.
  returned: success
  type: int
  sample: 281
files:
  description: Number of files in the build directory.
  returned: success
  type: int
  sample: 2350
problems:
  description: Every validation problem, one per item.
  returned: failure
  type: list
  elements: str
  sample:
    - "institution 42 (moh), field 'size', value 'huge': is not a known size.
      Hint: use one of large, medium, small (govnet_size_classes)."
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(inventory=dict(type="path", required=True), dest=dict(type="path", required=True)), supports_check_mode=True
    )
    module.fail_json(msg="ega.govnet.build runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
