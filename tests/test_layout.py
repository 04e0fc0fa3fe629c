"""The tests mirror the library: govnet/<stage>/<module>.py has its unit tests in tests/<stage>/test_<module>.py, or
is named below with the test module that exercises it, and that test module imports it directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

LIBRARY = ROOT / "plugins" / "plugin_utils" / "govnet"
PACKAGE = "ansible_collections.ega.govnet.plugins.plugin_utils.govnet"
# Modules whose behaviour is tested through a neighbour's tests, each with the test module that imports it.
COVERED_BY = {
    "design/checks.py": "design/test_validation.py",  # every check's problem text is a golden error
    "design/dialplan.py": "design/test_allocation.py",  # the dial plan is free of clashes for any registry
    "design/model.py": "design/test_schema.py",  # each record has exactly its declared fields
    "design/sip_credentials.py": "platforms/ios_xe/test_sip_credentials.py",  # phone passwords as CME and Kamailio see them
    "design/source.py": "core/test_input_limits.py",  # reading a registry and its policy within the limits
    "design/state.py": "design/test_intended.py",  # every state fits the schema of its role
    "design/tariffs.py": "design/test_schema.py",
    "lab/ctl.py": "lab/test_net.py",  # bringing the topology up is the lab scenarios' (molecule/)
    "ops/compliance_report.py": "ops/test_compliance.py",
    "ops/compliance_run.py": "ops/test_compliance.py",
    "ops/rollout_report.py": "ops/test_rollout.py",
    "publish/graph.py": "publish/test_documents.py",
    "publish/html.py": "publish/test_documents.py",
    "publish/i18n.py": "publish/test_documents.py",
}


def _modules() -> list[str]:
    return sorted(str(path.relative_to(LIBRARY)) for path in LIBRARY.rglob("*.py") if path.name != "__init__.py")


def _imports(test: Path) -> set[str]:
    """The library modules a test module imports (from PACKAGE.stage import module, or from PACKAGE.stage.module import name)."""
    found = set()
    for node in ast.walk(ast.parse(test.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE + "."):
            base = node.module[len(PACKAGE) + 1:].replace(".", "/")
            found.add(base + ".py")
            found.update(f"{base}/{alias.name}.py" for alias in node.names)
    return found


@pytest.mark.parametrize("module", _modules())
def test_every_library_module_has_its_tests(module: str) -> None:
    mirror = ROOT / "tests" / Path(module).parent / f"test_{Path(module).name}"
    if module in COVERED_BY:
        covering = ROOT / "tests" / COVERED_BY[module]
        assert not mirror.exists(), f"{module} has {mirror.relative_to(ROOT)}: drop it from COVERED_BY"
        assert module in _imports(covering), f"{COVERED_BY[module]} does not import {module}"
    else:
        assert mirror.is_file(), f"{module}: write its unit tests in {mirror.relative_to(ROOT)}"
        assert module in _imports(mirror), f"{mirror.relative_to(ROOT)} does not import {module}"


def test_the_exceptions_name_modules_that_exist() -> None:
    assert set(COVERED_BY) <= set(_modules())
