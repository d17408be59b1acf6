"""Golden text of the example letters: a change to a template, roster or convention shows up
here as a readable diff. After an intended change, regenerate with
``LETTERFORGE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import docx_paragraphs

GOLDEN = Path(__file__).parent / "golden"
# Every letter of the example workspace: campaign, language, recipient.
LETTERS = [
    ("essential-services-2020", "en", "romo"),
    ("essential-services-2020", "es-MX", "romo"),
    ("usmca-review-2025", "en-US", "greer"),
    ("usmca-review-2025", "es-MX", "ebrard"),
    ("usmca-review-2025", "fr-CA", "sidhu"),
    ("usmca-review-2025", "en-CA", "sidhu"),
]


def as_text(paragraphs: list[tuple[str, str]]) -> str:
    return "".join(f"[{style}]\n{text}\n\n" for style, text in paragraphs)


@pytest.mark.parametrize(("campaign", "lang", "person"), LETTERS, ids="/".join)
def test_example_letter_text_matches_golden_file(
    built_example: Path, campaign: str, lang: str, person: str
) -> None:
    text = as_text(docx_paragraphs(built_example / "build" / campaign / lang / f"{person}.docx"))
    golden = GOLDEN / campaign / f"{lang}.{person}.txt"
    if os.environ.get("LETTERFORGE_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_every_example_letter_has_a_golden_file(built_example: Path) -> None:
    built = sorted(
        path.relative_to(built_example / "build").with_suffix("").as_posix()
        for path in (built_example / "build").glob("*/*/*.docx")
        if path.parent.name != "bundle"
    )
    assert built == sorted(f"{campaign}/{lang}/{person}" for campaign, lang, person in LETTERS)
