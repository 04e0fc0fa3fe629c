# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec an action plugin checks its task's arguments with, read from its module stub's DOCUMENTATION.

Each action plugin's options are declared once, in the DOCUMENTATION of its module stub (what ansible-doc shows and
ansible-test's validate-modules holds the stub's own argument_spec to); the action hands the spec made here to
ActionBase.validate_argument_spec, so a wrong argument gets Ansible's standard message.
"""

from __future__ import annotations

from typing import Any

import yaml

# What an option's documentation says that an argument spec takes too.
SPEC_KEYS = ("type", "required", "default", "choices", "elements", "aliases", "no_log")


def argument_spec(documentation: str) -> dict[str, dict[str, Any]]:
    """The argument spec of a module's DOCUMENTATION: each option's type, requirement, default and choices."""
    return _options(yaml.safe_load(documentation).get("options") or {})


def _options(options: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    specs = {}
    for name, option in options.items():
        spec = {key: option[key] for key in SPEC_KEYS if key in option}
        if option.get("suboptions"):
            spec["options"] = _options(option["suboptions"])
        specs[name] = spec
    return specs
