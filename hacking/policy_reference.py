"""Write docs/policy.md, the reference of the GovNet policy, from the field declarations that validate it.

Each field is declared once (design/schema.py, design/segmentation.py, design/tariffs.py: name, kind, allowed
values, description); validation checks with that declaration and this script lays it out, one table per
policy mapping. tests/test_policy_reference.py fails when the committed docs/policy.md is not what this writes.

Usage: python hacking/policy_reference.py [--check]   (--check: exit 1, writing nothing, when docs/policy.md is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.text import KINDS  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import schema as s, segmentation, tariffs, validation  # noqa: E402

OUT = ROOT / "docs" / "policy.md"
DEFAULTS = "plugins/plugin_utils/govnet/design/defaults"


class Table(NamedTuple):
    """One mapping of the policy (or the registry): where it sits, what it is, and its declared fields."""

    where: str
    about: str
    fields: tuple[s.Field, ...]


_POOLS = ", ".join(f"`{name}`" for name in s.POOL_NAMES if not name.startswith("central_sites_")) + ", `central_sites_SIZE` (one per size class)"
TABLES = (
    Table("govnet_addressing", "The address plan: every address is block `key` of a pool, from a stable key (addressing.yml says which).", s.ADDRESSING_FIELDS),
    Table("govnet_addressing.pools.NAME", f"Each pool: {_POOLS}.", s.POOL_FIELDS),
    Table("govnet_addressing.region_layout.NAME", "Each pool inside a region's block: `sites_SIZE` (one per size class), `loopbacks`, `links`.",
          s.LAYOUT_FIELDS),
    Table("govnet_size_classes.NAME", "What an institution of each size gets; an institution's `size` names one.", s.SIZE_FIELDS),
    Table("govnet_vlans.ROLE", f"The VLAN of each role, the same in every institution: {', '.join(s.VLAN_ROLES)}.", s.VLAN_FIELDS),
    Table("govnet_numbering", "The on-net numbering plan: institution code followed by extension, prefix-free with the short codes.", s.NUMBERING_FIELDS),
    Table("govnet_numbering.pstn", "PSTN breakout after the access digit.", s.PSTN_FIELDS),
    Table("govnet_numbering.short_codes[]", "Each short code.", s.SHORT_CODE_FIELDS),
    Table("govnet_routing", "BGP: ASNs, prefix limits and timers.", s.ROUTING_FIELDS),
    Table("govnet_services[]", "Each shared e-Government service at the core hubs.", s.SERVICE_FIELDS),
    Table("govnet_platforms", "The platform of each device role (an institution's `platform` overrides it).", s.PLATFORM_FIELDS),
    Table("govnet_qos", "QoS of every WAN link: LLQ classes by DSCP.", s.QOS_FIELDS),
    Table("govnet_qos.classes[]", "Each QoS class.", s.QOS_CLASS_FIELDS),
    Table("govnet_qos.marking", "How voice is marked, so it lands in its class.", s.MARKING_FIELDS),
    Table("govnet_security", f"The security and management baseline of every device. `secrets` names: {', '.join(s.SECRET_NAMES)}.", s.SECURITY_FIELDS),
    Table("govnet_security.timezone", "The time zone.", s.TIMEZONE_FIELDS),
    Table("govnet_security.sip", "SIP authentication.", s.SIP_FIELDS),
    Table("govnet_switching", "Access switching, the same in every institution.", s.SWITCHING_FIELDS),
    Table("govnet_segmentation", "What institutions may reach (default deny at every CE router), management reach, routing protection, logs.",
          segmentation.FIELDS),
    Table("govnet_segmentation.shared_services[]", "Each opening towards a shared service.", segmentation.SHARED_SERVICE_FIELDS),
    Table("govnet_segmentation.voice", "Voice signalling and media.", segmentation.VOICE_FIELDS),
    Table("govnet_segmentation.management[]", "Each protocol the operations network may use towards devices.", segmentation.MANAGEMENT_FIELDS),
    Table("govnet_segmentation.control_plane", "Control-plane policing (IOS-XE CoPP; the lab's nftables limits).", segmentation.CONTROL_PLANE_FIELDS),
    Table("govnet_segmentation.flow_export", "Flow export to the security operations collector.", segmentation.FLOW_EXPORT_FIELDS),
    Table("govnet_segmentation.ipsec", "IPsec between every CE and its upstream.", segmentation.IPSEC_FIELDS),
    Table("govnet_segmentation.ipsec.ike_proposal", "The IKE proposal.", segmentation.IKE_PROPOSAL_FIELDS),
    Table("govnet_segmentation.ipsec.esp_proposal", "The ESP proposal.", segmentation.ESP_PROPOSAL_FIELDS),
    Table("govnet_tariffs", "PSTN rates for the call report's estimated saving.", tariffs.TARIFF_FIELDS),
    Table("govnet_hubs[]", "Each core hub.", s.HUB_FIELDS),
    Table("govnet_regions[]", "Each region.", s.REGION_FIELDS),
    Table("institutions[] (the registry)", "Each institution of a registry file (inventories/govnet/institutions.yml), not policy.", s.INSTITUTION_FIELDS),
    Table("institutions[].pins", "Pinned values of an institution.", s.PIN_FIELDS),
)
# Policy variables without a field table of their own.
OTHERS = (
    ("govnet_operations_hub", "slug of the core hub the e-GA operations network sits at (its pool: `govnet_security.management_from`)"),
    ("govnet_rollout", "how a merge reaches the devices, in waves; checked by the rollout plan (docs/rollout.md)"),
)
KIND_WORDS = {
    "int": "a whole number",
    "bool": "true or false",
    "choice": "one of the values listed",
    "prefix": "an IPv4 prefix, network/length with no host bits set",
    "map": "a mapping (key: value)",
    "list": "a list",
    "str": "text (kind name)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(table: Table) -> list[str]:
    lines = [f"### `{table.where}`", "", table.about, "", "| Field | Kind | Allowed | Description |", "| --- | --- | --- | --- |"]
    for field in table.fields:
        kind = field.kind + ("" if field.required else ", optional")
        if field.default is not None:
            kind += f", default {field.default}"
        allowed = f"`{field.allowed}`" if field.choices else field.allowed
        lines.append(f"| `{field.name}` | {kind} | {_cell(allowed)} | {_cell(field.description)} |")
    return lines + [""]


def reference() -> str:
    """The text of docs/policy.md."""
    lines = [
        "# The GovNet policy",
        "",
        "<!-- Written by hacking/policy_reference.py from the field declarations; do not edit: change the declaration and run it. -->",
        "",
        f"The policy ships with the collection in `{DEFAULTS}/` (one file per topic, each explaining why its",
        "values are chosen). An inventory source of `ega.govnet.registry` may name more policy files under `policy:`;",
        "they are read after the shipped ones and a `govnet_*` variable there replaces the whole shipped variable.",
        "Validation checks every field below and names the field, the value and a hint when one is wrong.",
        "",
        "Every policy variable: " + ", ".join(f"`{var}`" for var in validation.POLICY_VARS) + ".",
        "",
        "## Variables",
        "",
    ]
    for table in TABLES:
        lines += _table(table)
    lines += ["### Other variables", "", "| Variable | What |", "| --- | --- |"]
    lines += [f"| `{name}` | {about} |" for name, about in OTHERS]
    lines += ["", "## Kinds", "", "| Kind | Value |", "| --- | --- |"]
    lines += [f"| {kind} | {words} |" for kind, words in KIND_WORDS.items()]
    lines += [f"| {name} | text: {_cell(spec.hint)}; at most {spec.longest} characters |" for name, spec in KINDS.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        stale = not OUT.exists() or OUT.read_text(encoding="utf-8") != text
        if stale:
            print(f"{OUT.relative_to(ROOT)} is stale: run python hacking/policy_reference.py", file=sys.stderr)
        return 1 if stale else 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(TABLES)} tables)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
