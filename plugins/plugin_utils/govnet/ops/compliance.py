"""Compliance: a device's running configuration against its intended one, per feature, and the remediation.

IOS-XE goes through hier_config (the maintained library for IOS-style remediation: the exact ``no`` lines and
their order, the rollback that brings a failed push back to the backup, and the configuration a remediation
leads to). The lab platform compares with its own tools' output: FRR's delta from ``frr-reload.py --test``,
Open vSwitch's ports from ``ovs-vsctl``, call control's files as Kamailio reads them.

Secrets are never compared and never reported. A device shows a secret back only hashed, so the secret
lines of both sides (vault references in the intended configuration, the lines of ``IOS_XE_SECRET_LINES`` in
the running one) are set aside before comparing, like deploy pushes the configuration less its secret lines;
any line that still names a password, secret or key is masked before it reaches a report.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

try:
    from hier_config import Host
    from hier_config.root import HConfig
except ImportError:  # a controller without requirements.txt (and ansible-test's import sandbox): named at use
    Host = HConfig = None

from ..platforms.ios_xe.secrets import split_secrets

# The features of an IOS-XE configuration, as data: each top-level line belongs to the first feature one of
# whose patterns it matches (re.match). A running line that matches none is not managed by GovNet (device
# defaults, licences) and is left alone; tests/ops/test_compliance.py checks that every line the build renders
# belongs to a feature.
IOS_XE_FEATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bgp", (r"router bgp ", r"ip prefix-list ", r"route-map ")),
    ("static routes", (r"ip route ", r"track ", r"ip default-gateway ")),
    ("interfaces", (r"interface ",)),
    ("acls", (r"ip access-list ", r"object-group ", r"access-list ")),
    ("control plane", (r"control-plane", r"(class-map|policy-map) (match-\S+ )?GOVNET-COPP")),
    ("qos", (r"class-map ", r"policy-map ", r"mls qos")),
    ("ipsec", (r"crypto ",)),
    ("flow export", (r"flow ",)),
    ("switching", (r"vlan ", r"spanning-tree ", r"vtp ", r"errdisable ", r"ip dhcp snooping", r"lldp ",
                   r"network-policy ")),
    ("voice", (r"dial-peer ", r"voice ", r"sip-ua", r"gateway", r"gw-accounting", r"telephony-service",
               r"ephone", r"application")),
    ("management", (r"hostname ", r"service ", r"no service ", r"clock ", r"logging ", r"no logging ", r"tacacs ",
                    r"aaa ", r"ip domain ", r"ip name-server ", r"login ", r"username ", r"enable ", r"archive",
                    r"ip ssh ", r"snmp-server ", r"banner ", r"line ", r"ntp ", r"no ip ", r"ip dhcp ")),
)

# Lines of an IOS-XE running configuration that carry a secret (shown hashed or encrypted by the device).
IOS_XE_SECRET_LINES = re.compile(
    r"\s*(username \S+ .*(secret|password) |enable (algorithm-type \S+ )?(secret|password) |key \d? ?\S|"
    r"snmp-server user |neighbor \S+ password |pre-shared-key |password |authentication .*key|key-string |ntp authentication-key )"
)

# Masked in anything reported: the word that introduces a secret and everything after it on the line.
_SECRET_WORDS = re.compile(r"\b(password|secret|key|pre-shared-key|key-string|auth sha|priv aes)\b(\s+\d)?\s+\S.*$")

# hier_config's rules for IOS-XE (its "ios" options know comments, banners and ACL sequence numbers).
_HIER_OS = "ios"
# The lines hier_config adds to leave a section (sent to the device, but no part of a configuration).


def mask_secrets(line: str) -> str:
    """The line with whatever follows a secret's keyword replaced, so no report ever holds one."""
    return _SECRET_WORDS.sub(lambda m: f"{m.group(1)} <secret-not-shown>", line)


@dataclass(frozen=True)
class FeatureDrift:
    """What differs in one feature: the lines to send (remediation, ``no`` lines included), already masked."""

    feature: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class DeviceCompliance:
    """One device's comparison: its drifted features (none: compliant), or why it could not be compared."""

    device: str
    platform: str
    institution: str
    drift: tuple[FeatureDrift, ...] = ()
    error: str = ""

    @property
    def compliant(self) -> bool:
        return not self.drift and not self.error


def ios_feature(line: str) -> str | None:
    """The feature a top-level IOS-XE line belongs to, or None when GovNet does not manage it."""
    for name, patterns in IOS_XE_FEATURES:
        if any(re.match(pattern, line) for pattern in patterns):
            return name
    return None


def ios_comparable(config: str) -> str:
    """The configuration less its secret lines: vault references (intended) and hashed secrets (running)."""
    plain = split_secrets(config).plain
    return "".join(line + "\n" for line in plain.splitlines() if not IOS_XE_SECRET_LINES.match(line))


def _host() -> "Host":
    """A hier_config host for IOS-XE; a controller without hier-config is told how to get it."""
    if Host is None:
        raise ValueError(
            "IOS-XE compliance needs the Python package hier-config on the controller. "
            "Hint: install requirements.txt (make setup) into the Python that runs Ansible"
        )
    return Host("device", _HIER_OS)


def _tree(config: str) -> HConfig:
    host = _host()
    host.load_running_config(ios_comparable(config))
    return host.running_config


def _managed(tree: HConfig) -> HConfig:
    """Only the top-level sections GovNet manages (a feature claims them), with everything under them."""
    managed = HConfig(host=tree.host)
    for child in tree.children:
        if ios_feature(child.text) is not None:
            managed.add_deep_copy_of(child)
    return managed


def _delta(running: HConfig, intended: HConfig) -> HConfig:
    delta = _managed(running).config_to_get_to(intended)
    delta.add_sectional_exiting()
    delta.set_order_weight()
    return delta


def _text(tree: HConfig | Iterable) -> str:
    children = tree.all_children_sorted() if hasattr(tree, "all_children_sorted") else tree
    return "".join(" " * (child.depth() - 1) + child.text + "\n" for child in children)


def ios_remediation(running: str, intended: str) -> str:
    """The IOS-XE lines that bring the running configuration to the intended one, in the order to send them.

    Only features GovNet manages are touched, and secret lines never appear (both sides set them aside).
    """
    return _text(_delta(_tree(running), _tree(intended)))


def ios_compare(device: str, institution: str, running: str, intended: str) -> DeviceCompliance:
    """Compare an IOS-XE device per feature; each drifted feature lists its remediation lines (masked)."""
    delta = _delta(_tree(running), _tree(intended))
    drift: dict[str, list[str]] = {}
    for child in sorted(delta.children):
        lines = _text([child, *child.all_children_sorted()]).splitlines()
        drift.setdefault(ios_feature(child.text) or "management", []).extend(map(mask_secrets, lines))
    return DeviceCompliance(device, "ios_xe", institution, _ordered(drift))


def _ordered(drift: Mapping[str, list[str]]) -> tuple[FeatureDrift, ...]:
    return tuple(FeatureDrift(name, tuple(lines)) for name, lines in sorted(drift.items()))


# ---------------------------------------------------------------------------------------------- lab platform
# FRR: the first line of each change frr-reload.py reports names its section.
FRR_FEATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bgp", (r"router bgp ", r"bgp ")),
    ("prefix lists", (r"ip prefix-list ",)),
    ("route maps", (r"route-map ",)),
    ("static routes", (r"ip route ",)),
    ("interfaces", (r"interface ",)),
    ("management", (r"log ", r"agentx", r"hostname ", r"service ", r"ip forwarding", r"frr ", r"line ")),
)


def frr_feature(line: str) -> str:
    """The feature of an FRR top-level line (anything else FRR holds counts as its global settings)."""
    for name, patterns in FRR_FEATURES:
        if any(re.match(pattern, line) for pattern in patterns):
            return name
    return "global"


# What frr-reload.py reports on every lab router, compliant or not, and why it is no drift: FRR in a network
# namespace shares the machine's host name (the UTS namespace), so running shows that name and the intended
# ``hostname`` can never match; ``ip forwarding`` is FRR's default in a namespace the lab enabled, so running
# never shows it (LAB_NOTES: say it explicitly in frr.conf).
FRR_ALWAYS_REPORTED = (re.compile(r"(no )?hostname \S+$"), re.compile(r"ip forwarding$"))


def frr_delta(output: str) -> dict[str, list[list[str]]]:
    """Parse ``frr-reload.py --test``: {"delete": [...], "add": [...]}, each change a top-level line and its sub-lines."""
    delta: dict[str, list[list[str]]] = {"delete": [], "add": []}
    section: str | None = None
    for raw in output.splitlines():
        line = raw.rstrip()
        if line in ("Lines To Delete", "Lines To Add"):
            section = "delete" if line == "Lines To Delete" else "add"
        elif section is None or not line.strip() or set(line) == {"="}:
            continue
        elif line[0].isspace() and delta[section]:
            delta[section][-1].append(line)
        elif not any(pattern.match(line) for pattern in FRR_ALWAYS_REPORTED):
            delta[section].append([line])
    return delta


def frr_compare(device: str, institution: str, reload_test: str) -> DeviceCompliance:
    """A lab router from frr-reload.py's delta between its running configuration and the intended frr.conf."""
    drift: dict[str, list[str]] = {}
    delta = frr_delta(reload_test)
    for sign, changes in (("-", delta["delete"]), ("+", delta["add"])):
        for change in changes:
            feature = frr_feature(change[0][3:] if change[0].startswith("no ") else change[0])
            drift.setdefault(feature, []).extend(f"{sign} {mask_secrets(line)}" for line in change)
    return DeviceCompliance(device, "lab", institution, _ordered(drift))


_OVS_PORT = re.compile(r"^vsctl .*add-port \S+ (\S+) -- set port \1 tag=(\d+)")


def ovs_intended_ports(ovs_sh: str) -> dict[str, int]:
    """The access ports and their VLANs a rendered ovs.sh makes (one ``add-port ... tag=N`` line each)."""
    return {m.group(1): int(m.group(2)) for m in map(_OVS_PORT.match, ovs_sh.splitlines()) if m}


def ovs_running_ports(list_port_json: Mapping) -> dict[str, int | None]:
    """Ports and tags from ``ovs-vsctl --format=json --columns=name,tag list port`` (no tag: None)."""
    ports: dict[str, int | None] = {}
    for name, tag in list_port_json.get("data", []):
        ports[str(name)] = tag if isinstance(tag, int) else None
    return ports


def ovs_compare(device: str, institution: str, ovs_sh: str, list_port_json: Mapping) -> DeviceCompliance:
    """A lab switch: every intended port on its VLAN, and no other port (the bridge's own port aside)."""
    intended, running = ovs_intended_ports(ovs_sh), ovs_running_ports(list_port_json)
    lines = [f"- port {name} tag={running[name]}\n+ port {name} tag={tag}" for name, tag in sorted(intended.items())
             if name in running and running[name] != tag]
    lines += [f"+ port {name} tag={tag}" for name, tag in sorted(intended.items()) if name not in running]
    lines += [f"- port {name}" for name in sorted(running) if name not in intended and name != "br0"]
    drift = {"vlans": [part for line in lines for part in line.splitlines()]} if lines else {}
    return DeviceCompliance(device, "lab", institution, _ordered(drift))


# Call control's files, by feature; the subscriber table holds credentials (HA1) and is never compared.
KAMAILIO_FEATURES: Mapping[str, str] = {
    "dialplan": "dial plan",
    "kamailio.cfg": "call routing",
    "dispatcher.list": "SIP core dispatch",
    "version": "tables",
}


def files_compare(device: str, institution: str, intended: Mapping[str, str], running: Mapping[str, str | None],
                  features: Mapping[str, str]) -> DeviceCompliance:
    """Devices configured by replacing files: each file a feature, its differing lines as a unified diff."""
    drift: dict[str, list[str]] = {}
    for name in sorted(intended):
        have = running.get(name)
        if have == intended[name]:
            continue
        diff = difflib.unified_diff((have or "").splitlines(), intended[name].splitlines(),
                                    f"{name} (device)", f"{name} (intended)", lineterm="", n=0)
        lines = [mask_secrets(line) for line in diff if not line.startswith(("---", "+++", "@@"))]
        drift.setdefault(features.get(name, name), []).extend(lines or [f"{name}: missing on the device"])
    return DeviceCompliance(device, "lab", institution, _ordered(drift))
