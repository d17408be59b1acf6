"""Nothing splits badly: a joint letter's closing and signatures share a page, however long
the body runs, in the PDF and in the DOCX as LibreOffice (standing in for Word) lays it out.

In the DOCX the signatures are one table row that cannot split, and the closing keeps with
it; a chain of keep-with-next paragraphs, which came before, broke in LibreOffice at one
body length of this sweep."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import libreoffice_pdfs, make_workspace, needs_libreoffice, pdf_pages, run

# Bodies of 13 to 20 one-line paragraphs bring the closing to the foot of the first page.
LENGTHS = range(13, 21)
SIGNATORIES = ("Signer A", "Signer B", "Signer C")


def joint_letters(root: Path) -> dict[int, Path]:
    people = ["people:"]
    for length in LENGTHS:
        people += [f"  - id: r{length}", f"    name: {{given: Reader, family: N{length}}}"]
        people += ["    honorific: Ms."]
    for signer in "ABC":
        people += [f"  - id: s{signer.lower()}", f"    name: {{given: Signer, family: {signer}}}"]
        people += ["    title: Director General", "    organization: An Association"]
    to = ", ".join(f"r{length}" for length in LENGTHS)
    workspace = make_workspace(
        root,
        {
            "recipients/people.yaml": "\n".join(people) + "\n",
            "templates/note/letter.en.md.j2": (
                "{% for i in range(recipient.family[1:] | int) %}Paragraph {{ i }}.\n\n{% endfor %}"
            ),
            "campaigns/note.yaml": (
                f"title: T\ndate: 2024-05-02\ntemplate: note\nto: [{to}]\nfrom: [sa, sb, sc]\n"
            ),
        },
    )
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return {length: workspace / "build/note/en" / f"r{length}.pdf" for length in LENGTHS}


def assert_signed_on_one_page(pdfs: dict[int, Path]) -> None:
    spread = {
        length: pages_of(pdf_pages(pdf), "Sincerely,", *SIGNATORIES) for length, pdf in pdfs.items()
    }
    assert all(len(pages) == 1 for pages in spread.values()), spread
    # The sweep does cross the page: short bodies sign on page 1, long ones on page 2.
    assert {min(pages) for pages in spread.values()} == {0, 1}


def pages_of(pages: list[str], *texts: str) -> set[int]:
    return {index for index, page in enumerate(pages) for text in texts if text in page}


def test_the_closing_and_every_signature_share_a_page_in_the_pdf(tmp_path: Path) -> None:
    assert_signed_on_one_page(joint_letters(tmp_path))


@needs_libreoffice
def test_the_closing_and_every_signature_share_a_page_in_word(tmp_path: Path) -> None:
    documents = {
        length: pdf.with_suffix(".docx") for length, pdf in joint_letters(tmp_path).items()
    }
    work = tmp_path / "libreoffice"
    work.mkdir()
    laid_out = libreoffice_pdfs(list(documents.values()), work)
    assert_signed_on_one_page({length: laid_out[docx] for length, docx in documents.items()})
