"""Golden text of the example letters: a change to a template or roster shows up here as a
readable diff. After an intended change, regenerate with
``LETTERFORGE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import docx_paragraphs

GOLDEN = Path(__file__).parent / "golden"
CAMPAIGN = "essential-services-2020"


def as_text(paragraphs: list[tuple[str, str]]) -> str:
    return "".join(f"[{style}]\n{text}\n\n" for style, text in paragraphs)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_example_letter_text_matches_golden_file(built_example: Path, lang: str) -> None:
    text = as_text(docx_paragraphs(built_example / "build" / CAMPAIGN / lang / "romo.docx"))
    golden = GOLDEN / f"{CAMPAIGN}.{lang}.txt"
    if os.environ.get("LETTERFORGE_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
