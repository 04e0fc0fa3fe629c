#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: validate
short_description: Validate the GovNet registry and policy against the one schema
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Checks the registry and the GovNet policy, and that the whole network can be allocated
    (pools large enough, pins inside their pools and clear of everything else, codes unique,
    a prefix-free dial plan, unique hostnames).
  - Fails listing every problem at once, each naming the institution (id and slug) or device,
    the field, the bad value and a hint. Writes nothing.
  - Runs on the controller (an action plugin); no device is contacted.
options:
  inventory:
    description: Path of the registry file (an C(ega.govnet.registry) inventory source); playbooks pass C(govnet_inventory_file).
    type: path
    required: true
attributes:
  check_mode:
    description: Validation writes nothing, so check mode runs it in full.
    support: full
  diff_mode:
    description: No diff is shown; compare two builds with diff -r instead.
    support: none
  platform:
    description: Runs on the Ansible controller only.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Validate GovNet
  ega.govnet.validate:
    inventory: "{{ govnet_inventory_file }}"
"""

RETURN = r"""
devices:
  description: Number of devices the valid input describes.
  returned: success
  type: int
  sample: 1013
institutions:
  description: Number of institutions in the build.
  returned: success
  type: int
  sample: 281
problems:
  description: Every validation problem, one per item.
  returned: failure
  type: list
  elements: str
  sample:
    - "institution 7 (mot), field 'region', value 'dodom': is not a known region.
      Hint: use the slug of a region in govnet_regions."
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(inventory=dict(type="path", required=True)), supports_check_mode=True)
    module.fail_json(msg="ega.govnet.validate runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
