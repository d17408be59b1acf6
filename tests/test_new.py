"""``letterforge new campaign`` and ``new template``: the next letter, from the workspace's
own defaults, checked and built as users would."""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml

from tests.conftest import (
    REPO,
    documented_commands,
    docx_paragraphs,
    make_workspace,
    pdf_pages,
    run,
)

TODAY = datetime.date.today().isoformat()
PLACEHOLDER_WARNING = (
    "warning: this is still the placeholder paragraph of letterforge new: write the letter here"
)


def test_a_new_campaign_follows_the_latest_one_and_gets_its_own_template(example: Path) -> None:
    result = run(example, "new", "campaign", "usmca-follow-up")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "campaigns/usmca-follow-up.yaml",
        "templates/usmca-follow-up/letter.en.md.j2",
        "templates/usmca-follow-up/letter.es.md.j2",
        "templates/usmca-follow-up/letter.fr.md.j2",
    ]
    assert result.stderr == (
        "next: write the letter in templates/usmca-follow-up/, then letterforge preview "
        "usmca-follow-up\n"
    )
    # The latest campaign by date is the USMCA review: its people and languages carry over.
    campaign = yaml.safe_load((example / "campaigns/usmca-follow-up.yaml").read_text())
    assert campaign["title"] == dict.fromkeys(["en", "es", "fr"], "Usmca follow up")
    assert campaign["date"].isoformat() == TODAY
    assert campaign["template"] == "usmca-follow-up"
    assert campaign["to"] == ["greer", "ebrard", "sidhu"]
    assert campaign["from"] == ["perez-gasque", "oxman", "mondou"]
    assert campaign["bundle"] is True
    assert [sender["name"] for sender in campaign["sender"]] == ["AMITI", "ITI", "TECHNATION"]
    assert "vars" not in campaign and "subject" not in campaign
    # It checks and builds as it is, with a warning on each placeholder paragraph ...
    checked = run(example, "check", "usmca-follow-up")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines() == [
        f"templates/usmca-follow-up/letter.{lang}.md.j2:9: {PLACEHOLDER_WARNING}"
        for lang in ("en", "es", "fr")
    ]
    assert run(example, "check", "usmca-follow-up", "--strict").exit_code == 1
    # ... until someone writes the letter.
    for lang, text in (("en", "We write again."), ("es", "Le escribimos de nuevo."),
                       ("fr", "Nous vous écrivons de nouveau.")):  # fmt: skip
        (example / f"templates/usmca-follow-up/letter.{lang}.md.j2").write_text(text + "\n")
    assert run(example, "check", "usmca-follow-up", "--strict").exit_code == 0
    built = run(example, "build", "usmca-follow-up")
    assert built.exit_code == 0, built.output
    assert (
        "Nous vous écrivons de nouveau."
        in pdf_pages(example / "build/usmca-follow-up/fr-CA/sidhu.pdf")[0]
    )


def test_a_campaign_that_keeps_a_template_keeps_what_the_template_reads(example: Path) -> None:
    result = run(
        example,
        "new",
        "campaign",
        "essential-services-2021",
        "--like",
        "essential-services-2020",
        "--template",
        "essential-services",
        "--title",
        "Essential services, one year on",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "campaigns/essential-services-2021.yaml\n"
    assert result.stderr == "next: letterforge preview essential-services-2021\n"
    campaign = yaml.safe_load((example / "campaigns/essential-services-2021.yaml").read_text())
    assert campaign["cc"][0] == "alcocer" and len(campaign["cc"]) == 7
    assert campaign["vars"] == {
        "member_companies": 70,
        "directives": [datetime.date(2020, 3, 31), datetime.date(2020, 4, 6)],  # still dates
    }
    assert run(example, "check", "essential-services-2021", "--strict").exit_code == 0
    assert run(example, "build", "essential-services-2021", "--format", "docx").exit_code == 0
    paragraphs = docx_paragraphs(example / "build/essential-services-2021/es-MX/romo.docx")
    assert any("31 de marzo de 2020" in text for _, text in paragraphs)


def test_a_new_template_in_the_workspace_languages_or_the_ones_named(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path, {"letterforge.yaml": "sender:\n  name: Example\nlanguages: [en, es]\n"}
    )
    result = run(workspace, "new", "template", "reply")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "templates/reply/letter.en.md.j2",
        "templates/reply/letter.es.md.j2",
    ]
    spanish = (workspace / "templates/reply/letter.es.md.j2").read_text()
    assert spanish.startswith("{#- The body of the Spanish (es) letter, in Markdown")
    named = run(workspace, "new", "template", "notice", "--lang", "fr", "--lang", "fr-CA")
    assert named.stdout.splitlines() == [
        "templates/notice/letter.fr.md.j2",
        "templates/notice/letter.fr-CA.md.j2",
    ]


def test_new_never_replaces_a_file_and_says_what_is_wrong(example: Path) -> None:
    before = sorted(path for path in example.rglob("*"))
    mistakes = [
        (
            ("campaign", "essential-services-2020"),
            "error: campaigns/essential-services-2020.yaml already exists: letterforge new "
            "never replaces a file; choose another name",
        ),
        (
            ("template", "essential-services", "--lang", "en"),
            "error: templates/essential-services/letter.en.md.j2 already exists: letterforge "
            "new never replaces a file; choose another name",
        ),
        (
            ("campaign", "prn"),
            "error: 'prn' cannot name a campaign: use letters, digits, '-', '_' and '.' (it "
            "becomes a file and folder name), and not a Windows device name",
        ),
        (
            ("campaign", "Essential-Services-2020"),
            "error: campaign names 'essential-services-2020' and 'Essential-Services-2020' "
            "differ only by case: on Windows and macOS their letters would overwrite each "
            "other; rename one",
        ),
        (
            ("campaign", "next", "--like", "essential"),
            "error: no campaign named 'essential'; campaigns: essential-services-2020, "
            "usmca-review-2025",
        ),
        (
            ("campaign", "next", "--template", "nothing"),
            "error: --template nothing: there is no templates/nothing/",
        ),
        (
            ("template", "../outside"),
            "error: '../outside' cannot name a template: use letters, digits, '-', '_' and '.' "
            "(it becomes a folder name), and not a Windows device name",
        ),
        (
            ("template", "Essential-Services"),
            "error: templates/essential-services/ differs from 'Essential-Services' only by "
            "case: on Windows and macOS they would be one folder; choose another name",
        ),
        (
            ("campaign", "essential-services"),
            "error: templates/essential-services/ already exists: to write this campaign with "
            "it, add --template essential-services",
        ),
        (
            ("template", "next", "--lang", "english"),
            "error: --lang english: not a language tag such as en, es or fr-CA",
        ),
    ]
    for arguments, message in mistakes:
        result = run(example, "new", *arguments)
        assert (result.exit_code, result.stderr) == (1, message + "\n"), arguments
    # One template file that exists stops the others from being written.
    (example / "templates/reply").mkdir()
    (example / "templates/reply/letter.es.md.j2").write_text("Mine.\n")
    taken = run(example, "new", "template", "reply", "--lang", "en", "--lang", "es")
    assert taken.stderr.startswith("error: templates/reply/letter.es.md.j2 already exists")
    (example / "templates/reply/letter.es.md.j2").unlink()
    (example / "templates/reply").rmdir()
    assert sorted(path for path in example.rglob("*")) == before


def test_a_workspace_without_campaigns_has_nothing_to_follow(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    (workspace / "campaigns/note.yaml").unlink()
    result = run(workspace, "new", "campaign", "first")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no campaign to follow: letterforge new campaign copies the people of an "
        "existing campaign, and campaigns/ has none that loads; write one (letterforge init "
        "shows how)\n"
    )


def test_init_then_new_campaign_builds(tmp_path: Path) -> None:
    workspace = tmp_path / "letters"
    assert run(tmp_path, "init", str(workspace)).exit_code == 0
    result = run(workspace, "new", "campaign", "second-letter", "--template", "letter")
    assert result.exit_code == 0, result.output
    # The starter's template reads the starter campaign's vars, and they came along.
    assert run(workspace, "check", "--strict").exit_code == 0
    built = run(workspace, "build", "second-letter")
    assert built.exit_code == 0, built.output
    assert (workspace / "build/second-letter/index.html").is_file()


def test_the_readme_examples_run(example: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = documented_commands(readme, "new")
    assert len(commands) == 3
    for arguments in commands:
        result = run(example, *arguments)
        assert result.exit_code == 0, (arguments, result.output)
    assert run(example, "check").exit_code == 0
