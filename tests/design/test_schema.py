"""The schema (design/schema.py): the one declaration of every field checks the input, types the records and
holds the constants policy owns (DSCP, routing roles)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import default_policy, small_institutions, write_registry
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import model, schema, tariffs
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.schema import Field, check_record, values
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import read_source
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.validation import parse

RANGED = Field("n", "int", "a number", low=1, high=8)
CHOICE = Field("c", "choice", "a choice", choices=(2, 3))


def _problems(field: Field, value: Any) -> list[str]:
    return [problem.message for problem in check_record({field.name: value}, (field,), "test")]


@given(st.integers(min_value=-100, max_value=100))
def test_a_whole_number_passes_exactly_inside_its_range(value: int) -> None:
    assert (not _problems(RANGED, value)) == (RANGED.low <= value <= RANGED.high)


@given(st.one_of(st.booleans(), st.floats(allow_nan=False), st.text(max_size=3), st.none()))
def test_a_whole_number_is_never_a_bool_a_float_or_a_text(value: Any) -> None:
    if value is not None:  # None is a missing field: required
        assert _problems(RANGED, value) == ["must be a whole number"]


@given(st.one_of(st.integers(-5, 10), st.booleans(), st.floats(allow_nan=False, min_value=-5, max_value=10)))
def test_a_choice_matches_by_type_and_value(value: Any) -> None:
    matches = type(value) is int and value in CHOICE.choices
    assert (not _problems(CHOICE, value)) == matches


def test_a_missing_required_field_an_unknown_one_and_a_wrong_kind_are_all_reported() -> None:
    fields = (Field("a", "int", "a"), Field("b", "prefix", "b"), Field("c", "slug", "c", required=False))
    found = check_record({"b": "10.0.0.1/24", "d": 1}, fields, "policy x")
    assert [(problem.field, problem.message) for problem in found] == [
        ("a", "is required"),
        ("b", "is not an IPv4 prefix in network/length form"),
        ("d", "is not a known field"),
    ]


def test_values_gives_every_field_an_absent_optional_one_as_its_default() -> None:
    fields = (Field("a", "int", "a"), Field("b", "int", "b", required=False), Field("c", "int", "c", required=False, default=7))
    assert values({"a": 1, "b": None}, fields) == {"a": 1, "b": None, "c": 7}


def test_allowed_says_the_choices_or_the_range() -> None:
    assert (CHOICE.allowed, RANGED.allowed, Field("x", "int", low=0).allowed, Field("y", "name").allowed) == ("2, 3", "1 to 8", "0 or more", "")


# Each typed record and the table it is made from: the record has the table's fields (plus what validation
# derives), so adding a field to the table without the record (or the other way round) fails here.
RECORDS: list[tuple[type, tuple[Field, ...], set[str], set[str]]] = [
    # (record, table, fields the record adds, fields of the table the record does not keep as they are)
    (model.Region, schema.REGION_FIELDS, set(), set()),
    (model.Hub, schema.HUB_FIELDS, set(), set()),
    (model.Institution, schema.INSTITUTION_FIELDS, {"pin_site_block", "pin_code"}, {"pins"}),
    (model.SizeClass, schema.SIZE_FIELDS, {"name"}, set()),
    (model.Vlan, schema.VLAN_FIELDS, {"role"}, set()),
    (model.ShortCode, schema.SHORT_CODE_FIELDS, set(), set()),
    (model.Pstn, schema.PSTN_FIELDS, set(), set()),
    (model.Numbering, schema.NUMBERING_FIELDS, set(), set()),
    (model.Routing, schema.ROUTING_FIELDS, set(), set()),
    (model.Service, schema.SERVICE_FIELDS, set(), set()),
    (tariffs.Tariffs, tariffs.TARIFF_FIELDS, set(), set()),
]


@pytest.mark.parametrize("record, table, added, dropped", RECORDS, ids=lambda item: getattr(item, "__name__", ""))
def test_each_typed_record_has_the_fields_its_table_declares(record: type, table: tuple[Field, ...], added: set[str], dropped: set[str]) -> None:
    declared = {field.name for field in table} - dropped
    typed = {item.name for item in dataclasses.fields(record)}
    assert typed == declared | added
    for field in table:
        if field.name in typed:
            default = next(item.default for item in dataclasses.fields(record) if item.name == field.name)
            if field.required:
                assert default is dataclasses.MISSING, f"{record.__name__}.{field.name} is required: no default"
            else:
                assert default == field.default, f"{record.__name__}.{field.name}: the default is the schema's"


def test_dscp_is_one_table_of_six_bit_code_points_the_qos_choices_come_from() -> None:
    assert all(0 <= point < 64 for point in schema.DSCP.values())
    assert len(set(schema.DSCP.values())) == len(schema.DSCP)
    dscp = {field.name: field for field in schema.QOS_CLASS_FIELDS}["dscp"]
    assert dscp.choices == tuple(schema.DSCP) == next(field.choices for field in schema.MARKING_FIELDS if field.name == "media")


def test_router_roles_are_device_roles() -> None:
    assert set(schema.ROUTER_ROLES) < set(schema.DEVICE_ROLES)


def test_every_device_role_has_a_platform_field() -> None:
    assert [field.name for field in schema.PLATFORM_FIELDS] == list(schema.DEVICE_ROLES)
    assert all(field.choices == schema.PLATFORMS for field in schema.PLATFORM_FIELDS)


def _problems_of(tmp_path: Path, change: Callable[[dict], None]) -> list[tuple[str, str, str]]:
    policy = default_policy()
    change(policy)
    with pytest.raises(GovnetInputError) as raised:
        parse(read_source(write_registry(tmp_path, small_institutions(), policy)))
    return [(problem.where, problem.field, problem.message) for problem in raised.value.problems]


def test_management_from_must_name_a_pool(tmp_path: Path) -> None:
    found = _problems_of(tmp_path, lambda policy: policy["govnet_security"].update(management_from="ops_net"))
    assert found == [("policy govnet_security", "management_from", "is not a pool of govnet_addressing")]


def test_voice_is_marked_with_the_dscp_of_a_qos_class(tmp_path: Path) -> None:
    found = _problems_of(tmp_path, lambda policy: policy["govnet_qos"]["marking"].update(signalling="af11"))
    assert found == [("policy govnet_qos.marking", "signalling", "is not the dscp of a QoS class")]


def test_the_time_zone_is_checked_field_by_field(tmp_path: Path) -> None:
    found = _problems_of(tmp_path, lambda policy: policy["govnet_security"].update(timezone={"name": "EAT", "utc_offset": 30}))
    assert found == [("policy govnet_security.timezone", "utc_offset", "must be at most 14")]


def test_the_shipped_policy_gives_the_intended_state_its_domain_time_zone_and_operations_network() -> None:
    policy = default_policy()
    security = policy["govnet_security"]
    assert security["domain"] == "govnet.go.tz" and security["timezone"] == {"name": "EAT", "utc_offset": 3}
    assert policy["govnet_addressing"]["pools"][security["management_from"]]["prefix"] == "10.0.8.0/24"
