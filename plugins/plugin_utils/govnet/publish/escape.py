"""Text escaped for the published documents it lands in: CSV, Markdown, Graphviz DOT (and so SVG) and HTML.

Defence in depth: the schema already refuses control characters and markup in registry text, and call records
carry text from devices. Whatever gets past is neutralised here, for the program that opens the file:

- Control, format and separator characters (NUL, ESC, CR, LF, TAB, U+202E, U+2028, U+2029, zero-width ones...)
  are shown as U+FFFD, visibly, rather than dropped: a reader sees that something was there.
- CSV: a cell that starts with ``=``, ``+``, ``-``, ``@`` (or did start with a TAB or CR) gets a leading ``'``,
  so no spreadsheet reads it as a formula (OWASP, CSV injection). CR and LF inside a value are replaced, not
  refused: a published directory must still build from text the schema refused only after the fact (a device's
  text in a report), and a replaced character keeps one record per line for every reader, including those
  that split quoted line breaks. Quoting is RFC 4180 (the csv module's minimal quoting).
- Markdown: the characters that make markup (``\\ | ` * _ [ ] < > &``, a leading ``#``) are backslash-escaped,
  so a table cell stays one cell, no raw HTML reaches the page and no link is made from registry text.
- DOT: a double-quoted ID with ``\\`` and ``"`` escaped; Graphviz writes the SVG text with XML escaping, so only
  characters XML cannot carry (the control characters) need replacing first.
"""

from __future__ import annotations

import re

from ..core.text import is_invisible

REPLACEMENT = "\ufffd"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters a Markdown reader could read as markup. An underscore inside a word (region_summary) is no
# emphasis in CommonMark, so only one that touches a non-word character is escaped.
_MARKDOWN = re.compile(r"[\\|`*\[\]<>&]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def visible(value: object, keep: str = "") -> str:
    """The text with every control, format and line or paragraph separator character (except those in `keep`)
    shown as U+FFFD."""
    text = "" if value is None else str(value)
    return "".join(REPLACEMENT if is_invisible(char) and char not in keep else char for char in text)


def csv_cell(value: object) -> str:
    """A CSV cell no spreadsheet reads as a formula, on one line."""
    text = "" if value is None else str(value)
    shown = visible(text)
    return "'" + shown if text.startswith(FORMULA_START) else shown


def markdown_text(value: object) -> str:
    """Inline Markdown text (a table cell, a list item): one line, no markup, no raw HTML, no link."""
    text = " ".join(visible(value, keep="\t\n\r").split())
    escaped = _MARKDOWN.sub(lambda match: "\\" + match.group(0), text)
    return "\\" + escaped if escaped.startswith("#") else escaped


def dot_string(value: object) -> str:
    """A Graphviz double-quoted string; a line feed becomes a centred line break (``\\n``)."""
    escaped = visible(value, keep="\n").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'
