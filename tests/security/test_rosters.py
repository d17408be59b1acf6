"""Untrusted rosters and campaigns: safe YAML, bounded size, safe file names, literal text."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

from tests.conftest import docx_paragraphs, flat, make_workspace, pdf_pages, replace_in, run
from tests.test_review import read_mail_out_list

ROSTER = "recipients/people.yaml"


def assert_refused(workspace: Path, *lines: str) -> None:
    checked = run(workspace, "check", "-q")
    assert (checked.exit_code, checked.stdout.splitlines()) == (1, list(lines))
    built = run(workspace, "build")
    assert built.exit_code == 1
    assert not (workspace / "build").exists()


def test_python_tags_are_refused(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {ROSTER: "people:\n  - !!python/object/apply:os.system ['touch /tmp/pwned']\n"},
    )
    assert_refused(
        workspace,
        f"{ROSTER}:2:5: error: YAML tag !!python/object/apply:os.system is not allowed",
    )


def test_an_alias_bomb_stops_at_the_first_alias(tmp_path: Path) -> None:
    lines = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    lines += [
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    workspace = make_workspace(tmp_path, {"recipients/bomb.yaml": "\n".join(lines) + "\n"})
    assert_refused(
        workspace,
        "recipients/bomb.yaml:1:4: error: YAML anchors (&a) are not supported: write the value "
        "out where it is needed",
    )


def test_a_huge_roster_is_refused_without_reading_it(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    with open(workspace / "recipients" / "huge.yaml", "wb") as huge:
        huge.truncate(1024**3)  # a sparse gigabyte: instant to make, ruinous to parse
    assert_refused(
        workspace,
        "recipients/huge.yaml: error: file is 1024 MiB; YAML files are limited to 10 MiB",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"Ruiz\\0"', "the control character U+0000 cannot appear in a letter"),
        (
            '"Ruiz\\vCo"',
            "the control character U+000B cannot appear in a letter (Word pastes "
            "a line break as this character: retype the break)",
        ),
    ],
)
def test_characters_a_docx_cannot_hold_name_person_field_and_line(
    tmp_path: Path, value: str, message: str
) -> None:
    workspace = make_workspace(tmp_path, {})
    replace_in(workspace / ROSTER, "family: Ruiz}", f"family: {value}}}")
    assert_refused(workspace, f"{ROSTER}:3:32: error: people[0].name.family: {message}")


def test_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    replace_in(workspace / ROSTER, "family: Ruiz}", 'family: "Ruiz\\ud800"}')
    assert_refused(
        workspace,
        f"{ROSTER}:3:39: error: invalid YAML: found invalid Unicode character escape code",
    )


@pytest.mark.parametrize(
    ("person_id", "message"),
    [
        ("../../x", "'../../x' is not a valid id"),
        ("/abs", "'/abs' is not a valid id"),
        ("a:b", "'a:b' is not a valid id"),
        ("CON", "'CON' is not a valid id"),
        ("con", "'con' cannot be an id: Windows keeps it for a device"),
        ("lpt1", "'lpt1' cannot be an id: Windows keeps it for a device"),
        ("Ana", "'Ana' is not a valid id"),
        # Cyrillic letters that look Latin: ids are ASCII, so look-alikes cannot collide.
        ("аna", "'аna' is not a valid id"),  # noqa: RUF001
    ],
)
def test_ids_that_are_not_safe_file_names_are_refused(
    tmp_path: Path, person_id: str, message: str
) -> None:
    workspace = make_workspace(tmp_path, {})
    replace_in(workspace / ROSTER, "id: ana", f"id: '{person_id}'")
    checked = run(workspace, "check", "-q")
    assert checked.exit_code == 1
    assert checked.stdout.startswith(f"{ROSTER}:2:9: error: people[0].id: {message}")


def test_campaign_names_that_collide_on_windows_and_macos_are_refused(tmp_path: Path) -> None:
    note = "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
    workspace = make_workspace(tmp_path, {"campaigns/Note.yaml": note, "campaigns/aux.yaml": note})
    assert_refused(
        workspace,
        "campaigns/aux.yaml: error: campaign name 'aux' is kept by Windows for a device, so its "
        "letters cannot be written there: rename campaigns/aux.yaml",
        "campaigns/note.yaml: error: campaign names 'Note' and 'note' differ only by case: on "
        "Windows and macOS their letters would overwrite each other; rename one",
    )


def test_names_with_markup_appear_literally_in_pdf_and_docx(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    replace_in(workspace / ROSTER, "family: Ruiz}", 'family: "<b>Ana & Co</b> **x** [y](z)"}')
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    out = workspace / "build" / "note" / "en"
    for text in (
        flat("\n".join(pdf_pages(out / "ana.pdf"))),
        flat("\n".join(text for _, text in docx_paragraphs(out / "ana.docx"))),
    ):
        assert "Dear Ms. <b>Ana & Co</b> **x** [y](z):" in text


def test_nothing_is_written_outside_build(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    before = {path for path in tmp_path.rglob("*")}
    assert run(workspace, "build").exit_code == 0
    written = {path for path in tmp_path.rglob("*")} - before
    assert written and all(path.is_relative_to(workspace / "build") for path in written)


def test_rendering_libraries_are_at_versions_with_known_advisories_fixed() -> None:
    assert Version(version("jinja2")) >= Version("3.1.6")
    assert Version(version("weasyprint")) >= Version("70.0")


@pytest.mark.parametrize("link", ["build", "build/note", "build/note/en"])
def test_a_committed_link_in_build_is_not_followed(tmp_path: Path, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ana.pdf").write_text("someone else's file", encoding="utf-8")
    workspace = make_workspace(tmp_path / "ws", {})
    (workspace / link).parent.mkdir(parents=True, exist_ok=True)
    (workspace / link).symlink_to(outside)
    result = run(workspace, "build")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {link} is a symbolic link: letterforge writes only into real folders inside "
        "build/; remove the link\n"
    )
    assert sorted(path.name for path in outside.iterdir()) == ["ana.pdf"]
    assert (outside / "ana.pdf").read_text(encoding="utf-8") == "someone else's file"


def test_an_id_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    replace_in(workspace / ROSTER, "id: ana", 'id: "nul\\n"')
    checked = run(workspace, "check", "-q")
    assert checked.exit_code == 1
    # White space around a value is dropped, so this is the device name nul, refused as such.
    assert checked.stdout.startswith(
        f"{ROSTER}:2:9: error: people[0].id: 'nul' cannot be an id: Windows keeps it for a device"
    )


def test_long_digit_strings_in_vars_stay_text(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
                f"vars:\n  account: {'9' * 5000}\n"
            ),
            "templates/note/letter.en.md.j2": "Account {{ vars.account[:4] }}.\n",
        },
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert ("Letter Body", "Account 9999.") in docx_paragraphs(
        workspace / "build" / "note" / "en" / "ana.docx"
    )


def test_a_very_long_template_name_is_an_error_not_a_crash(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    replace_in(workspace / "campaigns" / "note.yaml", "template: note", f"template: {'x' * 300}")
    checked = run(workspace, "check", "-q")
    assert checked.exit_code == 1
    assert checked.stdout.startswith("campaigns/note.yaml:3:11: error: template: 'xxx")


def test_roster_text_cannot_become_markup_or_a_spreadsheet_formula(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "recipients/people.yaml": (
                "people:\n"
                "  - id: ana\n"
                "    name: {given: '<b>Ana</b>', family: '=HYPERLINK(\"http://x\")'}\n"
                "    gender: f\n"
                "    honorific: Ms.\n"
                "  - id: sam\n"
                "    name: {given: Sam, family: Lee}\n"
            ),
        },
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    folder = workspace / "build/note"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<b>Ana</b>" not in page
    assert "&lt;b&gt;Ana&lt;/b&gt;" in page
    [row] = read_mail_out_list(folder)
    assert (row["recipient"], row["name"]) == ("ana", '<b>Ana</b> =HYPERLINK("http://x")')
    # A name that starts like a formula is quoted, so a spreadsheet shows it as text.
    replace_in(workspace / "recipients/people.yaml", "given: '<b>Ana</b>'", "given: '=1+1'")
    assert run(workspace, "build", "--format", "docx").exit_code == 0
    assert read_mail_out_list(folder)[0]["name"] == '\'=1+1 =HYPERLINK("http://x")'


def test_a_committed_manifest_cannot_remove_files_or_inject_markup(example: Path) -> None:
    """A repository can commit build/ with a manifest in it; a build removes the stale files a
    manifest names and shows its values on the review page."""
    import json

    assert run(example, "build", "essential-services-2020", "--format", "docx").exit_code == 0
    folder = example / "build/essential-services-2020"
    victim = example / "recipients/mexico-federal.yaml"
    manifest = json.loads((folder / "manifest.json").read_text())
    record = manifest["outputs"]["en/romo.docx"]
    manifest["outputs"]["xx/gone.pdf"] = {
        **record,
        "thumbnail": "../../recipients/mexico-federal.yaml",
    }
    manifest["outputs"]["en/romo.pdf"] = {**record, "pages": "<script>alert(1)</script>"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run(example, "build", "essential-services-2020", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert victim.is_file()
    assert "<script>" not in (folder / "index.html").read_text(encoding="utf-8")
