"""Every mistake a user can make gets one line naming file and line, exit 1, and no output.

Each case edits one file of a fresh copy of the example workspace, runs ``letterforge build``
through the CLI, and checks the exact message, the exit code and that build/ was not created.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import replace_in, run

ROSTER = "recipients/mexico-federal.yaml"
CAMPAIGN = "campaigns/essential-services-2020.yaml"
EN = "templates/essential-services/letter.en.md.j2"
ES = "templates/essential-services/letter.es.md.j2"

CASES = {
    "malformed YAML": (
        ROSTER,
        "name: {given: Alfonso, family: Romo}",
        "name: {given: Alfonso, family: Romo",
        f"{ROSTER}:5:11: error: invalid YAML: did not find expected ',' or '}}'",
    ),
    "unknown recipient id": (
        CAMPAIGN,
        "lopez-gatell,",
        "lopez-gatel,",
        f"{CAMPAIGN}:9:15: error: cc[1]: no person with id 'lopez-gatel' in recipients/ "
        "(did you mean 'lopez-gatell'?)",
    ),
    "unknown signatory": (
        CAMPAIGN,
        "from: [oxman]",
        "from: [oxmann]",
        f"{CAMPAIGN}:10:8: error: from[0]: no person with id 'oxmann' in recipients/ "
        "(did you mean 'oxman'?)",
    ),
    "undefined variable with a near miss": (
        EN,
        "more than {{ vars.member_companies }}",
        "more than {{ vars.member_company }}",
        f"{EN}:1: error: undefined variable: 'member_company' is not defined "
        "(did you mean 'member_companies'?)",
    ),
    "undefined variable on a later line": (
        ES,
        "Le agradecemos",
        "{{ firma }} Le agradecemos",
        f"{ES}:11: error: undefined variable: 'firma' is not defined",
    ),
    "person lacks a title in a campaign language": (
        ROSTER,
        "      es: Jefe de la Oficina de la Presidencia de la República\n",
        "",
        f"{ROSTER}:8:7: error: people[0].title: no Spanish (es) value",
    ),
    "salutation needs a gender": (
        ROSTER,
        "    gender: m\n    honorific: {en: Mr., es: Sr.}",
        "    honorific: {en: Mr., es: Sr.}",
        f"{ROSTER}:3:5: error: romo: no gender given, and the Spanish (es) salutation agrees "
        "with it: give gender m or f, or a salutation for es",
    ),
    "misspelled key": (
        ROSTER,
        "    tags: [federal, presidency]",
        "    tags: [federal, presidency]\n    titel: x",
        f"{ROSTER}:13:5: error: unknown key 'titel' (did you mean 'title'?)",
    ),
    "duplicate key": (
        CAMPAIGN,
        "bundle: true",
        "bundle: true\nbundle: false",
        f"{CAMPAIGN}:12:1: error: duplicate key 'bundle' (first defined on line 11)",
    ),
    "impossible date": (
        CAMPAIGN,
        "date: 2020-04-21",
        "date: 2020-04-31",
        f"{CAMPAIGN}:5:7: error: date: '2020-04-31' is not a valid date "
        "(day value is outside expected range)",
    ),
    "tag query selects nobody": (
        CAMPAIGN,
        "to: [romo]",
        "to: [{tags: [governor]}]",
        f"{CAMPAIGN}:8:6: error: to[0]: nobody in recipients/ has all of these tags: governor",
    ),
    "template syntax error": (
        EN,
        "Our members fully support",
        "{% if %}Our members fully support",
        f"{EN}:3: error: template syntax: Expected an expression, got 'end of statement block'",
    ),
    "sandbox escape": (
        EN,
        "I write on behalf",
        "{{ ''.__class__.__mro__ }} I write on behalf",
        f"{EN}:1: error: not allowed in a template: "
        "access to attribute '__class__' of 'str' object is unsafe.",
    ),
    "include outside templates/": (
        EN,
        "I write on behalf",
        "{% include '../../../../etc/passwd' %} I write on behalf",
        f"{EN}:1: error: no template named '../../../../etc/passwd'",
    ),
    "unsafe YAML tag": (
        "recipients/signatories.yaml",
        "tags: [iti, signatory]",
        "tags: !!python/object/apply:os.system [ls]",
        "recipients/signatories.yaml:9:11: error: YAML tag !!python/object/apply:os.system "
        "is not allowed",
    ),
    "unknown page size": (
        "letterforge.yaml",
        "page_size: letter",
        "page_size: legal",
        "letterforge.yaml:10:12: error: page_size: 'legal' is not one of 'letter' or 'a4'",
    ),
    "Markdown a letter cannot hold": (
        EN,
        "I write on behalf",
        "***\n\nI write on behalf",
        f"{EN}:1: error: a horizontal rule (---, ***, ___) has no place in a letter: remove it",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_mistake_is_one_precise_line_and_nothing_is_written(example: Path, case: str) -> None:
    path, old, new, expected = CASES[case]
    replace_in(example / path, old, new)
    result = run(example, "build")
    assert result.exit_code == 1
    assert result.stderr == expected + "\n"
    assert result.stdout == ""
    assert not (example / "build").exists()


def test_missing_language_template_names_the_campaign_and_the_file(example: Path) -> None:
    (example / ES).unlink()
    result = run(example, "build")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{CAMPAIGN}:7:11: error: template: 'essential-services' has no Spanish (es) version: "
        "create templates/essential-services/letter.es.md.j2\n"
    )
    assert not (example / "build").exists()


def test_a_broken_letter_late_in_the_build_leaves_earlier_letters_unwritten(example: Path) -> None:
    # The Spanish letter is rendered after the English one: nothing may be written before it fails.
    replace_in(example / ES, "Le agradecemos", "{{ 1 / 0 }} Le agradecemos")
    result = run(example, "build")
    assert result.exit_code == 1
    assert result.stderr == f"{ES}:11: error: division by zero\n"
    assert not (example / "build").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["build", "no-such-campaign"],
            "error: no campaign named 'no-such-campaign'; campaigns: essential-services-2020",
        ),
        (
            ["build", "essential-services"],
            "error: no campaign named 'essential-services' "
            "(did you mean 'essential-services-2020'?); campaigns: essential-services-2020",
        ),
        (
            ["build", "--lang", "fr"],
            "error: --lang fr: no chosen campaign is written in French (fr); they offer en, es",
        ),
        (
            ["build", "--only", "ebrard"],
            "error: --only ebrard: no chosen campaign writes to 'ebrard'",
        ),
    ],
)
def test_command_line_mistakes(example: Path, args: list[str], expected: str) -> None:
    result = run(example, *args)
    assert result.exit_code == 1
    assert result.stderr == expected + "\n"
    assert not (example / "build").exists()


def test_outside_a_workspace(tmp_path: Path) -> None:
    result = run(tmp_path, "build")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: no letterforge.yaml in {tmp_path.resolve()}")
