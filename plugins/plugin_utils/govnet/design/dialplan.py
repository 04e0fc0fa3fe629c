"""Prefix-free dial plans: every dialled string is complete the moment it is dialled.

A dial-plan entry is a digit prefix and the total length of the numbers it stands for (None for an open
length, such as the PSTN access digit followed by any number). Two entries clash when one's numbers can
be the beginning of the other's: their prefixes agree as far as both go and their lengths differ, or
either is open. The check sorts the entries once, so it grows as n log n, not n squared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True, order=True)
class Entry:
    prefix: str
    length: Optional[int]
    owner: str

    def pattern(self) -> str:
        if self.length is None:
            return f"{self.prefix}..."
        return self.prefix + "x" * (self.length - len(self.prefix))


def range_prefixes(first: int, last: int, digits: int) -> list[str]:
    """The fewest digit prefixes that cover exactly the fixed-length numbers first..last."""
    out: list[str] = []
    number = first
    while number <= last:
        span = 1
        while number % (span * 10) == 0 and number + span * 10 - 1 <= last and span * 10 <= 10**digits:
            span *= 10
        width = digits - len(str(span)) + 1
        out.append(str(number).zfill(digits)[:width] if width > 0 else "")
        number += span
    return out


def clashes(entries: list[Entry]) -> list[tuple[Entry, Entry]]:
    """Pairs (shorter-or-open prefix, entry it swallows) that make the plan ambiguous."""
    found: list[tuple[Entry, Entry]] = []
    stack: list[Entry] = []
    for entry in sorted(entries, key=lambda e: (e.prefix, e.length or 0, e.owner)):
        while stack and not entry.prefix.startswith(stack[-1].prefix):
            stack.pop()
        for earlier in stack:
            same_numbers = earlier.length == entry.length and earlier.prefix == entry.prefix
            if earlier.length is None or entry.length is None or earlier.length != entry.length or same_numbers:
                found.append((earlier, entry))
                break
        stack.append(entry)
    return found
