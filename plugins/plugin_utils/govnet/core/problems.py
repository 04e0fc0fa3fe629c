"""Validation problems: each names where, which field, the bad value and a hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, phrased for the engineer who has to fix it."""

    where: str
    field: str
    value: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.where}, field '{self.field}', value {self.value}: {self.message}. Hint: {self.hint}."


def show(value: Any) -> str:
    """Render a bad value the way the engineer wrote it."""
    if value is None:
        return "(missing)"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def key_name(key: Any) -> str:
    """A mapping key as the field a problem names; an empty or blank key is said to be so."""
    text = str(key)
    return text if text.strip() else "(empty key)"


class GovnetInputError(Exception):
    """Raised when the registry or policy is invalid; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=_order)
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one per line, under a count."""
        count = len(self.problems)
        head = f"GovNet input is invalid: {count} problem{'s' if count != 1 else ''} found."
        return "\n".join([head] + [f"- {problem}" for problem in self.problems])


def _order(problem: Problem) -> tuple:
    """Policy problems first, then by place in the registry (numbers sorted as numbers)."""
    kind, _space, rest = problem.where.partition(" ")
    number = rest.split(" ", 1)[0]
    rank = {"policy": 0, "hub": 1, "region": 2, "registry": 3, "institution": 4, "device": 5}.get(kind, 6)
    return (rank, int(number) if number.isdigit() else 0, problem.where, problem.field, problem.message, problem.value)


def internal_error(entry_point: str, error: BaseException) -> str:
    """What an entry point says of an exception the library did not expect: a bug to report, not a traceback."""
    return (
        f"internal error in ega.govnet {entry_point}: {type(error).__name__}: {error}. "
        "Please report it with the command that was run and its input (ansible -vvv shows the traceback)"
    )
