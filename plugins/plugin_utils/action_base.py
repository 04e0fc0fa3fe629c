# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every ega.govnet action plugin shares: it runs on the controller, and its task's arguments are checked
against the options its module stub's DOCUMENTATION declares before it acts."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase

from ansible_collections.ega.govnet.plugins.plugin_utils.arguments import argument_spec


class GovnetAction(ActionBase):
    """Subclasses set DOCUMENTATION (their module stub's), optionally REQUIRED_IF, and implement act()."""

    TRANSFERS_FILES = False
    _requires_connection = False
    DOCUMENTATION = ""
    REQUIRED_IF: tuple[tuple[str, Any, tuple[str, ...]], ...] = ()

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _checked, args = self.validate_argument_spec(argument_spec(self.DOCUMENTATION), required_if=list(self.REQUIRED_IF))
        return self.act(result, args)

    def act(self, result: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        """The task's result, given Ansible's result so far and the checked arguments."""
        raise NotImplementedError
