"""Validation problems (core/problems.py): how one reads, how a bad value is shown, the order of a report, and what
an entry point says of an error the library did not expect."""

from __future__ import annotations

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError, Problem, internal_error, key_name, show


def problem(where: str, field: str = "f", message: str = "is wrong") -> Problem:
    return Problem(where, field, "1", message, "fix it")


def test_a_problem_names_where_field_value_message_and_hint() -> None:
    text = str(Problem("institution 7 (moa)", "size", "'huge'", "is not a size class", "use small, medium or large"))
    assert text == "institution 7 (moa), field 'size', value 'huge': is not a size class. Hint: use small, medium or large."


def test_values_are_shown_as_written() -> None:
    assert (show(None), show("x"), show(7), show([1, 2]), show(True)) == ("(missing)", "'x'", "7", "[1, 2]", "True")
    assert (key_name("vlans"), key_name(""), key_name("  "), key_name(3)) == ("vlans", "(empty key)", "(empty key)", "3")


def test_a_report_puts_policy_first_then_the_registry_in_number_order_once_each() -> None:
    found = [problem("institution 10 (b)"), problem("device moa-ce1"), problem("institution 9 (a)"), problem("policy numbering"),
             problem("hub dodoma"), problem("institution 9 (a)"), problem("somewhere else")]  # fmt: skip
    error = GovnetInputError(found)
    assert [p.where for p in error.problems] == [
        "policy numbering", "hub dodoma", "institution 9 (a)", "institution 10 (b)", "device moa-ce1", "somewhere else",
    ]  # fmt: skip
    assert error.report().splitlines()[0] == "GovNet input is invalid: 6 problems found."
    assert error.report().splitlines()[1] == f"- {problem('policy numbering')}"
    assert str(error) == error.report()
    assert GovnetInputError([problem("policy x")]).report().startswith("GovNet input is invalid: 1 problem found.\n- policy x")


def test_an_unexpected_error_is_a_bug_to_report_naming_the_entry_point() -> None:
    text = internal_error("build", KeyError("vlans"))
    assert text.startswith("internal error in ega.govnet build: KeyError: 'vlans'. Please report it")
    assert "\n" not in text and "Traceback" not in text
