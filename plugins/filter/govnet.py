# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters exposing GovNet's deterministic allocators; the logic lives in plugin_utils/govnet."""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.allocation import carve, code_outside, default_code, onnet_number as number_of
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.dialplan import Entry, clashes
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe.secrets import secret_blocks, split_secrets
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.model import Pool, Vlan


def _wrong(name, argument, value, expected, hint):
    """The error of a filter given an argument it cannot use: the filter, the argument, the value and a hint."""
    shown = repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"
    return AnsibleFilterError(f"{name}: argument '{argument}', value {shown[:200]}: must be {expected}. Hint: {hint}")


def _number(name, argument, value, hint):
    """A whole number, written as one (an int, or a string of ASCII digits); never a bool or a float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise _wrong(name, argument, value, "a whole number", hint)


def _mapping(name, argument, value, keys, hint):
    """A dict holding every one of keys."""
    if not isinstance(value, dict) or any(key not in value for key in keys):
        raise _wrong(name, argument, value, f"a dict with {', '.join(keys)}", hint)
    return value


def _text(name, argument, value, hint):
    if not isinstance(value, str):
        raise _wrong(name, argument, value, "a string", hint)
    return value


NUMBERING_HINT = "pass govnet_numbering (docs/policy.md)"


def pool_block(prefix, block, key):
    """Block number `key` of length /block from the pool `prefix`; an exhausted pool is an error."""
    name = "pool_block"
    text = _text(name, "_input", prefix, "pipe a pool prefix such as '10.28.0.0/14' into it")
    length = _number(name, "block", block, "give the prefix length of a block, e.g. 24")
    number = _number(name, "key", key, "give the stable key, e.g. an institution id")
    try:
        pool = Pool("pool", ipaddress.IPv4Network(text), length)
    except ValueError as error:
        raise AnsibleFilterError(f"pool_block: argument '_input', value {prefix!r}: {error}. Hint: give a pool such as '10.28.0.0/14'") from None
    found = pool.block_for(number)
    if found is None:
        raise AnsibleFilterError(f"pool_block: pool {prefix} holds {pool.capacity} blocks of /{block}; block {key} does not exist")
    return str(found)


def vlan_subnets(site_block, size_class, vlans):
    """The VLAN subnets of a site block for a size class, with their gateways."""
    name = "vlan_subnets"
    _text(name, "_input", site_block, "pipe a site block such as '10.28.42.0/24' into it")
    _mapping(name, "size_class", size_class, ("subnets",), "pass a size class of govnet_size_classes (docs/policy.md)")
    if not isinstance(size_class["subnets"], dict):
        raise _wrong(name, "size_class.subnets", size_class["subnets"], "a dict of VLAN role -> prefix length", "pass a size class of govnet_size_classes")
    if not isinstance(vlans, dict) or not all(isinstance(entry, dict) for entry in vlans.values()):
        raise _wrong(name, "vlans", vlans, "a dict of VLAN roles, each with id and name", "pass govnet_vlans (docs/policy.md)")
    try:
        typed = {role: Vlan(role, int(entry["id"]), str(entry["name"])) for role, entry in vlans.items()}
        lengths = tuple((str(role), int(length)) for role, length in size_class["subnets"].items())
        subnets = carve(ipaddress.IPv4Network(site_block), lengths, typed)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(f"vlan_subnets: {type(error).__name__} {error}. Hint: pass a size class of govnet_size_classes and govnet_vlans") from None
    return [
        {"role": s.vlan.role, "vlan": s.vlan.id, "name": s.vlan.name, "prefix": str(s.prefix), "gateway": str(s.gateway)} for s in subnets
    ]


def institution_code(institution_id, numbering):
    """The default telephone code of an institution: code_offset + id."""
    name = "institution_code"
    ident = _number(name, "_input", institution_id, "pipe an institution id into it")
    plan = _mapping(name, "numbering", numbering, ("code_offset", "code_digits", "code_first_digits"), NUMBERING_HINT)
    offset = _number(name, "numbering.code_offset", plan["code_offset"], NUMBERING_HINT)
    digits = _number(name, "numbering.code_digits", plan["code_digits"], NUMBERING_HINT)
    code = default_code(offset, ident)
    if code_outside(code, digits, str(plan["code_first_digits"])):
        raise AnsibleFilterError(f"institution_code: id {institution_id} gives code {code}, outside the code space; pin a code")
    return code


def onnet_number(code, extension, numbering):
    """The on-net number that reaches an extension of an institution: code followed by extension."""
    name = "onnet_number"
    prefix = _number(name, "_input", code, "pipe an institution code such as 408 into it")
    extension = _number(name, "extension", extension, "give an extension such as 2001")
    plan = _mapping(name, "numbering", numbering, ("extension_digits", "extension_first", "extension_last"), NUMBERING_HINT)
    digits = _number(name, "numbering.extension_digits", plan["extension_digits"], NUMBERING_HINT)
    first = _number(name, "numbering.extension_first", plan["extension_first"], NUMBERING_HINT)
    last = _number(name, "numbering.extension_last", plan["extension_last"], NUMBERING_HINT)
    if not first <= extension <= last or extension >= 10**digits:
        raise AnsibleFilterError(f"onnet_number: extension {extension} is outside {first}-{last}")
    return str(number_of(prefix, extension, digits))


def dial_plan_clashes(numbers):
    """Pairs of dialled numbers where one is the beginning of another (empty when prefix-free)."""
    if isinstance(numbers, (str, dict)) or not isinstance(numbers, (list, tuple)):
        raise _wrong("dial_plan_clashes", "_input", numbers, "a list of dialled numbers", "pipe a list such as ['4082001', '112'] into it")
    entries = [Entry(str(number), len(str(number)), str(number)) for number in numbers]
    return [[first.prefix, second.prefix] for first, second in clashes(entries)]


def ios_config_split(config):
    """A rendered IOS-XE configuration as {plain, secrets}: the idempotent part and the secret lines under their parents."""
    _text("ios_config_split", "_input", config, "pipe the text of a rendered configuration (build/configs/<device>.cfg) into it")
    split = split_secrets(config)
    return {"plain": split.plain, "secrets": split.secrets}


def ios_secret_blocks(config, values):
    """The secret lines of a rendered IOS-XE configuration with their values filled in, as ios_config blocks."""
    _text("ios_secret_blocks", "_input", config, "pipe the text of a rendered configuration (build/configs/<device>.cfg) into it")
    if not isinstance(values, dict):
        raise _wrong("ios_secret_blocks", "values", values, "a dict of vault values", "pass the vault's values (docs/secrets.md)")
    try:
        return secret_blocks(config, values)
    except ValueError as error:
        raise AnsibleFilterError(f"ios_secret_blocks: {error}") from None


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
