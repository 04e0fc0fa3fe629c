"""The call report: calls and minutes per institution and per pair of institutions, failed calls by reason, and
the estimated saving against the PSTN tariff of policy; rendered as Markdown, HTML and an SVG bar chart."""

from __future__ import annotations

import glob
import html
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import jinja2
from markupsafe import Markup

from ..lab import net as labnet
from ..build.pipeline import plan
from .call_records import CallRecord, collect, decode_records
from ..core.problems import GovnetInputError, Problem, show
from ..publish.escape import markdown_text, visible
from ..publish.html import shown
from ..design.tariffs import ONNET_TYPES, Tariffs

TEMPLATES = Path(__file__).resolve().parent / "templates" / "report"
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 18, 6, 160, 360, 80


@dataclass
class Tally:
    """Calls placed, calls answered and seconds talked."""

    calls: int = 0
    answered: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return self.calls - self.answered

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def add(self, record: CallRecord) -> None:
        self.calls += 1
        self.answered += record.answered
        self.seconds += record.duration


@dataclass(frozen=True)
class CallType:
    """Answered calls of one type, their minutes, the tariff's rate and what the minutes are worth at it: a saving
    for calls GovNet carries itself, spend for calls that leave at the PSTN gateway."""

    name: str
    calls: int
    minutes: float
    rate: float
    saving: float
    spend: float


@dataclass
class Report:
    """Everything the call report shows, computed from the records and the tariff."""

    currency: str
    illustrative: bool
    devices: int
    total: Tally = field(default_factory=Tally)
    institutions: dict[str, Tally] = field(default_factory=dict)
    pairs: dict[tuple[str, str], Tally] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    types: list[CallType] = field(default_factory=list)
    open_calls: int = 0
    first: float | None = None
    last: float | None = None

    @property
    def saving(self) -> float:
        return sum(line.saving for line in self.types)

    @property
    def spend(self) -> float:
        return sum(line.spend for line in self.types)


def summarise(records: Iterable[CallRecord], tariffs: Tariffs, devices: int) -> Report:
    """Aggregate call records: per caller institution, per (caller, callee) pair, failures by reason, and the
    saving (on-net minutes x rate) and spend (PSTN minutes x rate) of each call type."""
    report = Report(tariffs.currency, tariffs.illustrative, devices)
    seconds_by_type: dict[str, float] = {}
    answered_by_type: dict[str, int] = {}
    for record in sorted(records, key=lambda r: (r.start, r.call_id)):
        report.total.add(record)
        report.institutions.setdefault(record.caller_institution, Tally()).add(record)
        report.pairs.setdefault((record.caller_institution, record.callee_institution), Tally()).add(record)
        report.first = record.start if report.first is None else report.first
        report.last = record.start
        if record.answered:
            seconds_by_type[record.call_type] = seconds_by_type.get(record.call_type, 0.0) + record.duration
            answered_by_type[record.call_type] = answered_by_type.get(record.call_type, 0) + 1
            report.open_calls += not record.complete
        else:
            report.failures[record.result] = report.failures.get(record.result, 0) + 1
    for name, rate in tariffs.rates.items():
        minutes = seconds_by_type.get(name, 0.0) / 60
        worth = minutes * rate
        onnet = name in ONNET_TYPES
        report.types.append(CallType(name, answered_by_type.get(name, 0), minutes, rate, worth if onnet else 0.0, 0.0 if onnet else worth))
    return report


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str) -> str:
    """A self-contained SVG horizontal bar chart of (label, value) rows, longest bar = the largest value."""
    top = max((value for _label, value in rows), default=0.0) or 1.0
    height = 30 + len(rows) * (BAR_HEIGHT + BAR_GAP)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{html.escape(title)}">',
        f'<text x="0" y="16" font-family="sans-serif" font-size="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 30 + index * (BAR_HEIGHT + BAR_GAP)
        length = round(BAR_WIDTH * value / top, 1)
        parts += [
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" font-family="sans-serif" font-size="12" text-anchor="end">{html.escape(visible(label))}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#1f6f8b"/>',
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 13}" font-family="sans-serif" font-size="12">{value:.2f} {html.escape(unit)}</text>',
        ]
    return "\n".join(parts + ["</svg>"]) + "\n"


def chart(report: Report) -> str:
    """Minutes per caller institution, most first."""
    rows = sorted(((name, tally.minutes) for name, tally in report.institutions.items()), key=lambda row: (-row[1], row[0]))
    return bar_chart("Minutes per institution", rows, "min")


def _when(epoch: float | None) -> str:
    return "-" if epoch is None else datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        finalize=shown,
    )
    environment.filters["when"] = _when
    environment.filters["md"] = markdown_text  # text from a device's records cannot make Markdown or HTML
    environment.filters["money"] = lambda value: f"{value:,.0f}"
    environment.filters["minutes"] = lambda value: f"{value:,.2f}"
    return environment


def render(report: Report) -> dict[str, str]:
    """The report's files: calls.md (linking calls.svg), calls.html (chart inline) and calls.svg."""
    environment = _environment()
    svg = chart(report)
    context = {"report": report, "institutions": sorted(report.institutions.items()), "pairs": sorted(report.pairs.items()),
               "failures": sorted(report.failures.items(), key=lambda item: (-item[1], item[0]))}  # fmt: skip
    return {
        "calls.md": environment.get_template("calls.md.j2").render(**context),
        "calls.html": environment.get_template("calls.html.j2").render(svg=Markup(svg), **context),
        "calls.svg": svg,
    }


def stale(files: dict[str, str], folder: Path) -> list[str]:
    """The names of the files whose content in `folder` differs from `files` (or is missing)."""
    return [name for name, text in sorted(files.items()) if not (folder / name).is_file() or (folder / name).read_bytes() != text.encode("utf-8")]


def write(files: dict[str, str], folder: Path) -> None:
    """Write files into `folder` (made if missing), each replaced whole, never half-written."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(files.items()):
        temporary = folder / f".{name}.tmp"
        temporary.write_text(content, encoding="utf-8")
        temporary.replace(folder / name)


def lab_sources(states: dict[str, dict]) -> dict[str, list[str]]:
    """Where the lab's call control keeps its records: acc_*.log in the run folder of each lab call control."""
    return {
        name: [f"{labnet.run_dir(labnet.netns(name))}/acc_*.log"]
        for name, state in sorted(states.items())
        if state["role"] == "call_control" and state["platform"] == "lab"
    }


def read_sources(patterns: dict[str, list[str]]) -> tuple[dict[str, list[tuple[str, str]]], list[Problem]]:
    """The record files (name, text) of each device, each pattern a path or a glob (no match: no calls), and
    the problem of every file that cannot be read or is not UTF-8."""
    files: dict[str, list[tuple[str, str]]] = {}
    problems: list[Problem] = []
    for hostname, globs in patterns.items():
        files[hostname] = []
        for path in sorted({path for pattern in globs for path in glob.glob(str(pattern))}):
            where = f"device {hostname} call records {Path(path).name}"
            try:
                files[hostname].append((Path(path).name, decode_records(where, Path(path).read_bytes())))
            except OSError as error:
                problems.append(Problem(where, "(file)", show(path), f"cannot be read ({error.strerror or type(error).__name__})", "give a readable file"))
            except GovnetInputError as error:
                problems += error.problems
    return files, problems


@dataclass(frozen=True)
class Outcome:
    report: Report
    files: dict[str, str]
    changed: bool


def make_report(inventory: str | Path, dest: str | Path, records: dict[str, list[str]] | None = None,
                since: float | None = None, until: float | None = None, check: bool = False) -> Outcome:  # fmt: skip
    """Plan the network of `inventory`, read the call records (`records`: hostname -> paths or globs; default:
    the lab run folders of the lab's call control), keep the calls from `since` to `until` (epoch seconds) and
    write the report into `dest` (unless `check`)."""
    network = plan(inventory)
    patterns = lab_sources(network.states) if records is None else records
    sources, problems = read_sources(patterns)
    try:
        records = collect(network.states, network.policy.tariffs, sources)
    except GovnetInputError as error:
        problems += error.problems
    if problems:
        raise GovnetInputError(problems)  # every bad file and record of the run at once
    calls = [call for call in records if (since is None or call.start >= since) and (until is None or call.start <= until)]
    report = summarise(calls, network.policy.tariffs, len(patterns))
    files = render(report)
    changed = stale(files, Path(dest))
    if changed and not check:
        write({name: files[name] for name in changed}, Path(dest))
    return Outcome(report, files, bool(changed))
