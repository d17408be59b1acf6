"""The line memo (writers/pdf_memo.py) changes how fast PDFs are written, never a byte of them:
every example letter and a synthetic campaign give the same PDF with and without it, whether
the memo is empty or full, in one process and across two workers; on a WeasyPrint version it
was not verified on it stays off; and ``doctor`` says which."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import make_workspace
from letterforge.check.rules import Linter
from letterforge.compose import Composer
from letterforge.document import Document
from letterforge.theme import Theme
from letterforge.writers.pdf import PdfWriter
from letterforge.writers.pdf_memo import LINE_PROPERTIES, SWITCH, memo_status
from tests.conftest import REPO, copy_example, run
from tests.test_images import add_images


def documents(root: Path) -> tuple[Theme, list[tuple[str, Document]]]:
    """The theme of the workspace at ``root``, and each of its letters alone and each
    recipient's bundle, by name."""
    composer = Composer.open(root, rules=Linter())
    assert composer.workspace is not None and not composer.errors, composer.errors
    found = []
    for campaign in composer.renderable:
        created = campaign.campaign.date
        for recipient, versions in composer.letters(campaign):
            name = f"{campaign.name}/{recipient.person.id}"
            for lang, letter in versions.items():
                found.append((f"{name}/{lang}", Document((letter,), created=created)))
            if len(versions) > 1:
                bundle = Document(tuple(versions.values()), created=created)
                found.append((f"{name}/bundle", bundle))
    return composer.workspace.theme, found


def pdf_bytes(writer: PdfWriter, document: Document, path: Path) -> bytes:
    writer.write(document, path)
    return path.read_bytes()


def workspaces(tmp_path: Path) -> list[Path]:
    """The repository's example with images, the governors example, and a synthetic campaign
    of twelve officials."""
    example = copy_example(tmp_path / "example")
    add_images(example)
    governors = tmp_path / "governors"
    subprocess.run(["cp", "-r", str(REPO / "examples" / "governors"), str(governors)], check=True)
    return [example, governors, make_workspace(tmp_path / "synthetic", 12)]


def test_every_example_letter_is_the_same_with_an_empty_and_a_full_memo(tmp_path: Path) -> None:
    assert memo_status().active, memo_status().reason
    compared = 0
    for root in workspaces(tmp_path):
        theme, found = documents(root)
        plain, memo = PdfWriter(theme, memo=False), PdfWriter(theme)
        assert plain.memo is None and memo.memo is not None
        cold = {name: pdf_bytes(memo, document, tmp_path / "memo.pdf") for name, document in found}
        hits_before = memo.memo.hits
        for name, document in found:
            expected = pdf_bytes(plain, document, tmp_path / "plain.pdf")
            assert cold[name] == expected, f"{name}: the memo, filling, changed the PDF"
            warm = pdf_bytes(memo, document, tmp_path / "memo.pdf")
            assert warm == expected, f"{name}: the memo, full, changed the PDF"
            compared += 1
        # The second round drew from the memo: it was in use, not bypassed.
        assert memo.memo.hits - hits_before > 50 * len(found)
    assert compared == 56


def build_pdfs(workspace: Path, *arguments: str, env: dict[str, str]) -> dict[str, bytes]:
    """Build ``workspace`` with the installed ``letterforge``; every PDF, by path."""
    letterforge = str(Path(sys.executable).parent / "letterforge")
    result = subprocess.run(
        [letterforge, "-C", str(workspace), "build", "-q", *arguments],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    build = workspace / "build"
    return {str(path.relative_to(build)): path.read_bytes() for path in build.rglob("*.pdf")}


def test_two_workers_with_the_memo_write_what_one_process_without_it_writes(
    tmp_path: Path,
) -> None:
    with_memo = make_workspace(tmp_path / "with", 12)
    without = make_workspace(tmp_path / "without", 12)
    expected = build_pdfs(without, "--jobs", "1", env={SWITCH: "off"})
    written = build_pdfs(with_memo, "--jobs", "2", env={})
    assert len(expected) == 24
    assert written == expected


UNVERIFIED = """
import sys
import weasyprint

weasyprint.__version__ = "71.0"  # as if a newer WeasyPrint were installed
from letterforge.cli import main

sys.argv = ["letterforge", *sys.argv[1:]]
main()
"""


def test_an_unverified_weasyprint_writes_the_same_files_without_the_memo(tmp_path: Path) -> None:
    example = copy_example(tmp_path / "example")
    expected = build_pdfs(copy_example(tmp_path / "expected"), "--jobs", "1", env={SWITCH: "off"})

    def unverified(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", UNVERIFIED, "-C", str(example), *arguments]
        return subprocess.run(command, capture_output=True, text=True, check=True)

    unverified("build", "-q", "--jobs", "1")
    build = example / "build"
    written = {str(path.relative_to(build)): path.read_bytes() for path in build.rglob("*.pdf")}
    assert written == expected
    assert "PDF line memo: off (WeasyPrint 71.0 is not a version it was verified on (70.0))" in (
        unverified("doctor").stdout.splitlines()
    )


def test_doctor_says_whether_the_memo_is_on(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "PDF line memo: on (verified on WeasyPrint 70.0)" in run(example, "doctor").stdout
    monkeypatch.setenv(SWITCH, "off")
    lines = run(example, "doctor").stdout.splitlines()
    assert "PDF line memo: off (switched off by LETTERFORGE_PDF_MEMO=off)" in lines


class ReadStyle(dict[str, Any]):
    """A text box's computed style that notes which properties are read."""

    def __init__(self, style: Any) -> None:
        super().__init__()
        self.style = style
        self.font_config = style.font_config
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return self.style[name]


# Text that takes WeasyPrint's line breaking down each of its paths: hyphenation (automatic
# and soft), long words broken anywhere, tabs, spacing, decoration, justification, a width
# too narrow for a word.
STYLES = """
p { width: 140pt; font-family: Caladea; font-size: 11pt }
.hyphens { hyphens: auto; text-align: justify }
.anywhere { overflow-wrap: anywhere; word-break: break-all }
.spacing { letter-spacing: 1pt; word-spacing: 3pt; text-decoration: underline }
.pre { white-space: pre-wrap; tab-size: 4 }
.narrow { width: 8pt; font-variant: small-caps; font-feature-settings: "liga" 0 }
"""
PARAGRAPHS = [
    ("hyphens", "Representatives of the telecommunications infrastructure industry met."),
    ("hyphens", "Extra\xadordinary circum\xadstances require coordinated responses."),
    ("anywhere", "Supercalifragilisticexpialidociousnessandmore words after it"),
    ("spacing", "Essential services keep running across every state of the country."),
    ("pre", "Column\tafter a tab\n  and a preserved line"),
    ("narrow", "Thoroughly words"),
]


def test_the_memo_keys_lines_on_every_style_property_line_breaking_reads() -> None:
    """If WeasyPrint read a property the memo's key leaves out, two lines alike but for it
    would share one memo entry: the key must hold every property read."""
    import weasyprint
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.text.line_break import split_first_line

    html = "".join(f'<p class="{kind}" lang="en">{text}</p>' for kind, text in PARAGRAPHS)
    document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=STYLES)])
    boxes = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, TextBox)
    ]
    assert len(boxes) > 10

    class Context:  # what line breaking uses of a layout context: its hyphenation dictionaries
        def __init__(self) -> None:
            self.dictionaries: dict[Any, Any] = {}

    read: set[str] = set()
    for box in boxes:
        for width in (140.0, 8.0, 0.0):
            for is_line_start, minimum in ((True, False), (False, True)):
                style = ReadStyle(box.style)
                layout, *_ = split_first_line(
                    box.text, style, Context(), width, 0.5, is_line_start, minimum
                )
                layout.reactivate(style)  # the drawing's layout reads the same properties
                read |= style.read
    assert read - {"font_size"}  # the style was read at all
    assert read <= set(LINE_PROPERTIES), sorted(read - set(LINE_PROPERTIES))


def test_the_memo_keeps_lines_in_use_and_lets_the_others_go() -> None:
    from letterforge.writers.pdf_memo import _Generations

    memo = _Generations(size=2)
    memo.put("shared", 1)
    memo.put("recipient 1", 2)
    memo.put("recipient 2", 3)  # the young generation is full: it becomes the old one
    assert memo.get("shared") == 1  # used again: kept young
    memo.put("recipient 3", 4)
    memo.put("recipient 4", 5)  # another turnover: what was not used since is gone
    assert memo.get("recipient 1") is None
    assert memo.get("shared") == 1
    assert len(memo) <= 4


# Text the memo must leave to WeasyPrint or reproduce exactly: a link (underlined: its
# decoration is drawn from the layout's metrics), emphasis, a word longer than a line (broken
# anywhere), a character no font of the theme has (drawn by WeasyPrint as a .notdef glyph, with
# a warning), and the same paragraph at two widths (in a list, then not).
FEATURES = (
    "See [the published guidance](https://example.org/guidance) and **the annex**, *in full*.\n\n"
    "Reference: Supercalifragilisticexpialidociousnessandanotherwordwithoutend.\n\n"
    "A sign no font here has: \ue000.\n\n"
    "- Essential services keep running across every state of the country.\n\n"
    "Essential services keep running across every state of the country.\n"
)


def test_lines_the_memo_does_not_model_come_out_the_same(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import make_workspace as make_small_workspace

    root = make_small_workspace(
        tmp_path / "workspace", {"templates/note/letter.en.md.j2": FEATURES}
    )
    theme, ((_, document),) = documents(root)
    plain, memo = PdfWriter(theme, memo=False), PdfWriter(theme)
    expected = pdf_bytes(plain, document, tmp_path / "plain.pdf")
    caplog.clear()
    assert pdf_bytes(memo, document, tmp_path / "cold.pdf") == expected
    assert pdf_bytes(memo, document, tmp_path / "warm.pdf") == expected
    assert memo.memo is not None and memo.memo.hits > 20
    # The line with the missing glyph is drawn by WeasyPrint each time, and warned about once
    # a time, as without the memo.
    warnings = [record for record in caplog.records if ".notdef glyph" in record.getMessage()]
    assert len(warnings) == 2


# Small documents that take the memo's drawing down its other paths: a line hidden once and
# shown once, the same font at two sizes (its glyph widths round apart), superscripts and
# combining accents (text rise and offsets), justified lines, spacing with decorations, tabs.
PAGES = {
    "shown": '<p style="font: 11pt serif">Hello world, the same words</p>',
    "hidden": (
        '<p style="font: 11pt serif; visibility: hidden">Hello world, the same words</p>'
        '<p style="font: 11pt monospace">x</p>'
    ),
    "sizes": (
        '<p style="font: 11pt Caladea">Essential services everywhere</p>'
        '<p style="font: 11.5pt Caladea">Essential services everywhere</p>'
        '<p style="font: 7.7pt Caladea">Essential services everywhere</p>'
    ),
    "marks": (
        '<p style="font: 11pt Caladea">The 1<sup>st</sup> and 2<sup>nd</sup> of the month; '
        "a\u0301 e\u0300 o\u0302 n\u0303 with accents</p>"
    ),
    "justified": (
        '<p style="width: 120pt; text-align: justify; font: 11pt Caladea">'
        "Industry representatives ask for uniform guidance on essential services in every state "
        "of the federation, so that suppliers keep operating.</p>"
    ),
    "decorated": (
        '<p style="font: 11pt Caladea; letter-spacing: 1pt; word-spacing: 2pt; '
        'text-decoration: underline line-through">Spaced, underlined and struck</p>'
        '<p style="font: bold italic 11pt Caladea">Bold and italic</p>'
    ),
    "tabs": '<pre style="font: 11pt monospace; tab-size: 6">a\tb\tc\n\td</pre>',
}


def test_the_memo_draws_what_weasyprint_draws_in_any_order(tmp_path: Path) -> None:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from letterforge.writers import pdf_memo

    def write(page: str, font_config: Any) -> bytes:
        document = weasyprint.HTML(string=page).render(font_config=font_config)
        return document.write_pdf()  # type: ignore[no-any-return]

    plain = FontConfiguration()
    expected = {name: write(page, plain) for name, page in PAGES.items()}
    names = list(PAGES)
    for order in (names, names[::-1], names[1::2] + names[::2]):
        font_config = FontConfiguration()
        memo = pdf_memo.enable(font_config)
        assert memo is not None
        for name in order + order:  # each page with an empty and a filled memo
            assert write(PAGES[name], font_config) == expected[name], f"{name}, in {order}"
        assert memo.hits > 20


LIBRARIES_WITHOUT_THE_QUICK_WAY = """
import cffi
import ctypes.util

dlopen = cffi.FFI.dlopen


def quick_way_fails(self, name, flags=0):
    if ctypes.util.find_library.__name__ == "_not_looked_up":  # the first, quick try
        raise OSError(f"cannot load {name}")
    return dlopen(self, name, flags)


cffi.FFI.dlopen = quick_way_fails
from letterforge.writers.libraries import load_weasyprint

weasyprint = load_weasyprint()
print(weasyprint.urls.FatalURLFetchingError.__name__, weasyprint.text.ffi.pango is not None)
"""


def test_weasyprint_is_imported_whole_when_the_quick_way_fails() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LIBRARIES_WITHOUT_THE_QUICK_WAY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "FatalURLFetchingError True\n"
