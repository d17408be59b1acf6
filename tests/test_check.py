"""letterforge check and schema, beyond the bad-input corpus."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from letterforge.check import inspect_workspace
from letterforge.render import (
    CONTEXT_NAMES,
    PERSON_FIELDS,
    SENDER_FIELDS,
    LetterRenderer,
    LetterSource,
)
from tests.conftest import REPO, make_workspace, replace_in, run


def test_the_names_check_knows_are_the_names_templates_get() -> None:
    inspection = inspect_workspace(REPO)
    assert inspection.workspace is not None
    renderer = LetterRenderer(inspection.workspace)
    campaign = inspection.campaigns[0]
    context = renderer.context(LetterSource(campaign, campaign.recipients[0], "es"))
    assert set(context) == set(CONTEXT_NAMES)
    assert set(context["cc"][0]) == set(PERSON_FIELDS)
    assert set(context["recipient"]) == {*PERSON_FIELDS, "salutation"}
    assert set(context["sender"]) == set(SENDER_FIELDS)


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
    "roster": ["recipients/mexico-federal.yaml", "recipients/signatories.yaml"],
    "campaign": ["campaigns/essential-services-2020.yaml"],
}


@pytest.mark.parametrize("kind", SCHEMA_FILES)
def test_schema_accepts_the_example_and_rejects_typos(example: Path, kind: str) -> None:
    result = run(example, "schema", kind)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in SCHEMA_FILES[kind]:
        document = yaml_as_editors_read_it(example / name)
        assert not list(validator.iter_errors(document)), name
        misspelled = dict(document, titel="x")
        assert [error.message for error in validator.iter_errors(misspelled)] == [
            "Additional properties are not allowed ('titel' was unexpected)"
        ]


def test_schema_knows_tag_queries_and_describes_fields(example: Path) -> None:
    schema = json.loads(run(example, "schema", "campaign").stdout)
    validator = jsonschema.Draft202012Validator(schema)
    campaign = yaml_as_editors_read_it(example / "campaigns" / "essential-services-2020.yaml")
    assert not list(validator.iter_errors(dict(campaign, to={"tags": ["federal"]})))
    assert list(validator.iter_errors(dict(campaign, to={"tag": ["federal"]})))
    assert schema["properties"]["from"]["description"] == "Ids of the signatories, one or more."


def test_check_ignores_the_build_folder_and_a_second_run_agrees(example: Path) -> None:
    replace_in(
        example / "campaigns" / "essential-services-2020.yaml", "to: [romo]", "to: [romo, ebrard]"
    )
    first = run(example, "check")
    assert (first.exit_code, first.stdout) == (0, "")
    assert first.stderr == "checked 1 campaign, 4 letters: no problems\n"
