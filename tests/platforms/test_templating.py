"""The one templating environment of the device configurations (platforms/templating.py): strict, whitespace-exact,
no HTML escaping, every value written on one line except a vault reference, views read as dicts first."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.templating import config_environment, written


def render(tmp_path: Path, template: str, **values: object) -> str:
    (tmp_path / "t.j2").write_text(template)
    return config_environment(tmp_path).get_template("t.j2").render(**values)


def test_an_undefined_value_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(jinja2.UndefinedError, match="'device' is undefined"):
        render(tmp_path, "hostname {{ device.hostname }}\n")
    with pytest.raises(jinja2.UndefinedError):
        render(tmp_path, "{{ device.missing }}\n", device={"hostname": "moa-ce1"})


def test_block_tags_leave_no_lines_and_the_final_newline_stays(tmp_path: Path) -> None:
    template = "interfaces\n  {% for name in names %}\n interface {{ name }}\n  {% endfor %}\nend\n"
    assert render(tmp_path, template, names=["c1", "c2"]) == "interfaces\n interface c1\n interface c2\nend\n"


def test_nothing_is_html_escaped(tmp_path: Path) -> None:
    assert render(tmp_path, "{{ rule }}\n", rule="permit <any> & 'all'") == "permit <any> & 'all'\n"


def test_no_value_can_add_a_line_or_template_markup(tmp_path: Path) -> None:
    out = render(tmp_path, "description {{ name }}\n", name="Ministry\nline vty 0 4\r\n transport input all {{ x }}")
    assert out.count("\n") == 1 and "{{" not in out
    assert out.startswith("description Ministry line vty 0 4")


def test_a_vault_reference_is_written_for_deploy_to_fill_in(tmp_path: Path) -> None:
    assert render(tmp_path, "key {{ key }}\n", key="{{ vault_govnet_bgp_key }}") == "key {{ vault_govnet_bgp_key }}\n"
    assert written("{{ not a reference }}") != "{{ not a reference }}"
    assert (written(7), written(None), written("plain")) == (7, None, "plain")


def test_a_view_key_wins_over_a_dict_method(tmp_path: Path) -> None:
    view = {"items": ["a", "b"], "keys": "k"}
    assert render(tmp_path, "{{ view.items | join(',') }} {{ view.keys }}\n", view=view) == "a,b k\n"
    assert render(tmp_path, "{{ text.upper() }}\n", text="abc") == "ABC\n", "other objects keep their attributes"


def test_escapers_for_the_destinations_own_syntax(tmp_path: Path) -> None:
    template = '"{{ v | quoted }}" "{{ v | sh_double_quoted }}" <!-- {{ c | xml_comment }}-->\n'
    out = render(tmp_path, template, v='a"b\\$c', c="x--y-")
    assert out == '"a\\"b\\\\$c" "a\\"b\\\\\\$c" <!-- x- -y- -->\n'
