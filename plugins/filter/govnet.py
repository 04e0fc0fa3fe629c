# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters exposing GovNet's deterministic allocators; the logic lives in plugin_utils/govnet."""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.allocation import carve
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.dialplan import Entry, clashes
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ios_secrets import secret_blocks, split_secrets
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.model import Pool, Vlan


def pool_block(prefix, block, key):
    """Block number `key` of length /block from the pool `prefix`; an exhausted pool is an error."""
    try:
        pool = Pool("pool", ipaddress.IPv4Network(prefix), int(block))
    except ValueError as error:
        raise AnsibleFilterError(f"pool_block: {error}") from error
    found = pool.block_for(int(key))
    if found is None:
        raise AnsibleFilterError(f"pool_block: pool {prefix} holds {pool.capacity} blocks of /{block}; block {key} does not exist")
    return str(found)


def vlan_subnets(site_block, size_class, vlans):
    """The VLAN subnets of a site block for a size class, with their gateways."""
    try:
        typed = {role: Vlan(role, int(entry["id"]), str(entry["name"])) for role, entry in vlans.items()}
        lengths = tuple((str(role), int(length)) for role, length in size_class["subnets"].items())
        subnets = carve(ipaddress.IPv4Network(site_block), lengths, typed)
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(f"vlan_subnets: {error}") from error
    return [
        {"role": s.vlan.role, "vlan": s.vlan.id, "name": s.vlan.name, "prefix": str(s.prefix), "gateway": str(s.gateway)} for s in subnets
    ]


def institution_code(institution_id, numbering):
    """The default telephone code of an institution: code_offset + id."""
    code = int(numbering["code_offset"]) + int(institution_id)
    if len(str(code)) != int(numbering["code_digits"]) or str(code)[0] not in str(numbering["code_first_digits"]):
        raise AnsibleFilterError(f"institution_code: id {institution_id} gives code {code}, outside the code space; pin a code")
    return code


def onnet_number(code, extension, numbering):
    """The on-net number that reaches an extension of an institution: code followed by extension."""
    digits = int(numbering["extension_digits"])
    extension = int(extension)
    if not int(numbering["extension_first"]) <= extension <= int(numbering["extension_last"]):
        raise AnsibleFilterError(
            f"onnet_number: extension {extension} is outside {numbering['extension_first']}-{numbering['extension_last']}"
        )
    return f"{int(code)}{extension:0{digits}d}"


def dial_plan_clashes(numbers):
    """Pairs of dialled numbers where one is the beginning of another (empty when prefix-free)."""
    entries = [Entry(str(number), len(str(number)), str(number)) for number in numbers]
    return [[first.prefix, second.prefix] for first, second in clashes(entries)]


def ios_config_split(config):
    """A rendered IOS-XE configuration as {plain, secrets}: the idempotent part and the secret lines under their parents."""
    if not isinstance(config, str):
        raise AnsibleFilterError(f"ios_config_split: expected the text of a configuration, got {type(config).__name__}")
    split = split_secrets(config)
    return {"plain": split.plain, "secrets": split.secrets}


def ios_secret_blocks(config, values):
    """The secret lines of a rendered IOS-XE configuration with their values filled in, as ios_config blocks."""
    if not isinstance(config, str) or not isinstance(values, dict):
        raise AnsibleFilterError("ios_secret_blocks: expected the text of a configuration and a dict of vault values")
    try:
        return secret_blocks(config, values)
    except ValueError as error:
        raise AnsibleFilterError(f"ios_secret_blocks: {error}") from error


class FilterModule:
    def filters(self):
        return {
            "pool_block": pool_block,
            "vlan_subnets": vlan_subnets,
            "institution_code": institution_code,
            "onnet_number": onnet_number,
            "dial_plan_clashes": dial_plan_clashes,
            "ios_config_split": ios_config_split,
            "ios_secret_blocks": ios_secret_blocks,
        }
