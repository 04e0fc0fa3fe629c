"""The PSTN tariff policy (govnet_tariffs): per-minute rates by call type, for the call report's saving."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import schema as s
from ..core.problems import Problem, show

VAR = "govnet_tariffs"
# Calls GovNet carries itself: their rate is what the same call would cost over the PSTN (a saving).
ONNET_TYPES = ("same_institution", "other_institution", "conference")
# Calls that leave GovNet at the PSTN gateway: their rate is what the PSTN charges (spend).
PSTN_TYPES = ("national_fixed", "national_mobile", "international", "short_code")
CALL_TYPES = ONNET_TYPES + PSTN_TYPES

TARIFF_FIELDS = (
    s.Field("currency", "str", "ISO 4217 code of the rates", hint="write the ISO 4217 code of the rates, e.g. TZS"),
    s.Field("illustrative", "bool", "the rates are examples, not a real tariff: the report says so"),
    s.Field("international_prefixes", "list", "digits after the access digit that start an international number",
            hint="list the digits that start an international number, e.g. ['000']"),
    s.Field("mobile_prefixes", "list", "digits after the access digit that start a national mobile number",
            hint="list the digits that start a national mobile number, e.g. ['06', '07']"),
    s.Field("rates", "map", f"call type -> price of one minute, charged per second: {', '.join(CALL_TYPES)}",
            hint=f"give a per-minute rate for each of {', '.join(CALL_TYPES)}"),
)


@dataclass(frozen=True)
class Tariffs:
    """Per-minute rates by call type, in `currency`; `illustrative` marks defaults that are not a real tariff."""

    currency: str
    illustrative: bool
    international_prefixes: tuple[str, ...]
    mobile_prefixes: tuple[str, ...]
    rates: dict[str, float]


def _where(*path: str) -> str:
    return "policy " + ".".join((VAR,) + path)


def _rate_problems(rates: dict) -> list[Problem]:
    problems = [
        Problem(_where("rates"), name, "(missing)", "has no rate", f"give every call type a rate per minute: {', '.join(CALL_TYPES)}")
        for name in CALL_TYPES
        if name not in rates
    ]
    for name, rate in rates.items():
        if name not in CALL_TYPES:
            problems.append(Problem(_where("rates"), str(name), show(rate), "is not a call type", f"use only {', '.join(CALL_TYPES)}"))
        elif isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 0:
            problems.append(Problem(_where("rates"), name, show(rate), "must be a number of at least 0", "write the price of one minute, e.g. 30 or 12.5"))
    return problems


def parse_tariffs(raw: Any) -> tuple[Tariffs | None, list[Problem]]:
    """The typed tariffs, or None and every problem found in them."""
    problems = s.check_record(raw, TARIFF_FIELDS, _where())
    if not isinstance(raw, dict):
        return None, problems
    for name in ("international_prefixes", "mobile_prefixes"):
        if isinstance(raw.get(name), list):
            problems += [
                Problem(_where(name), str(index), show(prefix), "must be digits", "write each prefix as quoted digits, e.g. '07'")
                for index, prefix in enumerate(raw[name])
                if not (isinstance(prefix, str) and prefix.isascii() and prefix.isdigit())  # str.isdigit admits other scripts' digits
            ]
    rates = raw.get("rates")
    if isinstance(rates, dict):
        problems += _rate_problems(rates)
    if problems:
        return None, problems
    typed = s.values(raw, TARIFF_FIELDS) | {
        "international_prefixes": tuple(raw["international_prefixes"]),
        "mobile_prefixes": tuple(raw["mobile_prefixes"]),
        "rates": {name: float(rates[name]) for name in CALL_TYPES},
    }
    return Tariffs(**typed), []
