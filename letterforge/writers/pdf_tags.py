"""The structure tree of a PDF, finished for screen readers before WeasyPrint writes the file.

WeasyPrint tags what it draws from the HTML elements (``article`` → Art, ``p`` → P, ``h1`` → H1,
``ul``/``li`` → L/LI), but it builds the tree page by page and stops there (WeasyPrint 70,
``weasyprint/pdf/tags.py``):

- every page has its own copy of each element with a box on it, so a letter of two pages is
  two Art, and a paragraph that goes on to the next page two P;
- no element carries a language, so a bundle's letters would all be read in the first one's;
- the text of margin boxes (the running head) is marked as content with a number, but its
  elements hang outside the tree: content that is neither structure nor artifact;
- a line break is an element with nothing in it.

:class:`StructureTree`, WeasyPrint's *finisher*, is called with the PDF's objects just before
they are written. It joins each letter's pages into one Art with the letter's ``/Lang``, joins
the parts of an element that goes on from one page to the next, drops the empty elements, and
marks the margin boxes' text as pagination artifacts. It changes no drawing operator, so the
pages look the same.

To know which parts belong to one element, the HTML writer gives every block an id
(:class:`letterforge.writers.html.BlockIds`): WeasyPrint lists the ids of the boxes on each page
(``Page.anchors``) in the order it tags them, so the block elements of a page's tree, in that
order, are those ids. On a page where the two counts differ, nothing is joined but the letter's
Art.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pydyf

# The elements WeasyPrint makes of our block elements, each for an element with an id; an LI
# wraps the LBody of an unbulleted li and has the same id.
IDENTIFIED = frozenset({"/Div", "/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/L", "/LBody"})


class StructureTree:
    """A WeasyPrint finisher for a document whose letters are ``letters``: each its language
    and how many pages it has, in order."""

    def __init__(self, letters: Sequence[tuple[str, int]]) -> None:
        self.letters = letters

    def __call__(self, document: Any, pdf: Any) -> None:
        if "StructTreeRoot" not in pdf.catalog:
            return
        tree = _Tree(pdf)
        anchors = [list(page.anchors) for page in document.pages]
        tree.name_blocks(anchors)
        tree.join_letters(self.letters)
        tree.drop_empty(tree.document)
        tree.mark_artifacts()
        tree.drop_unreachable()
        _drop_destinations(pdf)


class _Tree:
    """The structure tree in a pydyf PDF, whose objects refer to each other by ``b"12 0 R"``."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.root = self.get(pdf.catalog["StructTreeRoot"])
        self.document = self.get(self.root["K"][0])
        self.pages = {reference: index for index, reference in enumerate(pdf.page_references)}
        self.ids: dict[int, str] = {}  # element object number → the id of its HTML element

    def get(self, reference: bytes) -> Any:
        return self.pdf.objects[int(reference.split()[0])]

    def elements(self, element: Any) -> Iterator[Any]:
        """The structure elements among the kids of ``element``."""
        for kid in element["K"]:
            if isinstance(kid, bytes):
                child = self.get(kid)
                if child.get("Type") == "/StructElem":
                    yield child

    def blocks(self, element: Any) -> Iterator[Any]:
        """The identified elements in ``element``'s subtree, in the order WeasyPrint made them."""
        for child in self.elements(element):
            if child["S"] in IDENTIFIED:
                yield child
            yield from self.blocks(child)

    def name_blocks(self, anchors: list[list[str]]) -> None:
        """Give each identified element the id of its HTML element, page by page."""
        on_page: list[list[Any]] = [[] for _ in anchors]
        for top in self.elements(self.document):
            on_page[self.pages[top["Pg"]]] += self.blocks(top)
        for blocks, ids in zip(on_page, anchors, strict=True):
            if len(blocks) == len(ids):
                self.ids.update(
                    (block.number, name) for block, name in zip(blocks, ids, strict=True)
                )

    def identity(self, element: Any) -> str | None:
        if element["S"] == "/LI":
            return next((self.identity(kid) for kid in self.elements(element)), None)
        return self.ids.get(element.number)

    def join_letters(self, letters: Sequence[tuple[str, int]]) -> None:
        """One Art per letter, with its language: the parts on a letter's pages joined."""
        tops = [(self.pages[top["Pg"]], top) for top in self.elements(self.document)]
        joined = pydyf.Array()
        start = 0
        for lang, count in letters:
            parts = [top for page, top in tops if start <= page < start + count]
            start += count
            if not parts:
                continue
            letter, *rest = parts
            for part in rest:
                self.join(letter, part)
            letter["Lang"] = pydyf.String(lang)
            joined.append(letter.reference)
        self.document["K"] = joined

    def join(self, first: Any, second: Any) -> None:
        """Move the kids of ``second``, the part of an element on the next page, to ``first``;
        when the last kid of one and the first of the other are parts of one element too, join
        them."""
        kids = list(second["K"])
        if kids and first["K"] and self.same_element(first["K"][-1], kids[0]):
            self.join(self.get(first["K"][-1]), self.get(kids.pop(0)))
        for kid in kids:
            child = self.get(kid) if isinstance(kid, bytes) else None
            if child is not None and child.get("Type") == "/StructElem":
                child["P"] = first.reference
        first["K"].extend(kids)
        second.clear()

    def same_element(self, last: Any, following: Any) -> bool:
        """Whether two kids are parts of one HTML element, which ``join`` can join: elements
        without marked content of their own, whose numbers belong to their page."""
        if not (isinstance(last, bytes) and isinstance(following, bytes)):
            return False
        parts = self.get(last), self.get(following)
        if any(part.get("Type") != "/StructElem" for part in parts):
            return False
        if any(isinstance(kid, int) for part in parts for kid in part["K"]):
            return False
        name = self.identity(parts[0])
        return name is not None and name == self.identity(parts[1])

    def drop_empty(self, element: Any) -> bool:
        """Drop the elements without content under ``element``; whether it has any left."""
        kept = pydyf.Array()
        for kid in element["K"]:
            child = self.get(kid) if isinstance(kid, bytes) else None
            if child is None or child.get("Type") != "/StructElem" or self.drop_empty(child):
                kept.append(kid)
            else:
                child.clear()
        element["K"] = kept
        return bool(kept)

    def marked_content(self) -> dict[int, dict[int, bytes]]:
        """Page index → the number of each marked content in the tree → its element."""
        found: dict[int, dict[int, bytes]] = {index: {} for index in self.pages.values()}

        def walk(element: Any) -> None:
            for kid in element["K"]:
                if isinstance(kid, int):
                    found[self.pages[element["Pg"]]][kid] = element.reference
            for child in self.elements(element):
                walk(child)

        walk(self.document)
        return found

    def mark_artifacts(self) -> None:
        """Make the marked content outside the tree (margin boxes') pagination artifacts, number
        the rest from 0 on each page, and map the numbers to their elements again."""
        in_tree = self.marked_content()
        numbers: dict[int, dict[int, int]] = {}
        for reference, page in self.pages.items():
            numbers[page] = {old: new for new, old in enumerate(sorted(in_tree[page]))}
            stream = self.get(self.get(reference)["Contents"]).stream
            # pydyf keeps a marked content's start as three items: /Tag, {MCID: n}, BDC.
            for index, item in enumerate(stream):
                if not (isinstance(item, pydyf.Dictionary) and "MCID" in item):
                    continue
                if item["MCID"] in numbers[page]:
                    item["MCID"] = numbers[page][item["MCID"]]
                else:
                    stream[index - 1] = "/Artifact"
                    item.clear()
                    item["Type"] = "/Pagination"
        for letter in self.elements(self.document):
            self.renumber(letter, numbers)
        nums = self.get(self.root["ParentTree"])["Nums"]
        for position in range(0, len(nums), 2):
            page = nums[position]
            if page in in_tree:  # the other keys are links' annotations
                parents = in_tree[page]
                nums[position + 1] = pydyf.Array(parents[old] for old in sorted(parents))

    def renumber(self, element: Any, numbers: dict[int, dict[int, int]]) -> None:
        page = numbers[self.pages[element["Pg"]]]
        element["K"] = pydyf.Array(
            page[kid] if isinstance(kid, int) else kid for kid in element["K"]
        )
        for child in self.elements(element):
            self.renumber(child, numbers)

    def drop_unreachable(self) -> None:
        """Empty the elements left outside the tree (the parts joined to others, the margin
        boxes'), so that the file holds no structure element the tree does not reach."""
        reached = {self.document.number}
        stack = [self.document]
        while stack:
            for child in self.elements(stack.pop()):
                reached.add(child.number)
                stack.append(child)
        for item in self.pdf.objects:
            is_element = isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem"
            if is_element and item.number not in reached:
                item.clear()


def _drop_destinations(pdf: Any) -> None:
    """Remove the named destinations WeasyPrint makes of the blocks' ids: nothing links to
    them."""
    names = pdf.catalog.get("Names")
    if names is not None:
        names.pop("Dests", None)
        if not names:
            del pdf.catalog["Names"]
