"""letterforge check and schema, beyond the bad-input corpus."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from letterforge.check.rules import inspect_workspace
from letterforge.render.context import CAMPAIGN_FIELDS, CONTEXT_NAMES, PERSON_FIELDS, SENDER_FIELDS
from letterforge.render.renderer import LetterRenderer, LetterSource
from letterforge.workspace.conventions import Labels
from tests.conftest import REPO, make_workspace, replace_in, run


def test_the_names_check_knows_are_the_names_templates_get() -> None:
    inspection = inspect_workspace(REPO)
    assert inspection.workspace is not None
    renderer = LetterRenderer(inspection.workspace)
    campaign = inspection.campaigns[0]
    conventions = inspection.workspace.locales.conventions("es")
    context = renderer.context(LetterSource(campaign, campaign.recipients[0], "es"), conventions)
    assert set(context) == set(CONTEXT_NAMES)
    assert set(context["cc"][0]) == {*PERSON_FIELDS, "cc_line"}
    assert set(context["recipient"]) == {*PERSON_FIELDS, "salutation", "inside_address"}
    assert set(context["sender"]) == set(SENDER_FIELDS)
    assert set(context["campaign"]) == set(CAMPAIGN_FIELDS)
    assert set(context["labels"]) == {*Labels.model_fields, "closing"}  # closing: old layouts


def test_check_writes_nothing_and_reports_every_campaign(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "campaigns/second.yaml": (
                "title: Second\ndate: 2024-05-03\ntemplate: note\nto: [nobody]\nfrom: [sam]\n"
            ),
            "campaigns/third.yaml": "title: Third\ndate: 2024-13-01\n",
        },
    )
    result = run(workspace, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "campaigns/second.yaml:4:6: error: to[0]: no person with id 'nobody' in recipients/",
        "campaigns/third.yaml:1:1: error: missing required key 'template'",
        "campaigns/third.yaml:1:1: error: missing required key 'to'",
        "campaigns/third.yaml:1:1: error: missing required key 'from'",
        "campaigns/third.yaml:2:7: error: date: '2024-13-01' is not a valid date "
        "(month value is outside expected range of 1-12)",
    ]
    assert result.stderr == "checked 2 campaigns, 1 letter: 5 errors\n"
    assert not (workspace / "build").exists()
    # Naming campaigns narrows the check.
    assert run(workspace, "check", "note").exit_code == 0


def bilingual(root: Path, *, en: str, es: str) -> Path:
    """A small English and Spanish workspace whose templates say ``en`` and ``es``."""
    return make_workspace(
        root,
        {
            "letterforge.yaml": "sender:\n  name: Example\nlanguages: [en, es]\n",
            "recipients/people.yaml": (
                "people:\n  - id: ana\n    name: {given: Ana, family: Ruiz}\n    gender: f\n"
                "    honorific: {en: Ms., es: Sra.}\n"
                "  - id: sam\n    name: {given: Sam, family: Lee}\n"
            ),
            "templates/note/letter.en.md.j2": en,
            "templates/note/letter.es.md.j2": es,
        },
    )


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    workspace = bilingual(
        tmp_path,
        en="We have 12 offices.\n",
        es="Tenemos 13 oficinas.\n",
    )
    lines = [
        "templates/note/letter.en.md.j2:1: warning: the number 12 is in this English (en) letter "
        "but not in its Spanish (es) version, templates/note/letter.es.md.j2",
        "templates/note/letter.es.md.j2:1: warning: the number 13 is in this Spanish (es) letter "
        "but not in its English (en) version, templates/note/letter.en.md.j2",
    ]
    relaxed = run(workspace, "check")
    assert (relaxed.exit_code, relaxed.stdout.splitlines()) == (0, lines)
    assert relaxed.stderr == "checked 1 campaign, 2 letters: 2 warnings\n"
    assert run(workspace, "check", "--strict").exit_code == 1
    report = json.loads(run(workspace, "check", "--format", "json").stdout)
    assert [finding["severity"] for finding in report["findings"]] == ["warning", "warning"]


def test_drift_ignores_what_only_looks_different(tmp_path: Path) -> None:
    # Thousands separators, month names and a modal "may" are not drift.
    workspace = bilingual(
        tmp_path,
        en=("Since March 31, 2020, 1,500 firms may ask Ms. Ruiz for help.\n"),
        es=("Desde el 31 de marzo de 2020, 1.500 empresas pueden pedir ayuda a la Sra. Ruiz.\n"),
    )
    result = run(workspace, "check")
    assert (result.exit_code, result.stdout) == (0, "")


def test_drift_notices_a_changed_month(tmp_path: Path) -> None:
    workspace = bilingual(
        tmp_path,
        en="Since\nMarch 31, 2020.\n",
        es="Desde el 31 de abril de 2020.\n",
    )
    result = run(workspace, "check")
    assert result.stdout.splitlines() == [
        "templates/note/letter.en.md.j2:2: warning: the month March is in this English (en) "
        "letter but not in its Spanish (es) version, templates/note/letter.es.md.j2",
        "templates/note/letter.es.md.j2:1: warning: the month abril is in this Spanish (es) "
        "letter but not in its English (en) version, templates/note/letter.en.md.j2",
    ]


def test_drift_compares_templates_no_recipient_reads_together(tmp_path: Path) -> None:
    # Ana reads English, Bea Spanish: their letters still compare, on the template's facts,
    # not on what comes from each one's roster entry (a street number, a name).
    workspace = bilingual(
        tmp_path,
        en="We have 12 offices, and we write to {{ recipient.family }} at "
        "{{ recipient.address[0] }}.\n",
        es="Tenemos 13 oficinas y escribimos a {{ recipient.family }} en "
        "{{ recipient.address[0] }}.\n",
    )
    (workspace / "recipients" / "people.yaml").write_text(
        "people:\n"
        "  - id: ana\n    name: {given: Ana, family: Ruiz}\n    gender: f\n"
        "    honorific: {en: Ms.}\n    address: {lines: [10 Main Street]}\n    languages: [en]\n"
        "  - id: bea\n    name: {given: Bea, family: Soto}\n    gender: f\n"
        "    honorific: {es: Sra.}\n    address: {lines: [Calle 5 de Mayo 21]}\n"
        "    languages: [es]\n"
        "  - id: sam\n    name: {given: Sam, family: Lee}\n",
        encoding="utf-8",
    )
    replace_in(workspace / "campaigns" / "note.yaml", "to: [ana]", "to: [ana, bea]")
    result = run(workspace, "check")
    assert result.stdout.splitlines() == [
        "templates/note/letter.en.md.j2:1: warning: the number 12 is in this English (en) letter "
        "but not in its Spanish (es) version, templates/note/letter.es.md.j2",
        "templates/note/letter.es.md.j2:1: warning: the number 13 is in this Spanish (es) letter "
        "but not in its English (en) version, templates/note/letter.en.md.j2",
    ]


def test_drift_warns_once_for_regional_letters_from_one_template(tmp_path: Path) -> None:
    workspace = bilingual(tmp_path, en="We have 12 offices.\n", es="Tenemos 13 oficinas.\n")
    (workspace / "recipients" / "people.yaml").write_text(
        "people:\n"
        "  - id: ana\n    name: {given: Ana, family: Ruiz}\n    gender: f\n"
        "    honorific: {en: Ms., es: Sra.}\n    languages: [en-US, es-MX]\n"
        "  - id: bea\n    name: {given: Bea, family: Soto}\n    gender: f\n"
        "    honorific: {en: Ms., es: Sra.}\n    languages: [en-GB, es]\n"
        "  - id: sam\n    name: {given: Sam, family: Lee}\n",
        encoding="utf-8",
    )
    replace_in(workspace / "campaigns" / "note.yaml", "to: [ana]", "to: [ana, bea]")
    result = run(workspace, "check")
    assert [line.split(": warning: ")[1][:40] for line in result.stdout.splitlines()] == [
        "the number 12 is in this English (en) le",
        "the number 13 is in this Spanish (es) le",
    ]


def test_build_prints_warnings_and_still_writes(tmp_path: Path) -> None:
    workspace = bilingual(
        tmp_path,
        en="We have 12 offices.\n",
        es="Tenemos doce oficinas.\n",
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0
    assert result.stderr.startswith("templates/note/letter.en.md.j2:1: warning: the number 12")
    assert result.stdout == "note: 2 files in build/note/\n"


def test_check_usage_errors_exit_2(example: Path) -> None:
    assert run(example, "check", "--format", "xml").exit_code == 2


def yaml_as_editors_read_it(path: Path) -> Any:
    """YAML 1.2 as a language server reads it: dates are strings, not date objects."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value.isoformat() if isinstance(value, datetime.date) else value

    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


SCHEMA_FILES = {
    "settings": ["letterforge.yaml"],
    "roster": [
        "recipients/mexico-federal.yaml",
        "recipients/signatories.yaml",
        "recipients/trade-ministers-2025.yaml",
    ],
    "campaign": ["campaigns/essential-services-2020.yaml", "campaigns/usmca-review-2025.yaml"],
}


@pytest.mark.parametrize("kind", SCHEMA_FILES)
def test_schema_accepts_the_example_and_rejects_typos(example: Path, kind: str) -> None:
    result = run(example, "schema", kind)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for name in SCHEMA_FILES[kind]:
        document = yaml_as_editors_read_it(example / name)
        assert not list(validator.iter_errors(document)), name
        misspelled = dict(document, titel="x")
        assert [error.message for error in validator.iter_errors(misspelled)] == [
            "Additional properties are not allowed ('titel' was unexpected)"
        ]


def test_locale_schema_accepts_partial_overrides_and_the_built_in_files(example: Path) -> None:
    result = run(example, "schema", "locale")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "letterforge locale (locales/*.yaml)"
    validator = jsonschema.Draft7Validator(schema)
    for path in sorted((REPO / "letterforge" / "locales").glob("*.yaml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))), path
    assert not list(validator.iter_errors({"labels": {"cc": "Copie :"}}))  # overrides one label
    assert [error.message for error in validator.iter_errors({"labels": {"ccc": "x"}})] == [
        "Additional properties are not allowed ('ccc' was unexpected)"
    ]
    inside = schema["definitions"]["Typography"]["properties"]["inside_quotes"]
    assert inside["enum"] == ["none", "space", "nbsp", "narrow"]


def test_schema_knows_tag_queries_and_describes_fields(example: Path) -> None:
    schema = json.loads(run(example, "schema", "campaign").stdout)
    validator = jsonschema.Draft7Validator(schema)
    campaign = yaml_as_editors_read_it(example / "campaigns" / "essential-services-2020.yaml")
    assert not list(validator.iter_errors(dict(campaign, to={"tags": ["federal"]})))
    assert list(validator.iter_errors(dict(campaign, to={"tag": ["federal"]})))
    assert schema["properties"]["from"]["description"] == "Ids of the signatories, one or more."


def test_check_ignores_the_build_folder_and_a_second_run_agrees(example: Path) -> None:
    replace_in(
        example / "campaigns" / "essential-services-2020.yaml",
        "to: [romo]",
        "to: [romo, perez-gasque]",
    )
    first = run(example, "check", "essential-services-2020")
    assert (first.exit_code, first.stdout) == (0, "")
    assert first.stderr == "checked 1 campaign, 4 letters: no problems\n"


@pytest.mark.parametrize(
    ("key", "value", "valid"),
    [
        ("to", "romo", True),
        ("to", {"tags": "presidency"}, True),
        ("to", [{"tags": ["federal"]}, "romo"], True),
        ("cc", None, True),
        ("cc", "ebrard", True),
        ("from", "oxman", True),
        ("from", [], False),
        ("languages", ["en", "es-MX"], True),
        ("languages", ["fr_FR"], False),
        ("languages", ["en", "en"], False),
        ("template", "../etc", False),
        ("title", {"en": "T", "es": "T"}, True),
        ("title", {"English": "T"}, False),
    ],
)
def test_schema_accepts_what_letterforge_accepts(
    example: Path, key: str, value: object, valid: bool
) -> None:
    schema = json.loads(run(example, "schema", "campaign").stdout)
    campaign = yaml_as_editors_read_it(example / "campaigns" / "essential-services-2020.yaml")
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(dict(campaign, **{key: value})))
    assert (not errors) == valid
    # letterforge itself agrees with the schema.
    text = yaml.safe_dump(dict(campaign, **{key: value}), allow_unicode=True)
    (example / "campaigns" / "essential-services-2020.yaml").write_text(text, encoding="utf-8")
    assert (run(example, "check", "-q").exit_code == 0) == valid


VALID_TEMPLATES = {
    "default filter": '{{ vars.signer | default("our team") }}',
    "defined test": "{% if vars.deadline is defined %}{{ vars.deadline }}{% endif %}",
    "mapping methods": "{% for key, value in vars.items() %}{{ key }}{% endfor %}",
    "get with a fallback": '{{ recipient.get("title", "") }}',
    "loop variables in their own loop": (
        "{% for p in cc %}{{ p.family }}{% endfor %}"
        "{% for p in vars.directives %}{{ p.year }}{% endfor %}"
    ),
    "loop and namespace": (
        "{% set ns = namespace(n=0) %}{% for p in signatories %}{% set ns.n = loop.index %}"
        "{% endfor %}{{ ns.n }}"
    ),
}


@pytest.mark.parametrize("body", VALID_TEMPLATES.values(), ids=list(VALID_TEMPLATES))
def test_valid_templates_are_not_flagged(example: Path, body: str) -> None:
    for lang in ("en", "es"):
        template = example / "templates" / "essential-services" / f"letter.{lang}.md.j2"
        # A paragraph of text after it: a letter with no text at all is an error of its own.
        template.write_text(body + "\n\nWe write to you.\n", encoding="utf-8")
    result = run(example, "check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert run(example, "build", "--format", "docx").exit_code == 0


INVALID_TEMPLATES = {
    "unknown filter in a branch no letter takes": (
        "{% if recipient.gender == 'x' %}{{ recipient.title | titel }}{% endif %}",
        "1: error: no filter named 'titel' (did you mean 'title'?)",
    ),
    "assignment to a non-namespace": (
        "{% set total = 0 %}{% set total.x = 1 %}",
        "1: error: cannot assign attribute on non-namespace object",
    ),
    "misspelling in a multi-line expression, reported once": (
        '{{ "We have " ~\n   vars.member_company ~ " members" }}',
        "2: error: undefined variable: 'member_company' is not defined "
        "(did you mean 'member_companies'?)",
    ),
    "vertical tab pasted from Word": (
        "I write\x0bon behalf",
        "1: error: the control character U+000B cannot appear in a letter "
        "(Word pastes a line break as this character: retype the break)",
    ),
}


@pytest.mark.parametrize(
    ("body", "expected"), INVALID_TEMPLATES.values(), ids=list(INVALID_TEMPLATES)
)
def test_template_mistakes_check_and_build_agree_on(
    example: Path, body: str, expected: str
) -> None:
    for lang in ("en", "es"):
        template = example / "templates" / "essential-services" / f"letter.{lang}.md.j2"
        template.write_text(body + "\n\nWe write to you.\n", encoding="utf-8")
    lines = "".join(
        f"templates/essential-services/letter.{lang}.md.j2:{expected}\n" for lang in ("en", "es")
    )
    checked = run(example, "check", "-q")
    assert (checked.exit_code, checked.stdout) == (1, lines)
    built = run(example, "build")
    assert (built.exit_code, built.stderr) == (1, lines)
    assert not (example / "build").exists()


def test_included_templates_are_scanned_too(example: Path) -> None:
    (example / "templates" / "essential-services" / "closing.md.j2").write_text(
        '{% if recipient.gender == "x" %}{{ recipient.pronoun }}{% endif %}\n', encoding="utf-8"
    )
    replace_in(
        example / "templates" / "essential-services" / "letter.en.md.j2",
        "Thank you for your attention",
        '{% include "essential-services/closing.md.j2" %}Thank you for your attention',
    )
    result = run(example, "check", "-q")
    assert result.stdout == (
        "templates/essential-services/closing.md.j2:1: error: undefined variable: 'pronoun' "
        "is not defined (there is: address, data, email, family, full_name, gender, given, "
        "honorific, id, inside_address, languages, office, organization, post_nominals, "
        "salutation, signature, style, surname, tags, title)\n"
    )


def test_an_unknown_signatory_is_one_error_not_one_per_letter(example: Path) -> None:
    replace_in(
        example / "campaigns" / "essential-services-2020.yaml", "from: [oxman]", "from: [oxmann]"
    )
    replace_in(
        example / "templates" / "essential-services" / "letter.en.md.j2",
        "I write on behalf",
        "{{ signatories[0].given }} I write on behalf",
    )
    result = run(example, "check", "-q")
    assert result.stdout == (
        "campaigns/essential-services-2020.yaml:10:8: error: from[0]: no person with id 'oxmann' "
        "in recipients/ (did you mean 'oxman'?)\n"
    )


def test_a_broken_roster_leaves_campaigns_and_templates_checked(example: Path) -> None:
    replace_in(example / "recipients" / "mexico-federal.yaml", "gender: f", "gender: female")
    replace_in(
        example / "templates" / "essential-services" / "letter.es.md.j2",
        "Le agradecemos",
        "{{ firma }} Le agradecemos",
    )
    result = run(example, "check")
    assert result.stdout.splitlines() == [
        "recipients/mexico-federal.yaml:50:13: error: people[4].gender: 'female' is not one of "
        "'m', 'f' or 'x'",
        "templates/essential-services/letter.es.md.j2:11: error: undefined variable: 'firma' "
        "is not defined",
    ]


def test_a_long_campaign_title_still_builds(example: Path) -> None:
    replace_in(
        example / "campaigns" / "essential-services-2020.yaml",
        "  en: Consistent essential-services guidance for ICT workers",
        "  en: " + "Consistent essential-services guidance for ICT workers " * 5,
    )
    result = run(example, "build", "--format", "docx", "--lang", "en")
    assert result.exit_code == 0, result.output


def test_hidden_files_editors_leave_are_not_part_of_the_workspace(example: Path) -> None:
    (example / "recipients" / ".#mexico-federal.yaml").symlink_to("root@host.1234:1700000000")
    (example / "campaigns" / ".#essential-services-2020.yaml").symlink_to("root@host.1:1")
    result = run(example, "check")
    assert (result.exit_code, result.stdout) == (0, "")


SAME_FACTS = {
    "month and year": ("Since April 2020 we have helped.", "Desde abril de 2020 ayudamos."),
    "ordinal day": ("On the 6th of April we met.", "El 6 de abril nos reunimos."),
    "thousands": ("We employ 10,000 people.", "Empleamos a 10 000 personas."),
    "a surname with a particle and a common word": (
        "We thank Governor Mazo for the meeting.",
        "Agradecemos al gobernador del Mazo la reunión.",
    ),
}


@pytest.mark.parametrize(("en", "es"), SAME_FACTS.values(), ids=list(SAME_FACTS))
def test_drift_is_quiet_when_the_facts_agree(tmp_path: Path, en: str, es: str) -> None:
    workspace = bilingual(tmp_path, en=en + "\n", es=es + "\n")
    roster = workspace / "recipients" / "people.yaml"
    roster.write_text(
        roster.read_text(encoding="utf-8")
        + "  - id: mazo\n    name: {given: Alfredo, family: del Mazo Maza}\n",
        encoding="utf-8",
    )
    replace_in(workspace / "campaigns" / "note.yaml", "to: [ana]", "to: [ana]\ncc: [mazo]")
    result = run(workspace, "check")
    assert (result.exit_code, result.stdout) == (0, "")


def test_the_built_in_themes_font_missing_is_a_warning(example: Path, tmp_path: Path) -> None:
    # fontconfig with DejaVu only, as on a machine without Caladea; a new process reads it.
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("DejaVu fonts are not installed (make test installs fonts-dejavu-core)")
    config = tmp_path / "fonts.conf"
    config.write_text(
        f"<?xml version='1.0'?>\n<fontconfig><dir>{dejavu}</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [sys.executable, "-m", "letterforge", "-C", str(example), "check", "-q", "--strict"],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 1
    assert checked.stdout == (
        "letterforge.yaml: warning: the theme's font, Caladea, is not installed, so the PDF is "
        "set in DejaVu Serif instead and breaks lines unlike Word: install "
        "fonts-crosextra-caladea, or name an installed font in theme.fonts\n"
    )
