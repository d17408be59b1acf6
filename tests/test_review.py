"""The review page (``build/<campaign>/index.html``) and the mail-out list (``manifest.csv``)
each build leaves beside a campaign's letters; the page is also loaded in a real Chromium."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.conftest import make_workspace, pdf_pages, replace_in, run

USMCA = "usmca-review-2025"
ESSENTIAL = "essential-services-2020"


class _Page(HTMLParser):
    """The review page as a reader sees it: each row's cells' text, and every link and image."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and self._in == "tbody":
            self.rows.append([])
        elif tag == "tbody" or tag == "title":
            self._in = tag
        elif tag == "td" and self.rows:
            self.rows[-1].append("")
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        elif tag == "img":
            self.images.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("tbody", "title"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "tbody" and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def read_page(folder: Path) -> _Page:
    page = _Page()
    page.feed((folder / "index.html").read_text(encoding="utf-8"))
    # File sizes change with every version of the libraries: only their form is compared.
    page.rows = [[re.sub(r"\d+ kB", "n kB", cell.strip()) for cell in row] for row in page.rows]
    return page


def read_mail_out_list(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_the_review_page_shows_every_letter_with_its_pages_picture_and_files(
    built_example: Path,
) -> None:
    folder = built_example / "build" / USMCA
    page = read_page(folder)
    assert page.title == "Services and digital trade in the USMCA joint review: letters for review"
    # One row per document, in the campaign's order: recipient, language, pages, files.
    assert [row[1:] for row in page.rows] == [
        [
            "Jamieson Greer greerUnited States Trade Representative"
            "Office of the United States Trade Representative",
            "English (en-US)",
            "2",
            "PDF n kB DOCX n kB",
        ],
        [
            "Marcelo Ebrard Casaubón ebrardSecretario de EconomíaSecretaría de Economía",
            "Spanish (es-MX)",
            "2",
            "PDF n kB DOCX n kB",
        ],
        [
            "Maninder Sidhu sidhuMinistre du Commerce international",
            "French (fr-CA)",
            "2",
            "PDF n kB DOCX n kB",
        ],
        [
            "Maninder Sidhu sidhuMinister of International Trade",
            "English (en-CA)",
            "2",
            "PDF n kB DOCX n kB",
        ],
        [
            "Maninder Sidhu sidhuMinistre du Commerce international",
            "French (fr-CA) + English (en-CA)",
            "4",
            "PDF n kB DOCX n kB",
        ],
    ]
    # The page counts are the PDFs' own.
    assert len(pdf_pages(folder / "bundle/sidhu.pdf")) == 4
    # Every link and picture is a file in the folder.
    for target in page.links + [str(image["src"]) for image in page.images]:
        assert (folder / unquote(target)).is_file(), target
    assert "bundle/sidhu.docx" in page.links
    assert "manifest.csv" in page.links


def test_thumbnails_are_pictures_of_each_pdfs_first_page(
    built_example: Path, tmp_path: Path
) -> None:
    folder = built_example / "build" / ESSENTIAL
    images = read_page(folder).images
    assert [image["src"] for image in images] == [
        "thumbnails/en/romo.jpg",
        "thumbnails/es-MX/romo.jpg",
        "thumbnails/bundle/romo.jpg",
    ]
    assert images[0]["alt"] == "First page of the letter to Alfonso Romo"
    with Image.open(folder / "thumbnails/en/romo.jpg") as picture:
        assert picture.format == "JPEG"
        assert picture.size == (245, 317)  # a US Letter page at 0.4 of its size in points
        drawn = picture.convert("L")
    # It is the first page: poppler's drawing of it at the same size looks the same, and the
    # second page's does not.
    for page, looks_alike in ((2, False), (1, True)):
        subprocess.run(
            [
                "pdftoppm",
                "-gray",
                "-r",
                "28.8",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(folder / "en/romo.pdf"),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        with Image.open(tmp_path / "page.pgm") as poppler:
            assert poppler.size == drawn.size
            # Compared in blocks of 7 by 7 pixels: the two draw letters' edges differently.
            blocks = [image.resize((35, 45), Image.Resampling.BOX) for image in (drawn, poppler)]
            difference = ImageStat.Stat(ImageChops.difference(*blocks)).mean[0]
        assert (difference < 7) is looks_alike, (page, difference)  # 3.4 against 15


def test_the_mail_out_list_has_a_row_per_letter_with_email_and_hashes(example: Path) -> None:
    replace_in(
        example / "recipients/mexico-federal.yaml",
        "  - id: romo\n",
        "  - id: romo\n    email: ajefe@presidencia.example.mx\n",
    )
    assert run(example, "build", ESSENTIAL).exit_code == 0
    folder = example / "build" / ESSENTIAL
    # A byte-order mark first, so that Excel reads the accents as UTF-8.
    assert (folder / "manifest.csv").read_bytes().startswith(b"\xef\xbb\xbfrecipient,name,email,")
    rows = read_mail_out_list(folder)
    assert [(row["recipient"], row["language"], row["pages"], row["pdf"]) for row in rows] == [
        ("romo", "en", "2", "en/romo.pdf"),
        ("romo", "es-MX", "2", "es-MX/romo.pdf"),
        ("romo", "en+es-MX", "4", "bundle/romo.pdf"),
    ]
    for row in rows:
        assert row["name"] == "Alfonso Romo"
        assert row["email"] == "ajefe@presidencia.example.mx"
        for fmt in ("pdf", "docx"):
            data = (folder / row[fmt]).read_bytes()
            assert row[f"{fmt}_sha256"] == hashlib.sha256(data).hexdigest()
    assert "mailto:ajefe@presidencia.example.mx" in read_page(folder).links


def test_a_docx_only_build_lists_its_letters_without_pictures(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    assert run(workspace, "build", "--format", "docx").exit_code == 0
    folder = workspace / "build/note"
    page = read_page(folder)
    assert page.images == []
    assert [row[2:] for row in page.rows] == [["English (en)", "", "DOCX n kB"]]
    assert read_mail_out_list(folder)[0]["pages"] == ""


def test_the_review_follows_the_letters_as_they_change(example: Path) -> None:
    assert run(example, "build").exit_code == 0
    folder = example / "build" / USMCA
    # A lost review page or picture is drawn again; the letters stay as they are.
    (folder / "index.html").unlink()
    (folder / "thumbnails/en-US/greer.jpg").unlink()
    again = run(example, "build", USMCA, "-v")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:-1] == [f"build/{USMCA}/en-US/greer.pdf"]
    assert (folder / "index.html").is_file()
    assert (folder / "thumbnails/en-US/greer.jpg").is_file()
    # A recipient who leaves the campaign leaves the page, the list and the thumbnails.
    replace_in(
        example / f"campaigns/{USMCA}.yaml",
        "to: [greer, ebrard, sidhu]",
        "to: [greer, sidhu]",
    )
    assert run(example, "build", USMCA).exit_code == 0
    assert "ebrard" not in (folder / "index.html").read_text(encoding="utf-8")
    assert [row["recipient"] for row in read_mail_out_list(folder)] == ["greer"] + ["sidhu"] * 3
    assert not (folder / "thumbnails/es-MX").exists()
    # A --lang build changes some letters, and the page still lists them all.
    replace_in(example / f"campaigns/{USMCA}.yaml", "to: [greer, sidhu]", "to: [greer]")
    assert run(example, "build", USMCA, "--lang", "en").exit_code == 0
    assert len(read_page(folder).rows) == 1


# The browser test: Debian's Chromium and its WebDriver, which make test installs.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER) and os.environ.get("LETTERFORGE_NO_BROWSER") == "1",
    reason="LETTERFORGE_NO_BROWSER=1 and no Chromium",
)


@needs_chromium
def test_the_review_page_loads_in_chromium_with_every_link_and_picture(
    built_example: Path,
) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.wait import WebDriverWait

    assert CHROMIUM and CHROMEDRIVER, "Chromium is not installed: run make test"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        for campaign, documents in ((ESSENTIAL, 3), (USMCA, 5)):
            folder = built_example / "build" / campaign
            browser.get((folder / "index.html").as_uri())
            assert browser.title.endswith(": letters for review")
            # Pictures load lazily: scroll each into view, then wait for all to be drawn.
            browser.execute_script("for (const image of document.images) image.scrollIntoView()")
            WebDriverWait(browser, 20).until(
                lambda driver: driver.execute_script(
                    "return [...document.images].every(image => image.complete)"
                )
            )
            widths = browser.execute_script(
                "return [...document.images].map(image => image.naturalWidth)"
            )
            assert widths == [245] * documents  # each decoded: none is a broken picture
            links = browser.execute_script("return [...document.links].map(link => link.href)")
            files = [urlsplit(link) for link in links if not link.startswith("mailto:")]
            assert len(files) == 1 + 3 * documents  # the list; each letter's picture, PDF, DOCX
            for link in files:
                assert link.scheme == "file"
                assert Path(unquote(link.path)).is_file(), link.path
            assert browser.get_log("browser") == []  # no failed load, no error
    finally:
        browser.quit()


def test_files_a_narrowed_build_left_behind_are_marked_out_of_date(example: Path) -> None:
    assert run(example, "build", USMCA).exit_code == 0
    folder = example / "build" / USMCA
    replace_in(
        example / "recipients/trade-ministers-2025.yaml",
        "title: {en: United States Trade Representative}",
        "title: {en: U.S. Trade Representative}",
    )
    assert run(example, "build", USMCA, "--format", "docx").exit_code == 0
    # Greer's PDF predates the edit; his DOCX and everyone else's files do not.
    assert {row["pdf"]: row["out_of_date"] for row in read_mail_out_list(folder)} == {
        "en-US/greer.pdf": "pdf",
        "es-MX/ebrard.pdf": "",
        "fr-CA/sidhu.pdf": "",
        "en-CA/sidhu.pdf": "",
        "bundle/sidhu.pdf": "",
    }
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert page.count("<mark>out of date</mark>") == 1
    assert "<dt>Out of date</dt><dd><mark>1 file</mark> made before the latest edits" in page
    # A full build brings it up to date, and the marks go.
    assert run(example, "build", USMCA).exit_code == 0
    assert all(row["out_of_date"] == "" for row in read_mail_out_list(folder))
    assert "out of date" not in (folder / "index.html").read_text(encoding="utf-8").lower()
