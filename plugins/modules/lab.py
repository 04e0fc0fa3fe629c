#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: lab
short_description: Bring a GovNet lab up or down on this machine (network namespaces, veths, Open vSwitch)
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Computes the lab of a registry whose devices are on the C(lab) platform and creates it on the Ansible
    controller, the machine the lab runs on. Each device gets its network namespace C(gn-<hostname>) (the
    inventory plugin points Ansible at it through the C(ega.govnet.netns) connection); every WAN and core link,
    CE LAN and hub LAN is a veth pair created straight into its two namespaces, named as the lab platform's
    configurations expect (C(c<circuit>), C(v<vlan>) to the switch's C(up<vlan>), C(svc), C(ops)).
  - "End hosts make the lab usable: per institution two PCs (C(gn-<slug>-pc1), C(gn-<slug>-pc2)) on switch ports
    C(p1), C(p2) and two phones (C(gn-<slug>-ph1), C(gn-<slug>-ph2)) on C(ph1), C(ph2), at host 10 and 11 of the
    data and voice subnets; call control's C(eth0) on the CE's servers VLAN interface (no switch port is planned
    for the servers VLAN); per core hub a services namespace C(gn-<hub>-svc) holding every service address of
    the hub; C(gn-ops) on the operations network."
  - Each access switch gets its own ovsdb-server and ovs-vswitchd (userspace datapath) inside its namespace, with
    database, sockets, logs and pid files in C(/run/govnet-lab/<namespace>/). Configuration is left to the
    playbooks (C(playbooks/deploy.yml)); this module starts no FRR and no Kamailio.
  - With I(state=present), a lab that already matches is left alone (C(changed=false)); otherwise everything of
    the lab's own names (namespaces C(gn-*), C(/etc/netns/gn-*), C(/etc/frr/gn-*), C(/run/frr/gn-*),
    C(/run/govnet-lab)) is removed first, so a stale or interrupted lab never blocks a new one, and the lab is built
    again; converge the devices afterwards.
  - With I(state=absent), every process of the lab is stopped by its pid file (FRR's watchfrr first), then whatever
    still runs in a lab namespace, each with a bounded wait and SIGKILL after it; the namespaces, their veths and
    every folder above are removed. Nothing of the lab remains.
  - The root namespace never gets a link, address or route into the lab. Needs root and the lab packages
    (iproute2, ethtool, openvswitch-switch; FRR and Kamailio for the playbooks).
options:
  inventory:
    description:
      - Path of the registry file (an C(ega.govnet.registry) inventory source) whose lab to create; playbooks pass
        C(govnet_inventory_file). Required with I(state=present).
    type: path
  state:
    description: C(present) to bring the lab up, C(absent) to take down any GovNet lab on this machine.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: In check mode nothing is created or removed; the result says whether something would change.
    support: full
  diff_mode:
    description: No diff is shown.
    support: none
  platform:
    description: Runs on the Ansible controller only (Linux, as root).
    support: full
    platforms: posix
notes:
  - One GovNet lab per machine at a time; a lab of another registry is replaced.
seealso:
  - module: ega.govnet.build
"""

EXAMPLES = r"""
- name: Bring the lab up
  ega.govnet.lab:
    inventory: "{{ govnet_inventory_file }}"
    state: present

- name: Take the lab down, leaving nothing behind
  ega.govnet.lab:
    state: absent
"""

RETURN = r"""
namespaces:
  description: Number of network namespaces in the lab.
  returned: state=present
  type: int
  sample: 27
links:
  description: Number of veth pairs between two namespaces (stubs not counted).
  returned: state=present
  type: int
  sample: 33
switches:
  description: Number of Open vSwitch instances (an ovsdb-server and an ovs-vswitchd each).
  returned: state=present
  type: int
  sample: 3
hosts:
  description: Number of namespaces given addresses and a default route by the lab (PCs, phones, call control, services, operations).
  returned: state=present
  type: int
  sample: 18
removed:
  description: What was removed first (a stale or different lab), or by I(state=absent).
  returned: success
  type: dict
  sample: {processes: 13, namespaces: 27, folders: 36}
timings:
  description: Seconds each stage took.
  returned: success
  type: dict
  sample: {check: 0.01, cleanup: 0.02, namespaces: 0.03, links: 0.2, hosts: 0.04, switches: 0.15, total: 0.44}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(inventory=dict(type="path"), state=dict(type="str", choices=["present", "absent"], default="present")),
        required_if=[("state", "present", ("inventory",))],
        supports_check_mode=True,
    )
    module.fail_json(msg="ega.govnet.lab runs on the controller as an action plugin; call it as a task, not as a module.")


if __name__ == "__main__":
    main()
