"""The second example workspace, examples/governors: facts for each letter, per-recipient
bundles, and what the README says of them."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO, docx_paragraphs, replace_in, run

GOVERNORS = REPO / "examples/governors"
CAMPAIGN = "state-guidance-2020"


def copy_governors(target: Path) -> Path:
    shutil.copytree(GOVERNORS, target, ignore=shutil.ignore_patterns("build"))
    return target


def body(path: Path) -> str:
    return "\n".join(text for style, text in docx_paragraphs(path) if style == "Letter Body")


def test_each_governor_reads_of_their_own_state(tmp_path: Path) -> None:
    workspace = copy_governors(tmp_path / "governors")
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    folder = workspace / "build" / CAMPAIGN
    # Only the border states get the document with both languages.
    assert sorted(path.name for path in (folder / "bundle").iterdir()) == [
        "corral.docx",
        "pavlovich.docx",
    ]
    assert sorted(path.name for path in (folder / "es").iterdir()) == [
        "alfaro.docx",
        "corral.docx",
        "pavlovich.docx",
        "vila.docx",
    ]
    sonora = body(folder / "es/pavlovich.docx")
    assert "la aplicación en Sonora de las disposiciones federales" in sonora
    # A later to: entry wins over an earlier one: Sonora's meeting is on the 14th.
    assert "con su equipo en Hermosillo el 14 de mayo de 2020" in sonora
    chihuahua = body(folder / "en/corral.docx")
    assert "how Chihuahua applies the federal directives" in chihuahua
    assert "with your team in Chihuahua City on May 12, 2020" in chihuahua
    assert "la ciudad de Chihuahua el 12 de mayo de 2020" in body(folder / "es/corral.docx")
    jalisco = body(folder / "es/alfaro.docx")
    assert "la aplicación en Jalisco" in jalisco and "conversar" not in jalisco


def test_the_readme_says_what_check_says_of_an_unguarded_fact(tmp_path: Path) -> None:
    workspace = copy_governors(tmp_path / "governors")
    replace_in(
        workspace / "templates/state-guidance/letter.en.md.j2",
        "{% if recipient.data.meeting is defined %}",
        "{% if true %}",
    )
    result = run(workspace, "check")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == (
        "templates/state-guidance/letter.en.md.j2:6: error: undefined variable: alfaro has no "
        "'meeting' in their data (recipients/governors.yaml:30:7)"
    )
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert first.split("error: ", 1)[1] in " ".join(readme.split())


def test_new_follows_a_campaign_with_its_entries_facts_and_bundles(tmp_path: Path) -> None:
    import datetime

    import yaml

    workspace = copy_governors(tmp_path / "governors")
    result = run(
        workspace,
        "new",
        "campaign",
        "follow-up",
        "--like",
        CAMPAIGN,
        "--template",
        "state-guidance",
    )
    assert result.exit_code == 0, result.output
    campaign = yaml.safe_load((workspace / "campaigns/follow-up.yaml").read_text("utf-8"))
    assert campaign["to"] == [
        {"tags": ["governor"]},
        {
            "tags": ["governor", "border"],
            "bundle": True,
            "data": {"meeting": datetime.date(2020, 5, 12)},
        },
        {"id": "pavlovich", "data": {"meeting": datetime.date(2020, 5, 14)}},
    ]
    assert run(workspace, "check", "follow-up", "--strict").exit_code == 0
