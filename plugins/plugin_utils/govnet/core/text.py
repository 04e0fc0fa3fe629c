"""What a safe text is, and how a text is escaped for each file it lands in.

Every string of the registry and the policy is checked here at the schema (``check_text``): a kind of text
says which characters it may hold and how long it may be; no kind admits control characters (C0, C1, DEL),
invisible formatting characters (bidi controls such as U+202E, zero-width ones U+200B..U+200F, U+2028/U+2029,
U+FEFF) or template markup (``{{``, ``{%``, ``{#``). Patterns match the whole value (``fullmatch``, so a final
newline never slips past ``$``) and a digit is ASCII 0-9 only.

The renderers escape as well, so that a bad value that got past the schema still cannot add a line to a file or
leave a quoted string: ``one_line`` is applied to every value a template writes (templating.py), and the
escapers below to the values written inside a quoted string or a comment of a stricter syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from .problems import show

MARKUP = ("{{", "{%", "{#")
# A device's hostname (slug and role suffix), as file names, namespaces and configurations use it.
HOSTNAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# A vault variable reference as the renderer writes it, e.g. {{ vault_govnet_tacacs_key }}: the only Jinja2
# a rendered configuration may hold (the IOS-XE renderer refuses any other brace).
VAULT_REFERENCE = re.compile(r"\{\{ [A-Za-z_][A-Za-z0-9_]* \}\}")
BANNER_DELIMITERS = ("^", "@")  # IOS-XE's banner delimiter and the one deploy uses around the banner


@dataclass(frozen=True)
class TextKind:
    """One kind of text: the characters it may hold, the shape of the whole value, its length, the hint's words."""

    name: str
    extra: str  # characters allowed besides ASCII letters and digits 0-9
    shape: re.Pattern[str]  # matched against the whole value (fullmatch)
    longest: int
    hint: str  # what to write instead
    letters: bool = False  # letters of any script (and their combining marks) too
    invalid: str = ""  # the message for a character or shape it may not have ("" says which character)


_WORDS = r"[^\W_].*"  # starts with a letter or digit
_STARTING = "starting with a letter or digit"
KINDS = {
    kind.name: kind
    for kind in (
        # Names of institutions, regions, hubs, places and services: letters of any script (Kiswahili names carry
        # apostrophes, hyphens and spaces: "Ofisi ya Rais - TAMISEMI"), digits 0-9 and a little punctuation.
        TextKind("name", " '.,()&/-", re.compile(_WORDS), 120, f"use letters, digits 0-9, spaces and ' - . , ( ) & /, {_STARTING}", letters=True),
        TextKind(
            "description", " '.,()&/-:;+", re.compile(_WORDS), 200, f"use letters, digits 0-9, spaces and ' - . , ( ) & / : ; +, {_STARTING}", letters=True
        ),
        # A name a device uses as an identifier (VLAN name, QoS class, SNMP group): ASCII, no spaces.
        TextKind("short", "_-", re.compile(r"[A-Za-z].*"), 32, "use ASCII letters, digits 0-9, '_' and '-', starting with a letter"),
        # A word of the policy naming a role, a size class or a network.
        TextKind("token", "_", re.compile(r"[a-z][a-z0-9_]*"), 32, "use lowercase ASCII letters, digits 0-9 and '_', starting with a letter"),
        TextKind("user", "_-", re.compile(r"[a-z][a-z0-9_-]*"), 32, "use lowercase ASCII letters, digits 0-9, '_' and '-', starting with a letter"),
        TextKind("slug", "-", re.compile(r"[a-z][a-z0-9-]*"), 16, "use lowercase ASCII letters, digits 0-9 and '-', starting with a letter"),
        TextKind(
            "domain",
            "-.",
            re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+"),
            200,
            "write lowercase labels of letters, digits and '-' joined by dots, e.g. govnet.go.tz",
            invalid="is not a DNS domain",
        ),
        TextKind(
            "variable",
            "_",
            re.compile(r"vault_[A-Za-z0-9_]*"),
            64,
            "write the name of a variable defined in a vault file, starting with vault_",
            invalid="is not a vault variable name",
        ),
        TextKind("digits", "", re.compile(r"[0-9]+"), 16, 'use ASCII digits 0-9 only, quoted, e.g. "9"'),
        # The login banner: printable ASCII, one line (YAML's folded '>-' joins the lines written in the file).
        TextKind(
            "banner",
            " !\"#$%&'()*+,-./:;<=>?[\\]_`|~",
            re.compile(r"[A-Za-z0-9].*"),
            1000,
            "use printable ASCII but '{' and '}', on one line, starting with a letter or digit",
        ),
    )
}
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _allowed(char: str, spec: TextKind) -> bool:
    if char in _ASCII_ALNUM or char in spec.extra:
        return True
    return spec.letters and not char.isascii() and unicodedata.category(char)[0] in "LM"


# Control and invisible formatting characters: C0, DEL, C1, and Unicode's format (Cf), line and paragraph
# separators (Zl, Zp), surrogates and private use; what a terminal, an editor or a parser could read as anything
# but the letters shown.
_INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def is_invisible(char: str) -> bool:
    """A character with no glyph that can change how the text around it is read: control, format, bidi, zero-width, separators."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


def _describe(char: str) -> str:
    name = unicodedata.name(char, "") or {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x00": "NUL", "\x1b": "escape"}.get(char, "")
    return f"U+{ord(char):04X}" + (f" ({name.lower()})" if name else "")


def shown(value: Any, longest: int = 60) -> str:
    """A bad value as a problem shows it (problems.show), a long text cut to its first characters."""
    if isinstance(value, str) and len(value) > longest:
        return f"{value[:longest]!r}... ({len(value)} characters)"
    return show(value)


def check_text(value: Any, kind: str) -> Optional[tuple[str, str]]:
    """(message, hint) when value is not a safe text of this kind (a key of KINDS), else None."""
    spec = KINDS[kind]
    if not isinstance(value, str):
        return "must be a text", "write the text, quoted if it starts with a digit or holds a colon"
    if not value.strip():
        return "must be a non-empty text", spec.hint
    if len(value) > spec.longest:
        return f"is {len(value)} characters long, more than the {spec.longest} allowed", f"shorten it to at most {spec.longest} characters"
    for char in value:
        if is_invisible(char):
            return f"holds the control character {_describe(char)}", "write it on one line, without control or invisible formatting characters"
    for markup in MARKUP:
        if markup in value:
            return f"holds template markup '{markup}'", "remove '{{', '{%' and '{#': a text is data, never a template"
    if kind == "banner":
        for delimiter in BANNER_DELIMITERS:
            if delimiter in value:
                return f"holds '{delimiter}'", "leave out '^' (the IOS-XE banner delimiter) and '@' (the one deploy uses)"
    if value != value.strip():
        return "starts or ends with a space", "remove the spaces around the text"
    odd = next((char for char in value if not _allowed(char, spec)), None)
    if odd is not None:
        what = _describe(odd) if not odd.isprintable() or odd.isspace() else repr(odd)
        return spec.invalid or f"holds {what}, which is not allowed here", spec.hint
    if not spec.shape.fullmatch(value):
        return spec.invalid or f"may not start with {value[:1]!r}", spec.hint  # each shape but the domain's says how it starts
    return None


# ---------------------------------------------------------------- escapers, one per destination


def one_line(value: str) -> str:
    """Any text on one line with no invisible characters and no template markup: a control or line-breaking
    character becomes a space, an invisible formatting character is dropped, '{{' '{%' '{#' lose their meaning
    ('{ {'). What a template writes goes through this (templating.py); text the schema admits is unchanged."""
    if value.isascii() and value.isprintable() and "{" not in value:
        return value
    out = "".join(" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else "" if is_invisible(char) else char for char in value)
    for markup in MARKUP:
        while markup in out:
            out = out.replace(markup, markup[0] + " " + markup[1])
    return out


def quoted(value: Any) -> str:
    """The inside of a double-quoted string of a configuration language that escapes with backslash (Kamailio,
    rsyslog's RainerScript, net-snmp, nftables): backslash and double quote escaped, on one line."""
    return one_line(str(value)).replace("\\", "\\\\").replace('"', '\\"')


def sh_double_quoted(value: Any) -> str:
    """The inside of a double-quoted POSIX shell word: $, `, " and backslash escaped, on one line."""
    text = one_line(str(value))
    for char in ("\\", "$", "`", '"'):
        text = text.replace(char, "\\" + char)
    return text


def xml_comment(value: Any) -> str:
    """Text inside an XML comment: no '--' (which would end or break the comment) and no final '-'."""
    text = one_line(str(value))
    while "--" in text:
        text = text.replace("--", "- -")
    return text + " " if text.endswith("-") else text


_NO_BRACES = str.maketrans("{}", "()")


def ascii_line(value: Any, limit: int) -> str:
    """Text for an IOS-XE line: printable ASCII on one line (letters lose their accents, other characters become
    '?', braces parentheses: a brace of an IOS-XE configuration belongs to a vault reference), spaces collapsed,
    at most `limit` characters: a longer text is cut after its last whole word that fits (a single word too long is
    cut at the limit), and a parenthesis the cut left open goes with what it opened."""
    text = str(value)
    if not (text.isascii() and text.isprintable()):
        folded = unicodedata.normalize("NFKD", text)
        text = "".join(
            (
                char
                if " " <= char <= "~"
                else " " if unicodedata.category(char) in ("Cc", "Zs", "Zl", "Zp") else "" if unicodedata.combining(char) or is_invisible(char) else "?"
            )
            for char in folded
        )
    line = " ".join(text.translate(_NO_BRACES).split())
    return line if len(line) <= limit else _cut(line, limit)


def _cut(line: str, limit: int) -> str:
    """The longest start of `line` within `limit` characters that ends at a word and opens no parenthesis it does not close
    (a first word too long, or one holding the parenthesis, is cut inside)."""
    head = line[: _word_end(line, limit)]
    while (opened := _unclosed(head)) > 0:
        head = line[: _word_end(line, opened)]
    return head.rstrip()


def _word_end(line: str, limit: int) -> int:
    """Where a start of `line` of at most `limit` characters ends after a whole word, or `limit` when no word fits."""
    space = line.rfind(" ", 0, limit + 1)
    return space if space > 0 else limit


def _unclosed(text: str) -> int:
    """The index of the first '(' of `text` that no later ')' closes, or -1."""
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "(":
            opened.append(index)
        elif char == ")" and opened:
            opened.pop()
    return opened[0] if opened else -1


def dbtext(value: Any) -> str:
    """A value as a db_text field: backslash, colon and line breaks escaped."""
    text = str(value)
    for char, escaped in (("\\", "\\\\"), (":", "\\:"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(char, escaped)
    return text
