#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: report
short_description: Report GovNet calls, minutes and the saving against the PSTN tariff from call control records
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Reads the call records of call control devices (each call recorded once, by the caller's call control) and
    writes a report into O(dest) as C(calls.md), C(calls.html) and C(calls.svg) (a bar chart of minutes per
    institution, inline in the HTML page).
  - The report holds calls and minutes per institution and per pair of institutions, failed calls by reason,
    and the estimated saving of on-net calls (and the spend of PSTN calls) at the per-minute rates of the
    C(govnet_tariffs) policy (C(plugins/plugin_utils/govnet/design/defaults/tariffs.yml)).
  - Lab call control (Kamailio) records are C(acc_*.log) lines in the run folder of its namespace; IOS-XE voice
    gateways report C(%VOIPAAA-5-VOIP_CALL_HISTORY) syslog messages (C(gw-accounting syslog)), saved to files.
  - A record that cannot be read (not UTF-8, a damaged line, a bad field) fails the task, naming the file, line,
    field and value with a hint; every bad record of the run is listed at once, none is skipped.
  - Text from the records (failure reasons) is escaped for each file; control characters are shown as U+FFFD.
  - Runs on the controller (an action plugin); it reads files and contacts no device.
options:
  inventory:
    description: Path of the registry file (an C(ega.govnet.registry) inventory source); playbooks pass C(govnet_inventory_file).
    type: path
    required: true
  dest:
    description: Folder the report is written into (made if missing); files that would not change are left alone.
    type: path
    required: true
  records:
    description:
      - The record files of each call control device, as a mapping of hostname to a list of paths or globs
        (a glob that matches nothing means no calls).
      - Default is the lab run folder of every lab call control device of the plan (C(/run/govnet-lab/gn-HOST/acc_*.log)).
    type: dict
  period_start:
    description: Leave out calls that started before this time (epoch seconds, or ISO 8601 with an offset).
    type: str
  period_end:
    description: Leave out calls that started after this time (epoch seconds, or ISO 8601 with an offset).
    type: str
attributes:
  check_mode:
    description: In check mode the report is computed and C(changed) says whether its files would change; nothing is written.
    support: full
  diff_mode:
    description: No diff is shown.
    support: none
  platform:
    description: Runs on the Ansible controller only.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Report the lab's calls of the last hour
  ega.govnet.report:
    inventory: "{{ govnet_inventory_file }}"
    dest: "{{ govnet_build_dir }}/reports"
    period_start: "{{ now(utc=true).timestamp() - 3600 }}"

- name: Report from CDR syslog saved per IOS-XE voice gateway
  ega.govnet.report:
    inventory: "{{ govnet_inventory_file }}"
    dest: /srv/govnet/reports/2026-11
    records:
      mof-cc1: [/srv/govnet/cdr/mof-cc1/*.log]
    period_start: "2026-11-01T00:00:00+03:00"
    period_end: "2026-11-30T23:59:59+03:00"
"""

RETURN = r"""
files:
  description: Names of the report's files in O(dest).
  returned: success
  type: list
  elements: str
  sample: [calls.html, calls.md, calls.svg]
calls:
  description: Calls placed (answered and failed).
  returned: success
  type: int
  sample: 5
answered:
  description: Calls answered.
  returned: success
  type: int
  sample: 4
failed_calls:
  description: Calls that failed.
  returned: success
  type: int
  sample: 1
minutes:
  description: Minutes of the answered calls, from answer to hang-up.
  returned: success
  type: float
  sample: 0.15
institutions:
  description: Calls, answered calls and minutes per caller institution (slug).
  returned: success
  type: dict
  sample: {moa: {calls: 4, answered: 3, minutes: 0.15}}
failures:
  description: Failed calls by result (SIP code and reason).
  returned: success
  type: dict
  sample: {"404 Not Found": 1}
saving:
  description: Estimated saving of the on-net calls against the PSTN tariff, in the currency of the tariffs (RV(currency)).
  returned: success
  type: float
  sample: 4.5
spend:
  description: Estimated PSTN spend of calls that left GovNet at the PSTN gateway, in the currency of the tariffs (RV(currency)).
  returned: success
  type: float
  sample: 0.0
currency:
  description: Currency of the tariff (govnet_tariffs.currency).
  returned: success
  type: str
  sample: TZS
problems:
  description: Every problem found in the policy or the records, one per item.
  returned: failure
  type: list
  elements: str
  sample:
    - "device moa-cc1 call records line 3, field '(line)', value 'INVITE|x': has 2 fields, not 10.
      Hint: keep the acc db_extra of kamailio.cfg as rendered (caller, dialled)."
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            inventory=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            records=dict(type="dict"),
            period_start=dict(type="str"),
            period_end=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="ega.govnet.report runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
