"""The one way device configurations are templated: strict, whitespace-exact, loaded once per platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..core.text import VAULT_REFERENCE, one_line, quoted, sh_double_quoted, xml_comment


class _ViewEnvironment(jinja2.Environment):
    """Views are plain dicts: `a.b` reads key b first, without the failed attribute lookup Jinja2 tries first
    (tens of thousands per configuration), then falls back to an attribute."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def written(value: Any) -> Any:
    """What a template writes for a value: a text on one line, without control characters or template markup
    (text.one_line), except a vault reference deploy fills in; any other value as it is."""
    if isinstance(value, str) and not (value.isascii() and value.isprintable() and "{" not in value):
        return value if VAULT_REFERENCE.fullmatch(value) else one_line(value)
    return value


def config_environment(templates: Path) -> jinja2.Environment:
    """A Jinja2 environment for the templates of one platform (its folder `templates`): an undefined value is an
    error, block tags leave no blank lines, files keep their final newline, nothing is HTML-escaped, and every
    value written is one line of text (`written`): no value can add a line to a configuration. Filters quoted,
    sh_double_quoted and xml_comment escape a value for a string or comment of the file's own syntax."""
    environment = _ViewEnvironment(
        finalize=written,
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
    )
    # Escapers for text inside a quoted string or comment of the destination's own syntax (text.py).
    environment.filters.update(quoted=quoted, sh_double_quoted=sh_double_quoted, xml_comment=xml_comment)
    return environment
