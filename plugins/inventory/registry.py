# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory plugin: the GovNet registry of institutions expanded into devices and host groups."""

from __future__ import annotations

DOCUMENTATION = r"""
name: registry
short_description: GovNet institutions as Ansible hosts and groups
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Reads a GovNet registry file (a top-level C(institutions) list) and the GovNet policy
    (the policy the collection ships in its library, C(plugins/plugin_utils/govnet/design/defaults/), plus any C(policy) paths given), validates them, allocates
    the whole network in one pass and adds one host per device.
  - "Groups: by category (C(ministries), C(independent_departments), C(executive_agencies),
    C(regional_secretariats), C(councils) and C(district_councils), C(town_councils),
    C(municipal_councils), C(city_councils)); by region (C(region_<slug>)); by rollout phase
    (C(phase_1), C(phase_2), C(phase_3)); by device role (C(core_hubs), C(regional_aggregation),
    C(ce_routers), C(access_switches), C(call_control)); by platform (C(ios_xe), C(lab)); and one
    group per institution (C(institution_<slug>)). Dashes in slugs become underscores in group names."
  - The policy variables are set on group C(all), so every playbook run with this inventory sees them,
    together with C(govnet_inventory_file), the absolute path of the registry file.
  - "A host holds only its own variables: C(ansible_host) and, in the lab, C(govnet_netns). What hosts share
    is set on their groups: C(govnet_role) and C(govnet_router) (true for the roles that route: core hubs,
    regional aggregation, CE routers) on the role groups; on C(ios_xe) and C(lab), from the platform's registry entry
    (C(platforms/<name>/platform.py)), C(govnet_platform), the connection and the task files that push, back up and
    verify its devices (C(govnet_deploy_tasks), C(govnet_backup_tasks), C(govnet_verify_tasks)); C(govnet_region) on
    C(region_<slug>), C(govnet_institution) and C(govnet_institution_id) on C(institution_<slug>), C(govnet_phase) on
    C(phase_<n>)."
  - When the input is invalid the inventory fails with every problem, so C(ansible-inventory) and every
    playbook exit non-zero showing them; C(govnet_validation_errors) is set to an empty list (kept for
    playbooks that read it).
  - "Input files are read with limits: at most 16 MiB, UTF-8, at most 1,000 YAML aliases and 5,000,000
    values once they are expanded, 64 levels of nesting, and no key twice in one mapping."
options:
  plugin:
    description: The name of this plugin; it marks the file as a GovNet registry.
    required: true
    type: str
    choices: [ega.govnet.registry]
  institutions:
    description:
      - The registry, one item per institution. See the comments at the top of
        C(inventories/govnet/institutions.yml) for every field.
    required: true
    type: list
    elements: dict
  policy:
    description:
      - Extra policy files or folders, relative to the registry file, read after the policy the collection
        ships. A C(govnet_*) variable in a later one replaces the earlier one.
    type: list
    elements: str
    default: []
  include_zanzibar:
    description: Build the Zanzibar regions and their institutions too (they have their own e-Government network).
    type: bool
    default: false
"""

EXAMPLES = r"""
# inventories/govnet/institutions.yml
plugin: ega.govnet.registry
institutions:
  - id: 8
    slug: mof
    name: Ministry of Finance
    name_sw: Wizara ya Fedha
    category: ministry
    region: dodoma
    size: large
    phase: 1

# Use it:  ansible-inventory -i inventories/govnet --graph ce_routers
"""

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.inventory_view import device_hosts
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.input_limits import MAX_BYTES
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError, internal_error
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import read_source

MARK = re.compile(r"^plugin:\s*['\"]?ega\.govnet\.registry['\"]?\s*$", re.MULTILINE)


class InventoryModule(BaseInventoryPlugin):
    NAME = "ega.govnet.registry"

    def verify_file(self, path):
        if not super().verify_file(path) or not path.endswith((".yml", ".yaml")):
            return False
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return bool(MARK.search(handle.read(MAX_BYTES + 1)))  # invalid text is ours to report, by the limits
        except OSError:
            return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        # The file is read and its keys checked once, by the library (Ansible's own reading of a 20,000-device
        # registry, with a deep copy of it, took longer than the whole build).
        try:
            source = read_source(path)
            view = device_hosts(source)
        except GovnetInputError as error:
            raise AnsibleParserError(error.report()) from error
        except Exception as error:  # pylint: disable=broad-exception-caught
            raise AnsibleParserError(internal_error(f"inventory {path}", error)) from error
        for name, value in sorted(source.policy.items()):
            self.inventory.set_variable("all", name, value)
        self.inventory.set_variable("all", "govnet_inventory_file", str(source.path))
        self.inventory.set_variable("all", "govnet_validation_errors", [])
        for group, variables in view.groups.items():
            self.inventory.add_group(group)
            for name, value in variables.items():
                self.inventory.set_variable(group, name, value)
        for host in view.hosts:
            self.inventory.add_host(host.name)
            for group in host.groups:
                self.inventory.add_child(group, host.name)
            for name, value in host.variables.items():
                self.inventory.set_variable(host.name, name, value)
