"""Word users see what PDF readers see: LibreOffice lays out every example DOCX on as many pages
as letterforge's own PDF of that letter, with the same text.

LibreOffice (Debian's libreoffice-writer-nogui, which ``make test`` installs) stands in for
Word. Without it this test fails; set LETTERFORGE_NO_LIBREOFFICE=1 to leave it out knowingly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RUNNING_HEAD, pdf_pages, without_running_heads

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("LETTERFORGE_NO_LIBREOFFICE") == "1",
    reason="LETTERFORGE_NO_LIBREOFFICE=1 and no LibreOffice",
)


def characters(text: str) -> str:
    """The text without white space: the engines may wrap a line at another space or hyphen."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def converted(built_example: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Every example DOCX, converted to PDF by LibreOffice in one run: letterforge's PDF → it."""
    assert SOFFICE, "LibreOffice (soffice) is not installed: run make test, or see the docstring"
    work = tmp_path_factory.mktemp("libreoffice")
    build = built_example / "build"
    sources = {}
    for docx in sorted(build.rglob("*.docx")):
        name = "__".join(docx.relative_to(build).with_suffix("").parts)  # one folder, no clashes
        shutil.copy(docx, work / f"{name}.docx")
        sources[name] = docx.with_suffix(".pdf")
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            *(str(work / f"{name}.docx") for name in sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {ours: work / "out" / f"{name}.pdf" for name, ours in sources.items()}


def test_every_example_docx_has_the_pages_and_text_of_its_pdf(
    converted: dict[Path, Path],
) -> None:
    assert len(converted) == 8  # six letters and two bundles
    for ours, theirs in converted.items():
        our_pages, their_pages = pdf_pages(ours), pdf_pages(theirs)
        assert len(their_pages) == len(our_pages), ours
        # Running heads are read out at the top of a page by one engine and at the bottom by
        # the other; both carry them (tests/test_example.py checks their text).
        assert characters(without_running_heads("\n".join(their_pages))) == characters(
            without_running_heads("\n".join(our_pages))
        ), ours


def test_word_numbers_each_letter_of_a_bundle_from_one(converted: dict[Path, Path]) -> None:
    bundle = next(
        theirs for ours, theirs in converted.items() if ours.parts[-2:] == ("bundle", "romo.pdf")
    )
    heads = [
        match.group().strip() for page in pdf_pages(bundle) for match in RUNNING_HEAD.finditer(page)
    ]
    assert heads == [
        "Alfonso Romo · April 21, 2020 · Page 2",
        "Alfonso Romo · 21 de abril de 2020 · Página 2",
    ]
