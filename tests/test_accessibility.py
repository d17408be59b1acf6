"""What a screen reader follows in the PDFs (PDF/UA-1), read back from the files.

veraPDF is not available here, and the pdfua package on PyPI checks few of PDF/UA's rules, so
these tests read each example PDF's structure tree with pikepdf, and the text of each marked
content with pypdf, and check what a screen reader depends on: each letter of a bundle is one
Art in its own language; the running head is a pagination artifact and everything else is in the
tree; the tree reads as the DOCX's paragraphs, one P per paragraph even across a page break, the
subject an H1, the copy list and enclosures lists (L, LI); and no element is empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RUNNING_HEAD, docx_paragraphs, flat, make_workspace, replace_in, run
from tests.test_governors_example import copy_governors

# Every example PDF, as campaign/folder/person.
EXAMPLE_PDFS = [
    "essential-services-2020/en/romo",
    "essential-services-2020/es-MX/romo",
    "essential-services-2020/bundle/romo",
    "usmca-review-2025/en-US/greer",
    "usmca-review-2025/es-MX/ebrard",
    "usmca-review-2025/fr-CA/sidhu",
    "usmca-review-2025/en-CA/sidhu",
    "usmca-review-2025/bundle/sidhu",
    *(
        f"state-guidance-2020/{lang}/{person}"
        for lang in ("es", "en")
        for person in ("alfaro", "corral", "pavlovich", "vila")
    ),
    "state-guidance-2020/bundle/corral",
    "state-guidance-2020/bundle/pavlovich",
]
# The languages of each bundle's letters, in order.
BUNDLES = {
    "essential-services-2020/romo": ["en", "es-MX"],
    "usmca-review-2025/sidhu": ["fr-CA", "en-CA"],
    "state-guidance-2020/corral": ["es", "en"],
    "state-guidance-2020/pavlovich": ["es", "en"],
}


@dataclass
class Element:
    """A structure element: its type (P, H1, L ...), its /Lang, the elements in it, and its own
    marked content, as (page index, MCID)."""

    kind: str
    lang: str | None
    kids: list[Element] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            yield from kid.walk()

    @property
    def marked(self) -> list[tuple[int, int]]:
        """All the marked content in this element and those in it, in reading order."""
        return [item for element in self.walk() for item in element.content]

    @property
    def pages(self) -> set[int]:
        return {page for page, _ in self.marked}


def structure_tree(path: Path) -> Element:
    """The Document element of a tagged PDF, read from its StructTreeRoot."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}

        def read(node: Any) -> Element:
            lang = str(node["/Lang"]) if "/Lang" in node else None
            element = Element(str(node["/S"]).lstrip("/"), lang)
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, int):
                    element.content.append((pages[node["/Pg"].objgen], kid))
                elif kid.get("/Type") == "/MCR":
                    element.content.append((pages[kid["/Pg"].objgen], int(kid["/MCID"])))
                elif kid.get("/Type", "/StructElem") == "/StructElem":  # not a link's OBJR
                    element.kids.append(read(kid))
            return element

        root = pdf.Root["/StructTreeRoot"]["/K"]
        return read(root[0] if isinstance(root, pikepdf.Array) else root)


@dataclass
class PageContent:
    """What a page draws as marked content, read with pypdf from its BDC ... EMC: the text of
    each MCID (a figure's is empty), and the text of its artifacts, by their /Type."""

    texts: dict[int, str] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    open_marks: list[tuple[str, Any]] = field(default_factory=list)

    def operator(self, operator: bytes, operands: list[Any], *_: Any) -> None:
        if operator == b"BDC":
            properties = operands[1]
            if "/MCID" in properties:
                self.open_marks.append(("MCID", int(properties["/MCID"])))
                self.texts.setdefault(int(properties["/MCID"]), "")
            else:
                self.open_marks.append((str(operands[0]), str(properties.get("/Type"))))
        elif operator == b"BMC":
            self.open_marks.append((str(operands[0]), None))
        elif operator == b"EMC":
            self.open_marks.pop()

    def text(self, found: str, *_: Any) -> None:
        if not found.strip():
            return
        assert self.open_marks, f"text outside marked content: {found!r}"
        kind, key = self.open_marks[-1]
        if kind == "MCID":
            self.texts[key] += found
        else:
            assert kind == "/Artifact", f"{found!r} is marked {kind}"
            self.artifacts[key] = self.artifacts.get(key, "") + found


def page_contents(path: Path) -> list[PageContent]:
    """Each page's marked content."""
    from pypdf import PdfReader

    contents = []
    for page in PdfReader(path).pages:
        content = PageContent()
        page.extract_text(visitor_operand_before=content.operator, visitor_text=content.text)
        contents.append(content)
    return contents


def text_of(element: Element, contents: list[PageContent]) -> str:
    return flat(" ".join(contents[page].texts[mcid] for page, mcid in element.marked))


def squeezed(blocks: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Blocks compared without their white space, which the PDF does not draw (a tab after a
    list item's marker, the line break between lines, the place of a raised 1er), with a
    non-breaking hyphen as a hyphen (python-docx reads Word's as one), and with every heading
    below the subject as an H."""

    def text(value: object) -> object:
        if isinstance(value, list):
            return [text(item) for item in value]
        return "".join(str(value).replace("\u2011", "-").split())

    return [("H" if re.fullmatch("H[2-6]", kind) else kind, text(value)) for kind, value in blocks]


def reading(element: Element, contents: list[PageContent]) -> list[tuple[str, object]]:
    """The blocks of ``element`` as a screen reader meets them: ("P", text), ("H1", text),
    ("L", [item, ...]); groups (Div) are read through."""
    blocks: list[tuple[str, object]] = []
    for kid in element.kids:
        if kid.kind == "Div":
            blocks += reading(kid, contents)
        elif kid.kind == "L":
            assert all(item.kind == "LI" for item in kid.kids)
            assert all([body.kind for body in item.kids] == ["LBody"] for item in kid.kids)
            blocks.append(("L", [text_of(item, contents) for item in kid.kids]))
        else:
            blocks.append((kid.kind, text_of(kid, contents)))
    return blocks


def docx_reading(path: Path) -> list[tuple[str, object]]:
    """The blocks the PDF's tree must have, from the DOCX's paragraphs: each a P, the subject
    an H1, a heading an H (of some level), and a copy list or enclosures a P (its label) and
    an L of its other lines."""
    blocks: list[tuple[str, object]] = []
    for style, text in docx_paragraphs(path):
        if style == "Letter Subject":
            blocks.append(("H1", flat(text)))
        elif style == "Letter Heading":  # its level is the PDF's alone
            blocks.append(("H", flat(text)))
        elif style in {"Letter Cc", "Letter Enclosures"}:
            label, *items = text.split("\n")
            blocks += [("P", flat(label)), ("L", [flat(item) for item in items])]
        else:
            blocks.append(("P", flat(text)))
    return blocks


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


@pytest.fixture(scope="module")
def builds(built_example: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each example campaign's build folder: the example workspace's and examples/governors'."""
    governors = copy_governors(tmp_path_factory.mktemp("accessibility") / "governors")
    result = run(governors, "build")
    assert result.exit_code == 0, result.output
    return {
        "essential-services-2020": built_example / "build",
        "usmca-review-2025": built_example / "build",
        "state-guidance-2020": governors / "build",
    }


def output(builds: dict[str, Path], name: str, suffix: str = ".pdf") -> Path:
    return builds[name.split("/")[0]] / f"{name}{suffix}"


def languages_of(name: str) -> list[str]:
    campaign, folder, person = name.split("/")
    return BUNDLES[f"{campaign}/{person}"] if folder == "bundle" else [folder]


def letter_starts(builds: dict[str, Path], name: str) -> list[int]:
    """The index of each letter's first page, and after the last, the number of pages: the
    page counts of the letters built on their own."""
    campaign, _, person = name.split("/")
    counts = [
        page_count(output(builds, f"{campaign}/{lang}/{person}")) for lang in languages_of(name)
    ]
    return [0, *accumulate(counts)]


@pytest.mark.parametrize("name", EXAMPLE_PDFS)
def test_each_letter_is_one_article_in_its_own_language(builds: dict[str, Path], name: str) -> None:
    document = structure_tree(output(builds, name))
    languages = languages_of(name)
    assert document.kind == "Document"
    assert [(kid.kind, kid.lang) for kid in document.kids] == [("Art", lang) for lang in languages]
    # Each Art holds all of its letter's pages, and only those.
    starts = letter_starts(builds, name)
    assert [kid.pages for kid in document.kids] == [
        set(range(start, end)) for start, end in pairwise(starts)
    ]


@pytest.mark.parametrize("name", EXAMPLE_PDFS)
def test_running_heads_are_pagination_artifacts_and_the_rest_is_in_the_tree(
    builds: dict[str, Path], name: str
) -> None:
    path = output(builds, name)
    contents = page_contents(path)
    drawn = {(page, mcid) for page, content in enumerate(contents) for mcid in content.texts}
    assert sorted(drawn) == sorted(structure_tree(path).marked)  # each once, none outside
    starts = letter_starts(builds, name)
    for start, end in pairwise(starts):
        assert contents[start].artifacts == {}  # a letter's first page has no running head
        for page in range(start + 1, end):
            head = contents[page].artifacts
            assert list(head) == ["/Pagination"], f"page {page + 1}: {head}"
            assert RUNNING_HEAD.fullmatch(head["/Pagination"].strip())
            assert head["/Pagination"].strip().endswith(f" {page - start + 1}")


@pytest.mark.parametrize("name", EXAMPLE_PDFS)
def test_the_tree_reads_as_the_docx_paragraphs(builds: dict[str, Path], name: str) -> None:
    path = output(builds, name)
    contents = page_contents(path)
    read = [block for letter in structure_tree(path).kids for block in reading(letter, contents)]
    assert squeezed(read) == squeezed(docx_reading(output(builds, name, ".docx")))


@pytest.mark.parametrize("name", EXAMPLE_PDFS)
def test_no_structure_element_is_empty(builds: dict[str, Path], name: str) -> None:
    for element in structure_tree(output(builds, name)).walk():
        assert element.kids or element.content, f"an empty {element.kind}"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_paragraph_across_a_page_break_is_one_p(builds: dict[str, Path], lang: str) -> None:
    folder = "es-MX" if lang == "es" else lang  # the Spanish letter is in Mexico's Spanish
    name = f"essential-services-2020/{folder}/romo"
    path = output(builds, name)
    contents = page_contents(path)
    across = [
        element
        for element in structure_tree(path).walk()
        if element.kind == "P" and len(element.pages) > 1
    ]
    assert [element.pages for element in across] == [{0, 1}]
    first = {"en": "The people covered by this guidance", "es": "Las personas que abarcan"}[lang]
    assert text_of(across[0], contents).startswith(first)
    docx = squeezed(docx_reading(output(builds, name, ".docx")))
    assert squeezed([("P", text_of(across[0], contents))])[0] in docx


def test_subject_is_a_heading_and_copies_and_enclosures_are_lists(
    builds: dict[str, Path],
) -> None:
    path = output(builds, "usmca-review-2025/en-US/greer")
    blocks = reading(structure_tree(path).kids[0], page_contents(path))
    assert ("H1", "Re: The 2026 joint review of the USMCA") in blocks
    assert blocks[-2:] == [
        ("P", "Enclosure:"),
        ("L", ["Joint statement of AMITI, ITI and TECHNATION on the USMCA joint review"]),
    ]
    path = output(builds, "essential-services-2020/es-MX/romo")
    blocks = reading(structure_tree(path).kids[0], page_contents(path))
    assert blocks[-2] == ("P", "C.c.p.")
    label, people = blocks[-1]
    assert label == "L" and isinstance(people, list) and len(people) == 7
    assert people[0] == "Dr. Jorge Alcocer Varela, Secretario de Salud"  # Spanish: the honorific


def test_a_copy_list_longer_than_a_page_is_one_list(tmp_path: Path) -> None:
    people = "".join(
        f"  - id: p{n}\n    name: {{given: Person, family: Number {n}}}\n"
        f"    title: Deputy Director of the Office number {n}\n"
        for n in range(70)
    )
    paragraphs = [
        f"Paragraph {n}. " + "We write about a matter of concern. " * 12 for n in range(6)
    ]
    workspace = make_workspace(
        tmp_path,
        {
            "recipients/copies.yaml": "people:\n" + people,
            "templates/note/letter.en.md.j2": "\n\n".join(
                [*paragraphs[:3], "## What we ask", "- one thing\n- another", *paragraphs[3:]]
            ),
        },
    )
    copies = ", ".join(f"p{n}" for n in range(70))
    replace_in(workspace / "campaigns/note.yaml", "from: [sam]", f"from: [sam]\ncc: [{copies}]")
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    path = workspace / "build/note/en/ana.pdf"
    tree = structure_tree(path)
    contents = page_contents(path)
    lists = [element for element in tree.walk() if element.kind == "L"]
    assert len(lists) == 1 and len(lists[0].kids) == 70
    assert len(lists[0].pages) == 2  # the list goes on to the next page, still one L
    assert ("H2", "What we ask") in reading(tree.kids[0], contents)
    read = [block for letter in tree.kids for block in reading(letter, contents)]
    assert squeezed(read) == squeezed(docx_reading(path.with_suffix(".docx")))


def test_archival_pdfs_have_the_same_tree(example: Path) -> None:
    replace_in(example / "letterforge.yaml", "page_size: letter", "pdf_standard: pdf/a-3b")
    result = run(example, "build", "essential-services-2020", "--only", "romo", "--format", "pdf")
    assert result.exit_code == 0, result.output
    path = example / "build/essential-services-2020/bundle/romo.pdf"
    tree = structure_tree(path)
    assert [(kid.kind, kid.lang) for kid in tree.kids] == [("Art", "en"), ("Art", "es-MX")]
    contents = page_contents(path)
    assert [list(content.artifacts) for content in contents] == [[], ["/Pagination"]] * 2


class _Blocks(HTMLParser):
    """The elements of an HTML page that are blocks or have an id, each as (tag, id or None)."""

    # The elements that become the structure elements pdf_tags names by their ids.
    BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "ul", "li"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = dict(attrs).get("id")
        if "running-head" in (dict(attrs).get("class") or "").split():
            return  # shown in the top margin, a pagination artifact: not a block of the flow
        if tag in self.BLOCKS or name is not None:
            self.found.append((tag, name))


@pytest.mark.parametrize(
    ("campaign", "person"),
    [("usmca-review-2025", "greer"), ("essential-services-2020", "romo")],
)
def test_every_block_of_a_letter_has_its_own_id(example: Path, campaign: str, person: str) -> None:
    """The PDF writer finds which parts of the tree belong to one block, on two pages, by the
    blocks' ids: a block written without one would leave its page's parts apart."""
    result = run(example, "preview", campaign, "--to", person, "--html")
    assert result.exit_code == 0, result.output
    parser = _Blocks()
    parser.feed((example / result.stdout.strip()).read_text(encoding="utf-8"))
    ids = [name for _, name in parser.found]
    assert parser.found and None not in ids, parser.found  # every block has one
    assert {tag for tag, _ in parser.found} <= _Blocks.BLOCKS  # and nothing else
    assert len(set(ids)) == len(ids)
