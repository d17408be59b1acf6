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
    "misspelled key with a capital": (
        ROSTER,
        "    tags: [federal, presidency]",
        "    tags: [federal, presidency]\n    Title: x",
        f"{ROSTER}:13:5: error: unknown key 'Title' (did you mean 'title'?)",
    ),
    "control character a DOCX cannot hold": (
        ROSTER,
        "name: {given: Alfonso, family: Romo}",
        'name: {given: Alfonso, family: "Ro\\x01mo"}',
        f"{ROSTER}:4:36: error: the control character U+0001 cannot appear in a letter",
    ),
    "language letterforge cannot write": (
        CAMPAIGN,
        "languages: [en, es]",
        "languages: [en, de]",
        f"{CAMPAIGN}:6:17: error: languages[1]: letterforge cannot write letters in 'de' "
        "(it knows en, es)",
    ),
    "region unknown to CLDR": (
        CAMPAIGN,
        "languages: [en, es]",
        "languages: [en, es-XA]",
        f"{CAMPAIGN}:6:17: error: languages[1]: letterforge cannot write letters in 'es-XA' "
        "(it knows en, es)",
    ),
    "unknown layout in the settings": (
        "letterforge.yaml",
        "page_size: letter",
        "page_size: letter\nlayout: nope",
        "letterforge.yaml:11:9: error: layout: no layout named 'nope' "
        "(looked for templates/_layouts/nope.md.j2)",
    ),
    "empty sender name": (
        "letterforge.yaml",
        "  name: Information Technology Industry Council",
        '  name: ""',
        "letterforge.yaml:3:9: error: sender.name: is empty: leave the key out instead",
    ),
    "undefined variable through a filter": (
        EN,
        "I write on behalf",
        "{{ vars.dte | date }} I write on behalf",
        f"{EN}:1: error: undefined variable: 'dte' is not defined "
        "(there is: directives, member_companies)",
    ),
    "template that includes itself": (
        EN,
        "I write on behalf",
        "{% include 'essential-services/letter.en.md.j2' %} I write on behalf",
        f"{EN}: error: templates include or call each other without end",
    ),
    "constant too large to print": (
        EN,
        "I write on behalf",
        "{{ 10 ** 100000 }} I write on behalf",
        f"{EN}: error: cannot compile: Exceeds the limit (4300 digits) for integer string "
        "conversion; use sys.set_int_max_str_digits() to increase the limit",
    ),
    "gender without a form in the language": (
        ROSTER,
        "    gender: m\n    honorific: {en: Mr., es: Sr.}",
        "    gender: x\n    honorific: {en: Mr., es: Sr.}",
        f"{ROSTER}:3:5: error: romo: gender x has no Spanish (es) salutation form: "
        "give gender m or f, or a salutation for es",
    ),
    "Markdown a letter cannot hold, after lines Jinja removes": (
        EN,
        "Our members fully support",
        "{# a\ncomment\nof lines #}\n{% for x in [1] %}\n{% endfor %}\n***\n\nOur members",
        f"{EN}:8: error: a horizontal rule (---, ***, ___) has no place in a letter: remove it",
    ),
    "Markdown a letter cannot hold": (
        EN,
        "I write on behalf",
        "***\n\nI write on behalf",
        f"{EN}:1: error: a horizontal rule (---, ***, ___) has no place in a letter: remove it",
    ),
}


def assert_refused(example: Path, args: list[str], message: str) -> None:
    """The command fails with exactly ``message`` on stderr, exit 1, and writes nothing."""
    result = run(example, *args)
    assert result.exit_code == 1
    assert result.stderr == message
    assert result.stdout == ""
    assert not (example / "build").exists()


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_mistake_is_one_precise_line_and_nothing_is_written(example: Path, case: str) -> None:
    path, old, new, expected = CASES[case]
    replace_in(example / path, old, new)
    assert_refused(example, ["build"], expected + "\n")


def test_missing_language_template_names_the_campaign_and_the_file(example: Path) -> None:
    (example / ES).unlink()
    assert_refused(
        example,
        ["build"],
        f"{CAMPAIGN}:7:11: error: template: 'essential-services' has no Spanish (es) version: "
        "create templates/essential-services/letter.es.md.j2\n",
    )


def test_a_broken_letter_late_in_the_build_leaves_earlier_letters_unwritten(example: Path) -> None:
    # The Spanish letter is rendered after the English one: nothing may be written before it fails.
    replace_in(example / ES, "Le agradecemos", "{{ 1 / 0 }} Le agradecemos")
    assert_refused(example, ["build"], f"{ES}:11: error: division by zero\n")


def test_symbolic_link_out_of_templates_is_refused(example: Path) -> None:
    (example / "templates" / "etc").symlink_to("/etc")
    replace_in(example / EN, "I write on behalf", "{% include 'etc/hostname' %} I write on behalf")
    assert_refused(
        example, ["build"], f"{EN}:1: error: template 'etc/hostname' leads outside templates/\n"
    )


def test_symbolic_link_out_of_the_workspace_is_not_read_as_a_roster(example: Path) -> None:
    (example / "recipients" / "x.yaml").symlink_to("/etc/passwd")
    assert_refused(
        example,
        ["build"],
        "recipients/x.yaml: error: is a link that leads outside the workspace, "
        "or not a regular file\n",
    )


def test_template_that_is_not_utf8(example: Path) -> None:
    (example / EN).write_bytes(b"caf\xe9\n")
    assert_refused(example, ["build"], f"{EN}: error: not UTF-8 text (invalid continuation byte)\n")


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
            ["build", "../campaigns/essential-services-2020"],
            "error: no campaign named '../campaigns/essential-services-2020' "
            "(did you mean 'essential-services-2020'?); campaigns: essential-services-2020",
        ),
        (
            ["build", "--only", "ebrard"],
            "error: --only ebrard: no chosen campaign writes to 'ebrard'",
        ),
    ],
)
def test_command_line_mistakes(example: Path, args: list[str], expected: str) -> None:
    assert_refused(example, args, expected + "\n")


def test_workspace_option_names_the_workspace_folder_itself(example: Path) -> None:
    result = run(example / "templates", "build")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: --workspace {example / 'templates'}: no letterforge.yaml there\n"
    )


def test_outside_a_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from letterforge.cli import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no letterforge.yaml in {tmp_path.resolve()} or any folder above it: "
        "run letterforge inside a workspace, or pass --workspace DIR\n"
    )
