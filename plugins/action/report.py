# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ega.govnet.report: the thin shell around the library's call report."""

from __future__ import annotations

import math
from datetime import datetime


from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.call_report import make_report
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError, internal_error
from ansible_collections.ega.govnet.plugins.modules.report import DOCUMENTATION
from ansible_collections.ega.govnet.plugins.plugin_utils.action_base import GovnetAction


def _epoch(name, value):
    """Epoch seconds from a number or an ISO 8601 time (with its offset); None stays None. A ValueError names
    the argument, its value and what it may be."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        try:
            seconds = datetime.fromisoformat(str(value)).timestamp()
        except (ValueError, OverflowError, OSError):
            seconds = math.nan
    if not math.isfinite(seconds):
        raise ValueError(f"{name} {value!r} is not a time: give epoch seconds (1795909542) or an ISO 8601 time with its offset (2026-11-28T10:00:00+03:00)")
    return seconds


class ActionModule(GovnetAction):
    DOCUMENTATION = DOCUMENTATION  # the options, declared once in the module stub

    def act(self, result, args):
        records = args["records"]
        if records is not None and not all(isinstance(v, list) for v in records.values()):
            return dict(result, failed=True, msg="records must map each call control hostname to a list of paths or globs")
        try:
            since, until = _epoch("period_start", args["period_start"]), _epoch("period_end", args["period_end"])
        except ValueError as error:
            return dict(result, failed=True, msg=str(error))
        try:
            outcome = make_report(args["inventory"], args["dest"], records, since, until, check=self._task.check_mode)
        except GovnetInputError as error:
            return dict(result, failed=True, msg=error.report(), problems=[str(problem) for problem in error.problems])
        except OSError as error:
            return dict(result, failed=True, msg=f"the report cannot be written to dest {str(args['dest'])!r}: {error.strerror or type(error).__name__}")
        except Exception as error:  # pylint: disable=broad-exception-caught  # a bug: said as one, not a traceback
            return dict(result, failed=True, msg=internal_error("report", error))
        report = outcome.report
        return dict(
            result,
            changed=outcome.changed,
            dest=str(args["dest"]),
            files=sorted(outcome.files),
            calls=report.total.calls,
            answered=report.total.answered,
            failed_calls=report.total.failed,
            minutes=round(report.total.minutes, 4),
            institutions={name: {"calls": t.calls, "answered": t.answered, "minutes": round(t.minutes, 4)} for name, t in sorted(report.institutions.items())},
            failures=dict(sorted(report.failures.items())),
            saving=round(report.saving, 2),
            spend=round(report.spend, 2),
            currency=report.currency,
            msg=f"{report.total.calls} calls ({report.total.answered} answered, {report.total.minutes:.2f} min), "
            f"estimated saving {report.saving:,.0f} {report.currency}",
        )
