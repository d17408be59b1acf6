"""``letterforge preview``: one letter as text on the terminal, or as one HTML page."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run

USMCA = "usmca-review-2025"


def test_preview_prints_the_first_letter_as_a_reader_sees_it(built_example: Path) -> None:
    result = run(built_example, "preview", "essential-services-2020")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Information Technology Industry Council"
    assert "Dear Mr. Romo:" in lines
    assert "Sincerely," in lines
    # The CC list ends the letter.
    assert lines[-1] == "Salma Jalife Villalón, Under Secretary of Communications and Technology"


def test_preview_takes_a_recipient_and_a_language(example: Path) -> None:
    french = run(example, "preview", USMCA, "--to", "sidhu", "--lang", "fr")
    assert french.exit_code == 0, french.output
    assert "Ottawa, le 1er juillet 2025" in french.stdout
    assert "N/Réf.\u00a0: USMCA-JR-2025-07" in french.stdout  # a no-break space before the colon
    english = run(example, "preview", USMCA, "--to", "sidhu", "--lang", "en-CA")
    assert "CUSMA" in english.stdout
    assert not (example / "build").exists()  # a text preview writes nothing


def test_preview_names_what_it_cannot_find(example: Path) -> None:
    nobody = run(example, "preview", USMCA, "--to", "romo")
    assert nobody.exit_code == 1
    assert nobody.stderr == (
        f"error: --to romo: {USMCA} does not write to 'romo'; it writes to greer, ebrard, sidhu\n"
    )
    no_language = run(example, "preview", USMCA, "--to", "greer", "--lang", "fr")
    assert no_language.exit_code == 1
    assert no_language.stderr == (
        "error: --lang fr: greer gets letters in English (en-US); name one of them\n"
    )


def test_preview_html_is_one_self_contained_page(example: Path) -> None:
    from tests.test_images import add_images

    add_images(example)
    result = run(example, "preview", USMCA, "--to", "ebrard", "--html")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"build/{USMCA}/preview/es-MX/ebrard.html\n"
    page = (example / result.stdout.strip()).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="es-MX">' in page
    assert "Estimado Lic. Ebrard:" in page
    # Everything it shows is inside it: the theme's CSS and the images as data: URLs.
    assert "font-family" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "file:" not in page and 'src="http' not in page


def test_preview_numbers_list_items_as_the_documents_do(tmp_path: Path) -> None:
    from tests.conftest import docx_paragraphs, make_workspace

    template = (
        "We ask two things:\n\n1. guidance;\n2. time, for\n   - workers and\n   - plants.\n\n"
        "Thank you.\n"
    )
    workspace = make_workspace(tmp_path, {"templates/note/letter.en.md.j2": template})
    result = run(workspace, "preview", "note")
    assert result.exit_code == 0, result.output
    start = result.stdout.index("We ask")
    assert result.stdout[start:].split("\n\n")[:6] == [
        "We ask two things:",
        "1. guidance;",
        "2. time, for",
        "   • workers and",
        "   • plants.",
        "Thank you.",
    ]
    assert run(workspace, "build", "--format", "docx").exit_code == 0
    items = [
        text
        for style, text in docx_paragraphs(workspace / "build/note/en/ana.docx")
        if style == "Letter List Item"
    ]
    assert items == ["1.\tguidance;", "2.\ttime, for", "•\tworkers and", "•\tplants."]
