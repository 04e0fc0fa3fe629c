"""The one way device configurations are templated: strict, whitespace-exact, loaded once per platform."""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


def config_environment(platform: str) -> jinja2.Environment:
    """A Jinja2 environment for the templates of one platform (templates/<platform>/): an undefined value is an
    error, block tags leave no blank lines, files keep their final newline, and nothing is escaped."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / platform)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
    )
