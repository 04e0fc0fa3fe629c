"""The GovNet SIP core in production: Kamailio on the SIP core server of each hub that hosts one.

The SIP core is a shared service in a hub's services LAN (the intended state ``sip_core`` of a ``core_hub``). Its
configuration comes from the same view and template as the lab's SIP core (``lab.sip_core_view``,
``templates/lab/sip_core.cfg.j2``): routes by institution code to each institution's call control, calls taken only
from known call control addresses, and a calling number outside the sending institution refused (403). Only what
differs by platform is set here: the tables sit beside the configuration in ``/etc/kamailio/`` (where the Debian
``kamailio`` package's service reads ``kamailio.cfg``), and the server runs more workers than a lab namespace.

Files per hub, keyed ``configs/<hub>-sip-core/<file>`` in a build: ``kamailio.cfg``, ``dialplan``, ``version``.
Operators install them as docs/sip-core.md says.
"""

from __future__ import annotations

from typing import Any, Collection, Mapping

from ...core.text import dbtext
from ...design.state import CoreHubState, State
from ..lab import render as lab

PLATFORM = "ios_xe"  # the hubs' platform in production; their SIP core servers run Kamailio whatever it is
CONFIG_DIR = "/etc/kamailio"
CHILDREN = 8  # UDP worker processes of a production SIP core
FILES = ("kamailio.cfg", "dialplan", "version")


def server_name(hub: str) -> str:
    """The SIP core server of a hub, as its folder in a build: core-dar -> core-dar-sip-core."""
    return f"{hub}-sip-core"


def production_platform() -> dict[str, Any]:
    """What the production SIP core has of its own (the keys of lab.lab_sip_core_platform)."""
    return {
        "label": "Production: Kamailio on the hub's SIP core server",
        "db": f"text://{CONFIG_DIR}",
        "children": CHILDREN,
        "run": [
            "Install",
            f"all three in {CONFIG_DIR}/ on the hub's SIP core server and restart the kamailio service (docs/sip-core.md).",
        ],
    }


def server_files(state: CoreHubState) -> dict[str, str]:
    """The files of one hub's SIP core server, by file name (the hub must host a SIP core)."""
    if "sip_core" not in state:
        raise ValueError(f"{state['hostname']}: this hub hosts no SIP core (no sip_core in its intended state)")
    view = lab.sip_core_view(state, production_platform())
    files = {"kamailio.cfg": lab.ENV.get_template("sip_core.cfg.j2").render(device=view)}
    for name in FILES[1:]:
        files[name] = lab.ENV.get_template(f"{name}.j2").render(device=view, dbtext=dbtext)
    return files


def render_device(state: State) -> dict[str, str]:
    """The SIP core server's files of one hub, from the hub's own intended state, keyed 'configs/<hub>-sip-core/<file>'
    (none for a hub that is not a production hub hosting a SIP core)."""
    if state["role"] != "core_hub" or state.get("platform") != PLATFORM or "sip_core" not in state:
        return {}
    return {f"configs/{server_name(state['hostname'])}/{name}": content for name, content in server_files(state).items()}


def render(states: Mapping[str, State], only: Collection[str] | None = None) -> dict[str, str]:
    """The SIP core servers' files of the production hubs in `states` (or of those in `only`) that host one,
    keyed 'configs/<hub>-sip-core/<file>'."""
    files: dict[str, str] = {}
    for hostname in sorted(states):
        if only is None or hostname in only:
            files.update(render_device(states[hostname]))
    return files
