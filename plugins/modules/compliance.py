#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: compliance
short_description: Compare every device's running configuration with a GovNet build, per feature, and report
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Compares what each device runs with the intended configuration in I(build), feature by feature (interfaces,
    BGP, ACLs, QoS, voice, management, ... as the platform defines them), and writes C(compliance.md),
    C(compliance.html) (per-institution and per-feature summary, each device's differences), C(compliance.json)
    and C(compliance.xml) (JUnit XML, a test suite per institution and a test case per device) into I(dest).
  - IOS-XE goes through hier_config; each drifted feature lists the exact remediation lines. Lab routers are
    compared by C(frr-reload.py --test)'s delta, lab switches by their Open vSwitch ports and VLANs, lab call
    control by Kamailio's files.
  - No report holds a secret; secret lines are not compared (a device shows them hashed).
  - Runs on the controller (an action plugin); the devices were read by playbooks/compliance.yml.
options:
  build:
    description: The build the devices are held to (made by playbooks/build.yml).
    type: path
    required: true
  dest:
    description: Where the reports are written.
    type: path
    required: true
  running:
    description:
      - What each device runs, by device name, as playbooks/compliance.yml gathers it
        (C({config}) for IOS-XE, C({frr_reload_test}), C({ports}) or C({files}) for the lab, C({error}) when unreadable).
    type: dict
    default: {}
  running_dir:
    description: A folder of IOS-XE running configurations (C(<device>.cfg)), compared in addition to I(running).
    type: path
  title:
    description: The reports' title.
    type: str
    default: GovNet compliance
attributes:
  check_mode:
    description: The reports are written in check mode too; no device is changed.
    support: full
  diff_mode:
    description: No diff; the reports hold the differences.
    support: none
  platform:
    description: Runs on the Ansible controller only.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Compare and report
  ega.govnet.compliance:
    build: "{{ govnet_build_dir }}"
    dest: "{{ govnet_build_dir }}/../compliance"
    running: "{{ dict(play_hosts | zip(play_hosts | map('extract', hostvars, 'compliance_running'))) }}"
  register: compliance
"""

RETURN = r"""
compliant:
  description: Whether every compared device is compliant.
  returned: success
  type: bool
drifted:
  description: Each drifted device with the features that differ.
  returned: success
  type: dict
  sample: {"moa-ce1": ["static routes"], "gpsa-sw1": ["vlans"]}
errors:
  description: Devices that could not be compared, with why.
  returned: success
  type: dict
summary:
  description: Counts for the network, per institution and per feature.
  returned: success
  type: dict
reports:
  description: Paths of the four reports.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(build=dict(type="path", required=True), dest=dict(type="path", required=True),
                                              running=dict(type="dict", default={}), running_dir=dict(type="path"),
                                              title=dict(type="str", default="GovNet compliance")),
                           supports_check_mode=True)
    module.fail_json(msg="ega.govnet.compliance runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
