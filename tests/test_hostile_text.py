"""Hostile text against every text field of the registry and the policy, and against every renderer.

Two layers are proved apart (DESIGN: text is data until its destination):

- the schema refuses the text: every text field of every field table (found in the tables themselves, so a new
  field is covered without touching this file) refuses every hostile value, and a refused value reaches the
  engineer as a Problem naming where, the field, the value and a hint (golden texts, word for word);
- the renderers never write it raw: intended states holding hostile text (as if a bad value got past the schema)
  render to files with no extra line, no control character and no live template markup, that their own parsers
  still accept (bash -n, nft -c, kamailio -c, an XML parser), and the plan YAML gives the text back exactly.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import render as lab

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import schema

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import segmentation

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import tariffs

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core import text

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core import yamlout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.registry import render_all
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import Source
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.validation import parse

from conftest import GOLDEN, SMALL, check_golden, default_policy, small_institutions

LAB_FIXTURE = SMALL.parent.parent / "small-lab" / "institutions.yml"

HOSTILE = {
    "newline": "Wizara\nhostname evil",
    "carriage return": "Wizara\rhostname evil",
    "NUL": "Wizara\x00",
    "escape": "Wizara\x1b[2J",
    "DEL": "Wizara\x7f",
    "C1 next line": "Wizara\x85hostname evil",
    "right-to-left override": "Wizara\u202eadzi",
    "zero-width space": "Wiz\u200bara",
    "line separator": "Wizara\u2028hostname evil",
    "byte order mark": "\ufeffWizara",
    "Jinja2 lookup": "{{ lookup('ansible.builtin.pipe', 'id') }}",
    "Jinja2 block": "Wizara {% raw %}",
    "Jinja2 comment": "Wizara {# x #}",
    "banner delimiter": "^C",
    "shell quote": '"; rm -rf /',
    "command substitution": "$(id)",
    "backticks": "`id`",
    "ten megabytes": "a" * 10_000_000,
    "Arabic-Indic digits": "\u0669\u0660\u0661",
    "trailing newline": "mof\n",
}
# Kinds whose values are text (text.KINDS, the schema's slug and digits among them).
TEXT_FIELD_KINDS = set(text.KINDS) | {"str"}  # str: a name (schema's alias for a field not yet given its kind)
OTHER_FIELD_KINDS = {"int", "bool", "choice", "prefix", "map", "list"}


def field_tables() -> dict[str, tuple[schema.Field, ...]]:
    """Every field table of the schema and of the modules that check policy with it."""
    tables = {}
    for module in (schema, segmentation, tariffs):
        for name, value in vars(module).items():
            if name.endswith("_FIELDS") and isinstance(value, tuple) and value and all(isinstance(f, schema.Field) for f in value):
                tables[f"{module.__name__.rsplit('.', 1)[-1]}.{name}"] = value
    return tables


def text_fields() -> Iterator[tuple[str, schema.Field]]:
    for table, fields in sorted(field_tables().items()):
        for field in fields:
            if field.kind in TEXT_FIELD_KINDS:
                yield table, field


def test_every_field_has_a_kind_the_schema_knows() -> None:
    """No field is a free-for-all text: a field of a new kind must be given its rule here first."""
    for table, fields in field_tables().items():
        for field in fields:
            assert field.kind in TEXT_FIELD_KINDS | OTHER_FIELD_KINDS, (table, field.name, field.kind)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_every_text_field_refuses_hostile_text(case: str) -> None:
    value = HOSTILE[case]
    for table, field in text_fields():
        problems = schema.check_record({field.name: value}, (field,), "here")
        assert [problem.field for problem in problems] == [field.name], (table, field.name, case)
        problem = problems[0]
        assert problem.message and problem.hint, (table, field.name, case)
        assert len(str(problem)) < 400, (table, field.name, case)  # a 10 MB value is shown by its first characters
        assert str(problem).isprintable(), (table, field.name, case)  # one line: the value is shown escaped (repr)


def test_every_text_kind_admits_real_names() -> None:
    for kind, good in {
        "name": ["Ofisi ya Rais - TAMISEMI", "Mkoa wa Dar es Salaam", "Ministry of Finance (Wizara ya Fedha)", "Zürich & Côte d'Ivoire", "Wilaya 2"],
        "description": ["TACACS+ for device administration by e-GA operations", "Security operations collector (syslog, SNMP traps, flows)"],
        "short": ["DATA", "MGMT", "GOVNET-OPS", "VOICE_2"],
        "token": ["sip_core", "large"],
        "user": ["govnet-admin", "ops_1"],
        "slug": ["rs-dar-es-salaam"],
        "domain": ["govnet.go.tz"],
        "digits": ["000", "9"],
        "banner": ["Authorised access only. Activity is logged (GovNet, e-GA)."],
        "variable": ["vault_govnet_bgp_key"],
    }.items():
        for value in good:
            assert text.check_text(value, kind) is None, (kind, value)


@pytest.mark.parametrize(
    "kind, value",
    [("choice", True), ("choice", 1.0), ("choice", 2.0)],
)
def test_choices_match_by_type(kind: str, value: Any) -> None:
    """true is not 1 and 1.0 is not 1: phase and ssh_version take exactly the numbers listed."""
    for field in (schema.Field("phase", "choice", choices=schema.PHASES), schema.Field("ssh_version", "choice", choices=(2,))):
        assert schema.check_record({field.name: value}, (field,), "here"), (field.name, value)


def test_tariff_prefixes_are_ascii_digits() -> None:
    """A tariff prefix of other scripts' digits (str.isdigit admits them) is refused like any other non-digit."""
    raw = dict(default_policy()["govnet_tariffs"], international_prefixes=["\u0660\u0660\u0660"])
    tariffs_read, problems = tariffs.parse_tariffs(raw)
    assert tariffs_read is None and [problem.message for problem in problems] == ["must be digits"]


# ---------------------------------------------------------------- the same, through validation of a whole source


# Where each field table's records sit in the raw source: (institutions, policy) -> the records to change.
PLACES: dict[str, Callable[[list, dict], list[dict]]] = {
    "schema.INSTITUTION_FIELDS": lambda items, policy: [items[0]],
    "schema.REGION_FIELDS": lambda items, policy: [policy["govnet_regions"][0]],
    "schema.HUB_FIELDS": lambda items, policy: [policy["govnet_hubs"][0]],
    "schema.VLAN_FIELDS": lambda items, policy: [policy["govnet_vlans"]["data"]],
    "schema.NUMBERING_FIELDS": lambda items, policy: [policy["govnet_numbering"]],
    "schema.PSTN_FIELDS": lambda items, policy: [policy["govnet_numbering"]["pstn"]],
    "schema.SHORT_CODE_FIELDS": lambda items, policy: [policy["govnet_numbering"]["short_codes"][0]],
    "schema.SERVICE_FIELDS": lambda items, policy: [policy["govnet_services"][0]],
    "schema.QOS_CLASS_FIELDS": lambda items, policy: [policy["govnet_qos"]["classes"][0]],
    "schema.SECURITY_FIELDS": lambda items, policy: [policy["govnet_security"]],
    "schema.SIP_FIELDS": lambda items, policy: [policy["govnet_security"]["sip"]],
    "schema.TIMEZONE_FIELDS": lambda items, policy: [policy["govnet_security"]["timezone"]],
}


def _source(items: list, policy: dict) -> Source:
    return Source(SMALL, items, policy, False)


def test_every_text_field_is_placed() -> None:
    """Each table with a text field says where its records are, so the sweep below reaches it."""
    tables = {table for table, _field in text_fields()}
    unplaced = tables - set(PLACES) - {"segmentation.SHARED_SERVICE_FIELDS", "tariffs.TARIFF_FIELDS"}  # tested by their own tests
    assert not unplaced, f"add the tables {sorted(unplaced)} to PLACES"


@pytest.mark.parametrize("table, field", [pair for pair in text_fields() if pair[0] in PLACES], ids=lambda item: getattr(item, "name", item))
def test_validation_refuses_hostile_text_in_every_field(table: str, field: schema.Field) -> None:
    """A hostile value in any text field of the shipped policy or the registry: validation refuses it, naming it."""
    for value in (HOSTILE["newline"], HOSTILE["Jinja2 lookup"], HOSTILE["right-to-left override"]):
        items, policy = small_institutions(), default_policy()
        for record in PLACES[table](items, policy):
            record[field.name] = value
        with pytest.raises(GovnetInputError) as raised:
            parse(_source(items, policy))
        named = [problem for problem in raised.value.problems if problem.field == field.name]
        assert named, (table, field.name, value, raised.value.report())


# Representative cases, golden word for word: (name, change of the small fixture's registry and the shipped policy).
def _set(path: tuple, value: Any) -> Callable[[list, dict], None]:
    def change(items: list, policy: dict) -> None:
        where: Any = items if path[0] == "registry" else policy
        for key in path[1:-1]:
            where = where[key]
        where[path[-1]] = value

    return change


# Fields whose record no other record refers to, so that each golden shows the text problem alone (the sweep above
# covers every field, whatever else a refused record then makes fail).
GOLDEN_CASES = {
    "text_name_injection": [
        _set(("registry", 0, "name"), "Ministry of Finance\nhostname evil"),
        _set(("registry", 1, "name"), "{{ lookup('ansible.builtin.pipe', 'id') }}"),
        _set(("registry", 2, "name_sw"), "Sekretarieti\u202e ya Mkoa"),
        _set(("registry", 3, "abbreviation"), "KDC$(id)"),
        _set(("registry", 4, "name"), "Dodoma City Council " * 600_000),
    ],
    "text_policy_injection": [
        _set(("policy", "govnet_security", "admin_user"), "admin\n"),
        _set(("policy", "govnet_security", "login_banner"), "Authorised access only ^C"),
        _set(("policy", "govnet_security", "snmp_group"), "GOVNET OPS"),
        _set(("policy", "govnet_vlans", "data", "name"), "DATA\n name evil"),
        _set(("policy", "govnet_qos", "classes", 0, "name"), "VOICE{% raw %}"),
        _set(("policy", "govnet_numbering", "short_codes", 1, "name"), "Fire and rescue\x1b[2J"),
    ],
    "text_sip_realm": [_set(("policy", "govnet_security", "sip", "realm_domain"), "govnet.go.tz\n")],
    "text_digits_and_choices": [
        _set(("policy", "govnet_numbering", "pstn_access_digit"), "\u0669"),
        _set(("policy", "govnet_security", "ssh_version"), 2.0),
        _set(("registry", 0, "phase"), True),
        _set(("registry", 1, "phase"), 1.0),
    ],
}


@pytest.mark.golden
@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_hostile_text_error_is_golden(name: str, registry_factory: Callable[..., Path]) -> None:
    items, policy = small_institutions(), default_policy()
    for change in GOLDEN_CASES[name]:
        change(items, policy)
    changed = {key: value for key, value in policy.items() if repr(value) != repr(default_policy().get(key))}  # 2.0 == 2
    with pytest.raises(GovnetInputError) as raised:
        plan(registry_factory(items, changed))
    report = raised.value.report()
    assert len(report) < 20_000
    check_golden(GOLDEN / "errors" / f"{name}.txt", report + "\n")


# ---------------------------------------------------------------- the renderers, given hostile text directly

PAYLOAD = "Evil\nhostname evil\r\n{{ lookup('ansible.builtin.pipe', 'id') }} {% raw %} {# c #}\x00\x1b[2J\u202e\u2028\"'; $(id) `id` -- ^C \\"
# Free text of the intended state (names, descriptions, the banner), by key; the renderers must escape it wherever it
# lands. Names under these keys are looked up (interfaces, services), or are IOS-XE identifiers, refused if not one word.
TEXT_KEYS = {"name", "name_sw", "abbreviation", "description", "banner", "pop", "capital"}
LOOKED_UP = ("interfaces", "lans", "services")
IOS_IDENTIFIERS = ("vlans", "qos", "timezone")  # identifiers the schema allows only as ASCII words
LEAKS = ("\nhostname evil", "\r", "\x00", "\x1b", "\u202e", "\u2028", "{{ lookup", "{% raw", "{# c")
COMMENTS = ("#", "!", "<!--", "description ")


def _poison(data: Any, skip: tuple[str, ...], path: tuple = ()) -> Any:
    """The data with PAYLOAD appended to every free text, as if a hostile value had got past the schema."""
    if isinstance(data, dict):
        return {
            key: (
                data[key] + PAYLOAD
                if key in TEXT_KEYS and isinstance(data[key], str) and not any(part in skip for part in path)
                else _poison(data[key], skip, path + (key,))
            )
            for key in data
        }
    if isinstance(data, list):
        return [_poison(item, skip, path) for item in data]
    return data


@pytest.fixture(scope="module")
def hostile_lab() -> dict[str, str]:
    return lab.render(_poison(copy.deepcopy(plan(LAB_FIXTURE).states), LOOKED_UP))


@pytest.fixture(scope="module")
def hostile_ios() -> dict[str, str]:
    return render_all(_poison(copy.deepcopy(plan(SMALL).states), LOOKED_UP + IOS_IDENTIFIERS))


def _no_leak(path: str, content: str) -> None:
    """No extra line, no control character, no live template markup; shell-like text only in a comment or
    description (where every character but a line break is text)."""
    for leak in LEAKS:
        assert leak not in content, (path, leak)
    for line in content.splitlines():
        if "Evil" in line and not path.startswith("configs/"):
            assert line.lstrip().startswith(COMMENTS) or " description " in line, (path, line)


def test_lab_files_never_carry_hostile_text_raw(hostile_lab: dict[str, str]) -> None:
    kinds = {path.rsplit("/", 1)[-1] for path in hostile_lab}
    assert {"frr.conf", "ovs.sh", "sshd_config", "nftables.conf", "kamailio.cfg", "dialplan", "answer.xml"} <= kinds
    assert any("Evil" in content for content in hostile_lab.values())  # the text is there, escaped
    for path, content in hostile_lab.items():
        _no_leak(path, content)


def test_ios_xe_configs_never_carry_hostile_text_raw(hostile_ios: dict[str, str]) -> None:
    assert any(path.endswith(".cfg") for path in hostile_ios)
    for path, content in hostile_ios.items():
        _no_leak(path, content)
        if path.endswith(".cfg") and path.count("/") == 1:  # a device's configuration, not a SIP core server's file
            assert content.isascii(), path
            assert content.count("{") == 2 * len(ios_xe.VAULT_REFERENCE.findall(content)), path
            for line in content.splitlines():
                if line.lstrip().startswith("description "):
                    assert len(line.lstrip()) - len("description ") <= 240, (path, line)


def test_ovs_script_still_parses(hostile_lab: dict[str, str], tmp_path: Path) -> None:
    scripts = [path for path in hostile_lab if path.endswith("ovs.sh")]
    assert scripts
    for path in scripts:
        script = tmp_path / "ovs.sh"
        script.write_text(hostile_lab[path])
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, (path, result.stderr)


def test_answerer_scenario_is_well_formed_xml(hostile_lab: dict[str, str]) -> None:
    scenarios = [path for path in hostile_lab if path.endswith("answer.xml")]
    assert scenarios
    for path in scenarios:
        ElementTree.fromstring(hostile_lab[path].encode())


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("nft"), reason="nft -c needs root and nftables")
def test_nftables_rules_still_check(hostile_lab: dict[str, str], tmp_path: Path) -> None:
    rules = [path for path in hostile_lab if path.endswith("nftables.conf")]
    assert rules
    for path in rules:
        conf = tmp_path / "nftables.conf"
        conf.write_text(hostile_lab[path])
        result = subprocess.run(["nft", "-c", "-f", str(conf)], capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, (path, result.stderr)


@pytest.mark.skipif(not shutil.which("kamailio"), reason="kamailio -c needs Kamailio")
def test_kamailio_configurations_still_check(hostile_lab: dict[str, str], tmp_path: Path) -> None:
    configs = [path for path in hostile_lab if path.endswith("kamailio.cfg")]
    assert configs
    for path in configs:
        conf = tmp_path / "kamailio.cfg"
        conf.write_text(hostile_lab[path])
        result = subprocess.run(["kamailio", "-c", "-f", str(conf)], capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, (path, result.stderr[-2000:])


def test_escapers_neutralise_in_their_syntax() -> None:
    assert text.quoted('a"b\\c\nd') == 'a\\"b\\\\c d'
    assert text.sh_double_quoted('$(id) `id` "x" \\') == '\\$(id) \\`id\\` \\"x\\" \\\\'
    assert "--" not in text.xml_comment("a--b---") and not text.xml_comment("a-").endswith("-")
    assert text.ascii_line("Côte\nd'Ivoire\u202e", 240) == "Cote d'Ivoire"
    assert text.one_line("{{ x }} {% y %} {# z #}") == "{ { x }} { % y %} { # z #}"
    assert lab.dbtext("a:b\nc\\") == "a\\:b\\nc\\\\"


def test_a_hostname_that_is_not_one_is_refused_before_rendering() -> None:
    states = plan(LAB_FIXTURE).states
    hostile = dict(states)
    name = next(iter(states))
    hostile["evil\nhostname x"] = dict(states[name], hostname="evil\nhostname x")
    with pytest.raises(ValueError, match="hostname"):
        render_all(hostile)


def test_plan_yaml_gives_hostile_text_back_exactly() -> None:
    state = _poison(copy.deepcopy(next(iter(plan(SMALL).states.values()))), ())
    state["extra"] = {key: value[:1000] for key, value in HOSTILE.items()}
    assert yaml.safe_load(yamlout.dump(state)) == state
