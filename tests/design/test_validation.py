"""Every kind of bad input gets the same clear message, word for word (golden files)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import validate, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.checks import routing_problems
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.model import Routing
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import Source, read_source
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.validation import parse

from conftest import GOLDEN, SMALL, check_golden, default_policy, small_institutions

Case = Callable[[list, dict], None]


def by_slug(items: list[dict], slug: str) -> dict:
    return next(item for item in items if item["slug"] == slug)


def missing_and_mistyped(items: list, policy: dict) -> None:
    del by_slug(items, "mof")["name"]
    by_slug(items, "tba")["id"] = "forty-eight"
    by_slug(items, "rs-dodoma")["phase"] = 4
    by_slug(items, "kongwa-dc")["site"] = "5"
    by_slug(items, "dodoma-cc")["colour"] = "blue"
    items.append("just a string")


def unknown_values(items: list, policy: dict) -> None:
    by_slug(items, "mof")["category"] = "ministri"
    by_slug(items, "kongwa-dc")["council_type"] = "village"
    by_slug(items, "tba")["region"] = "dodom"
    by_slug(items, "rs-dodoma")["size"] = "huge"
    by_slug(items, "dodoma-cc")["slug"] = "Dodoma_CC"


def duplicates(items: list, policy: dict) -> None:
    by_slug(items, "tba")["id"] = 8
    by_slug(items, "kongwa-dc")["site"] = 1
    items.append({**by_slug(items, "rs-dodoma"), "id": 200, "site": 9})


def duplicate_code(items: list, policy: dict) -> None:
    by_slug(items, "tba")["pins"] = {"code": 408}


def duplicate_hostname(items: list, policy: dict) -> None:
    policy["govnet_hubs"][0]["slug"] = "ce1"
    policy["govnet_services"] = [
        {**service, "hubs": ["ce1" if hub == "dar" else hub for hub in service["hubs"]]} for service in policy["govnet_services"]
    ]
    by_slug(items, "tba")["slug"] = "core"


def category_rules(items: list, policy: dict) -> None:
    by_slug(items, "mof")["site"] = 3
    del by_slug(items, "kongwa-dc")["council_type"]
    del by_slug(items, "rs-dodoma")["site"]
    by_slug(items, "tba")["council_type"] = "town"


def pins(items: list, policy: dict) -> None:
    by_slug(items, "mof")["pins"] = {"site_block": "10.65.0.0/22"}
    by_slug(items, "tba")["pins"] = {"site_block": "10.24.146.0/23", "code": 95}
    by_slug(items, "rs-dodoma")["pins"] = {"site_block": "10.65.64.0/24"}
    items.append({**by_slug(items, "kongwa-dc"), "id": 300, "slug": "mpya-dc", "site": 9, "pins": {"site_block": "10.65.133.0/24"}})


def too_few_management_addresses(items: list, policy: dict) -> None:
    policy["govnet_size_classes"]["large"]["subnets"]["management"] = 29


def pools_overlap(items: list, policy: dict) -> None:
    pools = policy["govnet_addressing"]["pools"]
    pools["central_links"]["prefix"] = "10.1.0.0/20"
    pools["shared_services"]["prefix"] = "192.168.16.0/20"
    policy["govnet_addressing"]["region_layout"]["links"]["offset"] = "0.0.192.0/23"


def pool_too_small(items: list, policy: dict) -> None:
    pools = policy["govnet_addressing"]["pools"]
    pools["central_sites_large"] = {"prefix": "10.16.0.0/21", "block": 22}
    pools["central_sites_medium"] = {"prefix": "10.24.0.0/23", "block": 23}
    policy["govnet_addressing"]["region_layout"]["sites_large"] = {"offset": "0.0.0.0/21", "block": 22}


def vlans(items: list, policy: dict) -> None:
    policy["govnet_vlans"]["data"]["id"] = 5000
    policy["govnet_vlans"]["voice"]["id"] = 99
    policy["govnet_vlans"]["servers"]["name"] = "MGMT"
    policy["govnet_vlans"]["wifi"] = {"id": 40, "name": "WIFI"}


def size_class_fields(items: list, policy: dict) -> None:
    policy["govnet_size_classes"]["large"]["ce_routers"] = 3
    policy["govnet_size_classes"]["small"]["extensions"] = "many"


def size_class_capacity(items: list, policy: dict) -> None:
    policy["govnet_size_classes"]["small"]["subnets"]["data"] = 24
    policy["govnet_size_classes"]["medium"]["extensions"] = 2500
    policy["govnet_size_classes"]["large"]["conference_bridges"] = 200
    policy["govnet_size_classes"]["large"]["subnets"]["management"] = 30


def dial_plan(items: list, policy: dict) -> None:
    numbering = policy["govnet_numbering"]
    numbering["code_first_digits"] = "349"
    numbering["short_codes"].append({"number": "45", "name": "Bad short code", "emergency": False})


def code_space_exhausted(items: list, policy: dict) -> None:
    policy["govnet_numbering"]["code_offset"] = 850


def missing_policy(items: list, policy: dict) -> None:
    policy["govnet_routing"] = {"core_asn": "64512"}
    policy["govnet_operations_hub"] = "mwanza"


def segmentation(items: list, policy: dict) -> None:
    rules = policy["govnet_segmentation"]
    rules["shared_services"][0]["service"] = "payroll"
    rules["shared_services"][1]["ports"] = [53, 70000]
    rules["management"][0] = {"protocol": "tcp"}
    rules["voice"]["services"] = ["sip_core", "voicemail"]
    rules["voice"]["media_last_port"] = 10000
    rules["control_plane"]["icmp_pps"] = 0


def voice_policy(items: list, policy: dict) -> None:
    pstn = policy["govnet_numbering"]["pstn"]
    pstn["class_of_service"]["council"] = "worldwide"
    del pstn["class_of_service"]["ministry"]
    pstn["class_of_service"]["village"] = "national"
    pstn["international_prefix"] = "0"
    security = policy["govnet_security"]
    security["sip"]["realm_domain"] = "GovNet Tanzania"
    security["secrets"]["sip_secret"] = "s3cr3t-in-clear"
    security["secrets"][7] = "vault_govnet_seven"


def ipsec_policy(items: list, policy: dict) -> None:
    ipsec = policy["govnet_segmentation"]["ipsec"]
    ipsec["ike_proposal"]["group"] = 5
    ipsec["esp_proposal"]["encryption"] = "3des"
    ipsec["esp_lifetime"] = ipsec["ike_lifetime"]


def region_asn_overflow(items: list, policy: dict) -> None:
    policy["govnet_routing"]["region_asn_base"] = 4294967290


def reserved_asns(items: list, policy: dict) -> None:
    policy["govnet_routing"]["core_asn"] = 23456
    policy["govnet_routing"]["region_asn_base"] = 64490
    policy["govnet_routing"]["institution_asn_base"] = 65527


def asn_roles_overlap(items: list, policy: dict) -> None:
    policy["govnet_routing"]["region_asn_base"] = 64511
    policy["govnet_routing"]["institution_asn_base"] = 64520


def bgp_timers(items: list, policy: dict) -> None:
    policy["govnet_routing"]["keepalive"] = 60
    policy["govnet_routing"]["holdtime"] = 3


def five_problems_in_one_run(items: list, policy: dict) -> None:
    del by_slug(items, "mof")["name"]
    by_slug(items, "kongwa-dc")["region"] = "dodom"
    by_slug(items, "rs-dodoma")["pins"] = {"code": 448}
    policy["govnet_addressing"]["pools"]["central_sites_medium"] = {"prefix": "10.24.0.0/23", "block": 23}
    policy["govnet_routing"]["holdtime"] = 20


def pool_cannot_be_widened(items: list, policy: dict) -> None:
    by_slug(items, "mof")["id"] = 2**40


def call_route_services(items: list, policy: dict) -> None:
    services = [service for service in policy["govnet_services"] if service["role"] != "pstn_gateway"]
    sip = next(service for service in services if service["role"] == "sip_core")
    services += [{**sip, "name": f"sip-{n}", "host": 30 + n} for n in range(4)]
    policy["govnet_services"] = services


CASES: dict[str, Case] = {
    case.__name__: case
    for case in (
        missing_and_mistyped,
        unknown_values,
        duplicates,
        duplicate_code,
        duplicate_hostname,
        category_rules,
        pins,
        pools_overlap,
        pool_too_small,
        vlans,
        size_class_fields,
        size_class_capacity,
        too_few_management_addresses,
        dial_plan,
        code_space_exhausted,
        missing_policy,
        segmentation,
        voice_policy,
        ipsec_policy,
        region_asn_overflow,
        reserved_asns,
        asn_roles_overlap,
        bgp_timers,
        five_problems_in_one_run,
        pool_cannot_be_widened,
        call_route_services,
    )
}


@pytest.mark.golden
@pytest.mark.parametrize("name", sorted(CASES))
def test_error_text_is_golden(name: str, registry_factory: Callable[..., Path]) -> None:
    items, policy = small_institutions(), default_policy()
    CASES[name](items, policy)
    changed = {key: value for key, value in policy.items() if value != default_policy().get(key)}
    path = registry_factory(items, changed)
    with pytest.raises(GovnetInputError) as raised:
        plan(path)
    check_golden(GOLDEN / "errors" / f"{name}.txt", raised.value.report() + "\n")


def test_every_problem_names_where_field_value_and_hint(registry_factory: Callable[..., Path]) -> None:
    for name, case in CASES.items():
        items, policy = small_institutions(), default_policy()
        case(items, policy)
        with pytest.raises(GovnetInputError) as raised:
            plan(registry_factory(items, policy))
        for problem in raised.value.problems:
            assert problem.where and problem.field and problem.value and problem.message and problem.hint, (name, problem)


@pytest.mark.golden
def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "institutions.yml"
    path.write_text("plugin: ega.govnet.registry\ninstitutions:\n  - id: 1\n   slug: bad\n")
    with pytest.raises(GovnetInputError) as raised:
        validate(path)
    check_golden(GOLDEN / "errors" / "invalid_yaml.txt", raised.value.report() + "\n")


def test_small_fixture_is_valid() -> None:
    registry, _ = validate(SMALL)
    assert [inst.slug for inst in registry.institutions] == ["mof", "tba", "rs-dodoma", "kongwa-dc", "dodoma-cc"]


@pytest.mark.parametrize("asn", [23456, 64496, 64511, 65535, 65536, 65551])
def test_every_reserved_asn_is_refused(asn: int) -> None:
    routing = Routing(core_asn=asn, region_asn_base=64600, institution_asn_base=4200000000, ce_max_prefixes=10, keepalive=10, holdtime=30)
    problems = routing_problems(routing, [(1, "region 1 (dodoma)")], [(8, "institution 8 (mof)")])
    assert [(problem.field, problem.value) for problem in problems] == [("core_asn", str(asn))]


def test_the_last_asn_is_refused_as_beyond_not_twice() -> None:
    routing = Routing(core_asn=64512, region_asn_base=4294967294, institution_asn_base=4200000000, ce_max_prefixes=10, keepalive=10, holdtime=30)
    problems = routing_problems(routing, [(1, "region 1 (dodoma)")], [(8, "institution 8 (mof)")])
    assert [problem.message for problem in problems] == ["gives region 1 (dodoma) ASN 4294967295, beyond the largest ASN 4294967294"]


def test_parse_gives_typed_records_of_a_valid_source_and_every_problem_of_a_broken_one() -> None:
    source = read_source(SMALL)
    registry, policy = parse(source)
    assert [inst.slug for inst in registry.institutions] == [item["slug"] for item in source.institutions]
    assert policy.numbering.extension_digits == source.policy["govnet_numbering"]["extension_digits"]
    broken = [dict(item, region="nowhere") for item in source.institutions[:2]]
    with pytest.raises(GovnetInputError) as raised:
        parse(Source(source.path, broken, source.policy, source.include_zanzibar))
    assert [problem.field for problem in raised.value.problems] == ["region", "region"]
