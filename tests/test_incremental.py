"""Incremental builds: what a rebuild skips, what each kind of edit rewrites, what it removes,
and a letter that fails to write in the middle of a batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import letterforge.build.manifest
from tests.conftest import REPO, copy_example, is_letter, pdf_pages, replace_in, run
from tests.test_images import add_images

ESSENTIAL = "essential-services-2020"
USMCA = "usmca-review-2025"
ESSENTIAL_FILES = [f"{ESSENTIAL}/{stem}.docx" for stem in ("bundle/romo", "en/romo", "es-MX/romo")]
USMCA_FILES = [
    f"{USMCA}/{stem}.docx"
    for stem in ("bundle/sidhu", "en-CA/sidhu", "en-US/greer", "es-MX/ebrard", "fr-CA/sidhu")
]
EVERY_FILE = sorted(ESSENTIAL_FILES + USMCA_FILES)


def written(result_stdout: str) -> list[str]:
    """The files a ``build -v`` lists as written, inside build/."""
    return sorted(
        line.removeprefix("build/")
        for line in result_stdout.splitlines()
        if line.startswith("build/")
    )


def letters(workspace: Path) -> list[str]:
    build = workspace / "build"
    return sorted(
        path.relative_to(build).as_posix() for path in build.rglob("*") if is_letter(path)
    )


@pytest.fixture
def docx_example(tmp_path: Path) -> Path:
    """The example, built in DOCX (quick to write), with a logo and signatures."""
    workspace = copy_example(tmp_path / "workspace")
    add_images(workspace)
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    return workspace


def test_a_rebuild_with_no_change_writes_nothing(docx_example: Path) -> None:
    before = {path: path.stat().st_mtime_ns for path in (docx_example / "build").rglob("*.docx")}
    again = run(docx_example, "build", "--format", "docx", "-v")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        f"{ESSENTIAL}: 3 files in build/{ESSENTIAL}/, all up to date",
        f"{USMCA}: 5 files in build/{USMCA}/, all up to date",
    ]
    assert {path: path.stat().st_mtime_ns for path in before} == before
    forced = run(docx_example, "build", "--format", "docx", "--force", "-v")
    assert written(forced.stdout) == EVERY_FILE


def _edit_recipient(workspace: Path) -> None:
    replace_in(
        workspace / "recipients/trade-ministers-2025.yaml",
        "title: {en: United States Trade Representative}",
        "title: {en: U.S. Trade Representative}",
    )


def _edit_cc(workspace: Path) -> None:
    replace_in(
        workspace / "recipients/mexico-federal.yaml",
        "title: {en: Secretary of Health, es: Secretario de Salud}",
        "title: {en: Secretary of Health (acting), es: Secretario de Salud (interino)}",
    )


def _edit_signatory(workspace: Path) -> None:
    replace_in(workspace / "recipients/signatories.yaml", "President & CEO, es:", "CEO, es:")


def _edit_campaign(workspace: Path) -> None:
    replace_in(
        workspace / f"campaigns/{ESSENTIAL}.yaml", "member_companies: 70", "member_companies: 75"
    )


def _edit_template(workspace: Path) -> None:
    replace_in(
        workspace / "templates/usmca-review/letter.fr.md.j2",
        "Nos associations",
        "Nos trois associations",
    )


def _add_locale(workspace: Path) -> None:
    (workspace / "locales").mkdir()
    (workspace / "locales/en.yaml").write_text("labels:\n  cc: Copies\n", encoding="utf-8")


def _edit_theme(workspace: Path) -> None:
    replace_in(workspace / "letterforge.yaml", "page_size: letter", "page_size: a4")


def _edit_asset(workspace: Path) -> None:
    replace_in(workspace / "assets/logo.svg", "#1F3A5F", "#2E5A88")


def _upgrade_tools(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    upgraded = letterforge.build.manifest.tool_versions() + "\nweasyprint 99.0"
    monkeypatch.setattr(letterforge.build.manifest, "tool_versions", lambda: upgraded)


def _delete_output(workspace: Path) -> None:
    (workspace / f"build/{USMCA}/fr-CA/sidhu.docx").unlink()


def _touch_output(workspace: Path) -> None:
    # Copied back from a backup, or touched: a new time, the same content, nothing to write.
    path = workspace / f"build/{ESSENTIAL}/es-MX/romo.docx"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_edit_recipient, [f"{USMCA}/en-US/greer.docx"]),
        (_edit_cc, ESSENTIAL_FILES),
        (_edit_signatory, EVERY_FILE),
        (_edit_campaign, ESSENTIAL_FILES),
        (_edit_template, EVERY_FILE),
        (_add_locale, EVERY_FILE),
        (_edit_theme, EVERY_FILE),
        (_edit_asset, EVERY_FILE),
        (_upgrade_tools, EVERY_FILE),
        (_delete_output, [f"{USMCA}/fr-CA/sidhu.docx"]),
        (_touch_output, []),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else "",
)
def test_each_kind_of_edit_rewrites_exactly_the_files_it_changes(
    docx_example: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[..., None],
    expected: list[str],
) -> None:
    if edit is _upgrade_tools:
        edit(docx_example, monkeypatch)
    else:
        edit(docx_example)
    again = run(docx_example, "build", "--format", "docx", "-v")
    assert again.exit_code == 0, again.output
    assert written(again.stdout) == expected
    # And the build after that has nothing left to do.
    third = run(docx_example, "build", "--format", "docx", "-v")
    assert written(third.stdout) == []


def test_the_recipient_edit_is_in_the_rewritten_letter(docx_example: Path) -> None:
    from tests.conftest import docx_paragraphs

    _edit_recipient(docx_example)
    run(docx_example, "build", "--format", "docx")
    text = "\n".join(
        text for _, text in docx_paragraphs(docx_example / f"build/{USMCA}/en-US/greer.docx")
    )
    assert "U.S. Trade Representative" in text


def test_letters_that_left_the_campaign_are_removed(docx_example: Path) -> None:
    replace_in(
        docx_example / f"campaigns/{USMCA}.yaml",
        "to: [greer, ebrard, sidhu]",
        "to: [greer, sidhu]",
    )
    replace_in(docx_example / f"campaigns/{ESSENTIAL}.yaml", "bundle: true", "bundle: false")
    again = run(docx_example, "build", "--format", "docx")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        # Who gets a letter and whether there are bundles change no letter's text: the
        # letters that stay are up to date.
        f"{ESSENTIAL}: 2 files in build/{ESSENTIAL}/: 2 up to date, 1 removed",
        f"{USMCA}: 4 files in build/{USMCA}/: 4 up to date, 1 removed",
    ]
    assert letters(docx_example) == [
        f"{ESSENTIAL}/en/romo.docx",
        f"{ESSENTIAL}/es-MX/romo.docx",
        f"{USMCA}/bundle/sidhu.docx",
        f"{USMCA}/en-CA/sidhu.docx",
        f"{USMCA}/en-US/greer.docx",
        f"{USMCA}/fr-CA/sidhu.docx",
    ]
    # The emptied folders go with their last letter; the manifests list what is left.
    assert not (docx_example / f"build/{USMCA}/es-MX").exists()
    assert not (docx_example / f"build/{ESSENTIAL}/bundle").exists()
    manifest = json.loads((docx_example / f"build/{USMCA}/manifest.json").read_text())
    assert sorted(manifest["outputs"]) == [
        "bundle/sidhu.docx",
        "en-CA/sidhu.docx",
        "en-US/greer.docx",
        "fr-CA/sidhu.docx",
    ]


def test_a_narrowed_build_keeps_the_other_letters(docx_example: Path) -> None:
    _edit_signatory(docx_example)
    narrowed = run(docx_example, "build", USMCA, "--format", "docx", "--lang", "fr", "-v")
    assert written(narrowed.stdout) == [f"{USMCA}/fr-CA/sidhu.docx"]
    assert letters(docx_example) == EVERY_FILE
    # The rest is still out of date, and the next full build writes it.
    full = run(docx_example, "build", "--format", "docx", "-v")
    assert written(full.stdout) == sorted(set(EVERY_FILE) - {f"{USMCA}/fr-CA/sidhu.docx"})


def test_the_manifest_records_every_file_as_written(docx_example: Path) -> None:
    import hashlib

    folder = docx_example / "build" / USMCA
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["formats"] == ["docx"]
    for name, record in manifest["outputs"].items():
        data = (folder / name).read_bytes()
        assert record["size"] == len(data)
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["outputs"]["bundle/sidhu.docx"]["languages"] == ["fr-CA", "en-CA"]
    assert manifest["outputs"]["en-US/greer.docx"]["recipient"] == "greer"


def test_a_letter_that_cannot_be_written_is_reported_and_the_rest_are_written(
    example: Path,
) -> None:
    # A folder where one letter's PDF should go: that letter fails, the others do not.
    (example / f"build/{USMCA}/es-MX/ebrard.pdf").mkdir(parents=True)
    result = run(example, "build", "--jobs", "2")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"build/{USMCA}/es-MX/ebrard.pdf: error: the letter to ebrard in Spanish "
        "(es-MX) was not written: cannot write it: Is a directory"
    ]
    assert f"{USMCA}: 9 files in build/{USMCA}/: 9 written, 1 not written" in result.stdout
    assert len(letters(example)) == 15
    manifest = json.loads((example / f"build/{USMCA}/manifest.json").read_text())
    assert "es-MX/ebrard.pdf" not in manifest["outputs"]
    assert manifest["inputs"] is None  # not complete: the next build looks at every file
    # Once the folder is gone, the next build writes that letter and nothing else.
    (example / f"build/{USMCA}/es-MX/ebrard.pdf").rmdir()
    again = run(example, "build", "-v")
    assert again.exit_code == 0, again.output
    assert written(again.stdout) == [f"{USMCA}/es-MX/ebrard.pdf"]
    assert "Ebrard" in "".join(pdf_pages(example / f"build/{USMCA}/es-MX/ebrard.pdf"))


NO_OP_PROBE = """
import sys
from letterforge.cli import cli
try:
    cli(["-C", sys.argv[1], "build"], prog_name="letterforge")
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = ["weasyprint", "docx", "pydantic", "jinja2", "yaml", "markdown_it", "babel"]
print(" ".join(name for name in heavy if name in sys.modules) or "none")
"""


def test_a_rebuild_with_no_change_imports_no_rendering_library(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / "copy")
    first = run(workspace, "build")
    assert first.exit_code == 0, first.output
    probe = subprocess.run(
        [sys.executable, "-c", NO_OP_PROBE, str(workspace)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert probe.stdout.splitlines() == [
        f"{ESSENTIAL}: 6 files in build/{ESSENTIAL}/, all up to date",
        f"{USMCA}: 10 files in build/{USMCA}/, all up to date",
        "none",
    ]


def test_the_progress_line_shows_files_rate_and_time_left() -> None:
    import io

    from letterforge.cli.progress import TerminalProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = TerminalProgress(terminal, quiet=False)
    progress.planned(2000)
    progress.written(500)
    assert progress.line(20.0) == "500/2000 files · 25.0 files/s · 1:00 left"
    assert terminal.getvalue().startswith("\r500/2000 files")
    progress.close()
    assert terminal.getvalue().endswith("\r")  # the line is erased for the summary
    # Not on a terminal, or with -q: nothing at all.
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        silent = TerminalProgress(stream, quiet=quiet)
        silent.planned(2)
        silent.written(2)
        silent.close()
        assert stream.getvalue() == ""


def test_what_a_killed_build_left_in_staging_is_cleared(example: Path) -> None:
    staging = example / "build" / ".staging"
    (staging / "folder").mkdir(parents=True)
    (staging / "0.job").write_bytes(b"not a document")  # never read: cleared first
    result = run(example, "build", "--format", "docx", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert not staging.exists()
    assert len(letters(example)) == 8


def test_a_stale_letter_someone_already_deleted_or_edited_is_left_alone(docx_example: Path) -> None:
    import shutil

    shutil.rmtree(docx_example / f"build/{USMCA}/es-MX")  # already deleted by hand
    edited = docx_example / f"build/{USMCA}/en-US/greer.docx"
    edited.write_bytes(edited.read_bytes() + b"\0")  # someone's last edits in Word
    replace_in(
        docx_example / f"campaigns/{USMCA}.yaml", "to: [greer, ebrard, sidhu]", "to: [sidhu]"
    )
    again = run(docx_example, "build", "--format", "docx")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[1] == (  # none removed
        f"{USMCA}: 3 files in build/{USMCA}/, all up to date"
    )
    assert edited.exists()  # kept, no longer tracked
    manifest = json.loads((docx_example / f"build/{USMCA}/manifest.json").read_text())
    assert sorted(manifest["outputs"]) == [
        "bundle/sidhu.docx",
        "en-CA/sidhu.docx",
        "fr-CA/sidhu.docx",
    ]


# Someone's last edits in Word, and manifests that cannot be trusted


def edit_in_word(path: Path, sentence: str) -> None:
    """Open a letter in a word processor, add a sentence, save it."""
    import docx

    document = docx.Document(str(path))
    document.add_paragraph(sentence)
    document.save(str(path))


def docx_text(path: Path) -> str:
    import docx

    return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)


def test_a_letter_edited_by_hand_is_kept_and_force_keeps_the_edited_copy(
    docx_example: Path,
) -> None:
    letter = docx_example / f"build/{ESSENTIAL}/en/romo.docx"
    edit_in_word(letter, "P.S. We will call your office on Monday.")
    warning = (
        f"build/{ESSENTIAL}/en/romo.docx: warning: edited since letterforge wrote it; kept "
        "(--force replaces it, keeping the edited copy as romo.edited.docx)"
    )
    again = run(docx_example, "build", "--format", "docx")
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines() == [warning]
    assert again.stdout.splitlines()[0] == (
        f"{ESSENTIAL}: 3 files in build/{ESSENTIAL}/: 2 up to date, 1 kept as edited"
    )
    assert "P.S. We will call" in docx_text(letter)
    # An input of that letter changes: the edit is still kept, and still reported.
    _edit_campaign(docx_example)
    changed = run(docx_example, "build", "--format", "docx", "-v")
    assert changed.exit_code == 0, changed.output
    assert changed.stderr.splitlines() == [warning]
    assert f"{ESSENTIAL}/en/romo.docx" not in written(changed.stdout)
    assert "P.S. We will call" in docx_text(letter)
    # The review page and mail-out list describe the file as it is now.
    folder = docx_example / f"build/{ESSENTIAL}"
    assert "edited by hand" in (folder / "index.html").read_text()
    import hashlib

    assert hashlib.sha256(letter.read_bytes()).hexdigest() in (folder / "manifest.csv").read_text()
    # --force replaces it, and keeps the edited copy beside it.
    forced = run(docx_example, "build", "--format", "docx", "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stderr.splitlines() == [
        f"build/{ESSENTIAL}/en/romo.docx: warning: edited since letterforge wrote it; "
        "replaced, and the edited copy is kept as romo.edited.docx"
    ]
    assert "P.S. We will call" not in docx_text(letter)
    assert "P.S. We will call" in docx_text(letter.with_name("romo.edited.docx"))
    quiet = run(docx_example, "build", "--format", "docx")
    assert quiet.stderr == ""
    assert quiet.stdout.splitlines()[0].endswith("all up to date")


MANIFEST = f"build/{ESSENTIAL}/manifest.json"


def _nested_deeply(manifest: dict[str, Any]) -> str:
    return "[" * 100_000 + "]" * 100_000


def _no_languages(manifest: dict[str, Any]) -> str:
    manifest["outputs"]["en/romo.docx"]["languages"] = []
    return json.dumps(manifest)


def _zero_hashes(manifest: dict[str, Any]) -> str:
    for record in manifest["outputs"].values():
        record["sha256"] = "0" * 64
    return json.dumps(manifest)


def _thumbnail_elsewhere(manifest: dict[str, Any]) -> str:
    manifest["outputs"]["en/romo.docx"]["thumbnail"] = "../../letterforge.yaml"
    return json.dumps(manifest)


@pytest.mark.parametrize(
    "spoil", [_nested_deeply, _no_languages, _zero_hashes, _thumbnail_elsewhere]
)
def test_a_manifest_that_cannot_be_trusted_is_ignored_and_the_letters_rewritten(
    docx_example: Path, spoil: Callable[[dict[str, Any]], str]
) -> None:
    path = docx_example / MANIFEST
    path.write_text(spoil(json.loads(path.read_text())))
    again = run(docx_example, "build", "--format", "docx", "-v")
    assert again.exit_code == 0, again.output
    assert again.stderr == ""  # nothing is taken for someone's edit
    assert written(again.stdout) == ESSENTIAL_FILES
    manifest = json.loads(path.read_text())
    import hashlib

    for name, record in manifest["outputs"].items():
        data = (docx_example / f"build/{ESSENTIAL}" / name).read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", ["manifest.json", "manifest.csv", "index.html"])
def test_a_folder_where_the_build_keeps_a_file_is_one_line_and_nothing_written(
    docx_example: Path, name: str
) -> None:
    folder = docx_example / f"build/{ESSENTIAL}"
    (folder / name).unlink()
    (folder / name).mkdir()
    _edit_campaign(docx_example)
    before = {path: path.stat().st_mtime_ns for path in folder.rglob("*.docx")}
    again = run(docx_example, "build", "--format", "docx")
    assert again.exit_code == 1
    assert again.stderr == (
        f"build/{ESSENTIAL}/{name}: error: is not a file: letterforge keeps its own file "
        "there; remove it\n"
    )
    assert {path: path.stat().st_mtime_ns for path in folder.rglob("*.docx")} == before


def test_a_font_installed_or_removed_rewrites_the_letters(tmp_path: Path) -> None:
    import os
    import shutil

    workspace = copy_example(tmp_path / "copy")
    home = tmp_path / "home"
    home.mkdir()
    environment = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}

    def build() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "letterforge", "-C", str(workspace), "build", "--format", "pdf"],
            capture_output=True,
            text=True,
            env=environment,
            cwd=REPO,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    build()
    assert "all up to date" in build()
    fonts = home / "share" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "loop").symlink_to(".")  # font folders link to each other: no endless walk
    shutil.copy(next(Path("/usr/share/fonts").rglob("*.ttf")), fonts)
    assert "all up to date" not in build()
    assert "all up to date" in build()


def test_a_file_the_manifest_has_no_record_of_is_kept_beside(docx_example: Path) -> None:
    letter = docx_example / f"build/{ESSENTIAL}/en/romo.docx"
    edit_in_word(letter, "P.S. A note only this copy has.")
    (docx_example / MANIFEST).write_text('{"manifest": 2}')  # not a manifest letterforge wrote
    again = run(docx_example, "build", "--format", "docx")
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines() == [
        f"build/{ESSENTIAL}/en/romo.docx: warning: not recorded as written by letterforge (its "
        "manifest entry was lost); replaced, and the file that was there is kept as "
        "romo.edited.docx"
    ]
    assert "P.S. A note only this copy has." in docx_text(letter.with_name("romo.edited.docx"))
    assert "P.S. A note only this copy has." not in docx_text(letter)


def test_an_edited_letter_of_someone_who_left_and_came_back_is_kept(docx_example: Path) -> None:
    letter = docx_example / f"build/{USMCA}/en-US/greer.docx"
    edit_in_word(letter, "P.S. Handed over in person.")
    campaign = docx_example / f"campaigns/{USMCA}.yaml"
    replace_in(campaign, "to: [greer, ebrard, sidhu]", "to: [ebrard, sidhu]")
    left = run(docx_example, "build", "--format", "docx")
    assert left.exit_code == 0, left.output
    assert left.stderr.splitlines() == [
        f"build/{USMCA}/en-US/greer.docx: warning: edited since letterforge wrote it; kept, "
        "though its letter is no longer part of the campaign"
    ]
    replace_in(campaign, "to: [ebrard, sidhu]", "to: [greer, ebrard, sidhu]")
    back = run(docx_example, "build", "--format", "docx")
    assert back.exit_code == 0, back.output
    assert "greer.edited.docx" in back.stderr
    assert "P.S. Handed over in person." in docx_text(letter.with_name("greer.edited.docx"))


def test_a_thumbnails_link_out_of_build_is_refused_before_anything_is_removed(
    tmp_path: Path,
) -> None:
    workspace = copy_example(tmp_path / "copy")
    assert run(workspace, "build", "--format", "pdf").exit_code == 0
    folder = workspace / f"build/{USMCA}"
    victim = tmp_path / "victim"
    (victim / "en-US").mkdir(parents=True)
    (victim / "en-US" / "greer.jpg").write_text("someone else's file")
    import shutil

    shutil.rmtree(folder / "thumbnails")
    (folder / "thumbnails").symlink_to(victim)
    replace_in(
        workspace / f"campaigns/{USMCA}.yaml",
        "to: [greer, ebrard, sidhu]",
        "to: [ebrard, sidhu]",
    )
    result = run(workspace, "build", "--format", "pdf")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: build/{USMCA}/thumbnails is a symbolic link: letterforge writes only into real "
        "folders inside build/; remove the link\n"
    )
    assert (victim / "en-US" / "greer.jpg").read_text() == "someone else's file"
    assert (folder / "en-US" / "greer.pdf").exists()


def test_a_fifo_where_the_journal_goes_is_an_error_not_a_hang(docx_example: Path) -> None:
    import os

    os.mkfifo(docx_example / f"build/{ESSENTIAL}/.manifest.journal")
    _edit_campaign(docx_example)
    result = subprocess.run(
        [sys.executable, "-m", "letterforge", "build", "--format", "docx"],
        cwd=docx_example,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"build/{ESSENTIAL}/.manifest.journal: error: is not a file: letterforge keeps its own "
        "file there; remove it\n"
    )


def test_a_template_folder_that_links_to_another_builds(docx_example: Path) -> None:
    (docx_example / "templates" / "essential-copy").symlink_to("essential-services")
    replace_in(
        docx_example / f"campaigns/{ESSENTIAL}.yaml",
        "template: essential-services",
        "template: essential-copy",
    )
    again = run(docx_example, "build", "--format", "docx", "-v")
    assert again.exit_code == 0, again.output
    assert written(again.stdout) == EVERY_FILE  # anything new in templates/ counts
    # An edit made through either name is an edit of the template.
    replace_in(
        docx_example / "templates/essential-services/letter.en.md.j2",
        "Thank you for your attention",
        "Thank you very much for your attention",
    )
    edited = run(docx_example, "build", "--format", "docx", "-v")
    assert written(edited.stdout) == EVERY_FILE
    assert "Thank you very much" in docx_text(docx_example / f"build/{ESSENTIAL}/en/romo.docx")
