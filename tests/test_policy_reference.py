"""docs/policy.md is generated from the field declarations: it is never stale, and no declared table is left out."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import schema, segmentation, tariffs

from conftest import ROOT


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("policy_reference", ROOT / "hacking" / "policy_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def _declared() -> dict[str, tuple[schema.Field, ...]]:
    """Every field table of the modules that declare policy fields, by module.NAME."""
    return {
        f"{module.__name__.rsplit('.', 1)[-1]}.{name}": value
        for module in (schema, segmentation, tariffs)
        for name, value in vars(module).items()
        if name.endswith("FIELDS") and isinstance(value, tuple)
    }


def test_the_committed_reference_is_what_the_generator_writes() -> None:
    assert (ROOT / "docs" / "policy.md").read_text(encoding="utf-8") == GENERATOR.reference(), "run: python hacking/policy_reference.py"


def test_every_declared_table_is_in_the_reference() -> None:
    shown = {id(table.fields) for table in GENERATOR.TABLES}
    missing = sorted(name for name, fields in _declared().items() if id(fields) not in shown)
    assert not missing, f"add {missing} to hacking/policy_reference.py TABLES"


def test_every_field_says_what_it_means() -> None:
    silent = sorted(f"{name}.{field.name}" for name, fields in _declared().items() for field in fields if not field.description)
    assert not silent, f"give these fields a description: {silent}"


def test_each_field_is_one_row_of_its_table() -> None:
    text = GENERATOR.reference()
    for table in GENERATOR.TABLES:
        section = text.split(f"### `{table.where}`\n", 1)[1].split("\n### ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert [row.split("`")[1] for row in rows] == [field.name for field in table.fields], table.where
