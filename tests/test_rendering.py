"""Templates to letters on small workspaces: Markdown, escaping, layouts and variables.

Each test builds through the CLI and reads the real DOCX and PDF back.
"""

from __future__ import annotations

from pathlib import Path

import docx

from tests.conftest import MINIMAL, docx_paragraphs, flat, make_workspace, pdf_pages, run


def build(root: Path, files: dict[str, str]) -> Path:
    workspace = make_workspace(root, files)
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return workspace / "build" / "note" / "en"


def test_markdown_prose_keeps_emphasis_links_lists_and_headings(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "templates/note/letter.en.md.j2": (
                "## Our three requests\n\n"
                "We ask **firmly** and *politely*; see [our page](https://example.org/x).\n\n"
                "- first point\n- second point\n\n"
                "1. one\n2. two\n\n"
                "> a quoted line\n"
            )
        },
    )
    paragraphs = docx_paragraphs(out / "ana.docx")
    body = [(style, text) for style, text in paragraphs if style not in STANDARD_PARTS]
    assert body == [
        ("Letter Heading", "Our three requests"),
        ("Letter Body", "We ask firmly and politely; see our page."),
        ("Letter List Item", "•\tfirst point"),
        ("Letter List Item", "•\tsecond point"),
        ("Letter List Item", "1.\tone"),
        ("Letter List Item", "2.\ttwo"),
        ("Letter Quote", "a quoted line"),
    ]
    word = docx.Document(str(out / "ana.docx"))
    sentence = next(p for p in word.paragraphs if p.text.startswith("We ask"))
    runs = {run.text: run for run in sentence.runs}
    assert runs["firmly"].bold and not runs["We ask "].bold
    assert runs["politely"].italic
    assert [link.address for link in sentence.hyperlinks] == ["https://example.org/x"]
    text = flat("\n".join(pdf_pages(out / "ana.pdf")))
    assert "Our three requests We ask firmly and politely; see our page." in text
    assert "• first point • second point 1. one 2. two a quoted line" in text


STANDARD_PARTS = {
    "Letter Letterhead",
    "Letter Date",
    "Letter Address",
    "Letter Salutation",
    "Letter Closing",
    "Letter Signature",
}


def test_names_with_markup_characters_appear_literally(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "recipients/people.yaml": (
                "people:\n"
                "  - id: ana\n"
                '    name: {given: "*Ana*", family: "<b>Ruiz & Co</b>"}\n'
                "    gender: f\n"
                "    honorific: Ms.\n"
                "  - id: sam\n"
                "    name: {given: Sam, family: '[Lee](http://evil.example)'}\n"
            ),
        },
    )
    pdf_text = flat("\n".join(pdf_pages(out / "ana.pdf")))
    docx_text = flat("\n".join(text for _, text in docx_paragraphs(out / "ana.docx")))
    for text in (pdf_text, docx_text):
        assert "*Ana* <b>Ruiz & Co</b>" in text
        assert "Dear Ms. <b>Ruiz & Co</b>:" in text
        assert "Sam [Lee](http://evil.example)" in text
    assert not docx.Document(str(out / "ana.docx")).paragraphs[-1].hyperlinks


def test_raw_html_in_a_template_is_shown_as_text_and_never_loaded(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {"templates/note/letter.en.md.j2": 'See <img src="file:///etc/passwd"> here.\n'},
    )
    text = flat("\n".join(pdf_pages(out / "ana.pdf")))
    assert "See <img src=“file:///etc/passwd”> here." in text  # as text, quotes set
    assert "root:" not in text


def test_campaign_variables_localized_typed_and_markdown(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "campaigns/note.yaml": (
                "title: Our request\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
                "vars:\n"
                "  greeting: {en: Warm regards from the team}\n"
                "  count: 70\n"
                "  deadline: 2024-06-30\n"
                "  zip: 06066\n"
                "  answer: no\n"
                "  emphasis: 'a **bold** claim'\n"
            ),
            "templates/note/letter.en.md.j2": (
                "{{ vars.greeting }}: {{ vars.count + 1 }} by {{ vars.deadline | date }}, "
                "zip {{ vars.zip }}, answer {{ vars.answer }}, {{ vars.emphasis | markdown }}, "
                "not {{ vars.emphasis }}.\n"
            ),
        },
    )
    paragraphs = dict((style, text) for style, text in docx_paragraphs(out / "ana.docx"))
    assert paragraphs["Letter Body"] == (
        "Warm regards from the team: 71 by June 30, 2024, zip 06066, answer no, "
        "a bold claim, not a **bold** claim."
    )


def test_workspace_layout_overrides_the_builtin_one(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "templates/_layouts/letter.md.j2": (
                "::: date\n{{ campaign.date | date }}\n:::\n\n{{ body }}\n\n"
                "::: signature\n{{ signatories[0].full_name }}\n:::\n"
            )
        },
    )
    assert docx_paragraphs(out / "ana.docx") == [
        ("Letter Date", "May 2, 2024"),
        ("Letter Body", "We write about Our request."),
        ("Letter Signature", "Sam Lee"),
    ]
    assert (
        flat("\n".join(pdf_pages(out / "ana.pdf")))
        == "May 2, 2024 We write about Our request. Sam Lee"
    )


def test_tag_queries_write_one_letter_per_person_in_roster_order(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "recipients/people.yaml": (
                "people:\n"
                + "".join(
                    f"  - id: {pid}\n    name: {{given: {pid.title()}, family: X}}\n"
                    f"    honorific: Mx.\n    tags: [{tags}]\n"
                    for pid, tags in [("ana", "gov, north"), ("bea", "gov"), ("sam", "staff")]
                )
            ),
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: {tags: [gov]}\nfrom: [sam]\n"
            ),
        },
    )
    result = run(workspace, "build", "-v", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["build/note/en/ana.docx", "build/note/en/bea.docx"]


def test_a_person_named_twice_in_to_gets_one_letter(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "recipients/people.yaml": (
                "people:\n"
                "  - id: ana\n    name: {given: Ana, family: Ruiz}\n    honorific: Ms.\n"
                "    tags: [gov]\n"
                "  - id: sam\n    name: {given: Sam, family: Lee}\n"
            ),
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\n"
                "to: [ana, {tags: [gov]}]\nfrom: [sam]\n"
            ),
        },
    )
    result = run(workspace, "build", "-v", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["build/note/en/ana.docx", "note: 1 file in build/note/"]


def test_subject_line_uses_the_language_label(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
                "subject: Essential services\n"
            ),
        },
    )
    paragraphs = docx_paragraphs(out / "ana.docx")
    assert ("Letter Subject", "Re: Essential services") in paragraphs
    word = docx.Document(str(out / "ana.docx"))
    subject = next(p for p in word.paragraphs if p.style.name == "Letter Subject")
    assert all(run.bold for run in subject.runs)


def test_values_are_printed_on_one_line_so_emphasis_around_them_holds(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
                "subject: >\n  Essential services\n  for ICT workers\n"
            ),
        },
    )
    paragraphs = docx_paragraphs(out / "ana.docx")
    assert ("Letter Subject", "Re: Essential services for ICT workers") in paragraphs
    assert "Re: Essential services for ICT workers" in flat("\n".join(pdf_pages(out / "ana.pdf")))


def test_vars_that_look_like_language_tags_but_are_data(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
                "vars:\n  counts: {us: 5, mx: 3}\n  members: {en: 70}\n"
            ),
            "templates/note/letter.en.md.j2": (
                "{{ vars.counts.us + vars.counts.mx }} offices, {{ vars.members + 1 }} members.\n"
            ),
        },
    )
    assert ("Letter Body", "8 offices, 71 members.") in docx_paragraphs(out / "ana.docx")


def test_upper_case_link_schemes_are_kept(tmp_path: Path) -> None:
    out = build(
        tmp_path, {"templates/note/letter.en.md.j2": "See [our site](HTTPS://example.org).\n"}
    )
    word = docx.Document(str(out / "ana.docx"))
    body = next(p for p in word.paragraphs if p.style.name == "Letter Body")
    assert [link.address for link in body.hyperlinks] == ["HTTPS://example.org"]


def test_empty_cc_means_nobody_in_copy(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        {
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\ncc:\n"
            ),
        },
    )
    assert "Letter Cc" not in {style for style, _ in docx_paragraphs(out / "ana.docx")}


def test_white_space_around_and_inside_values_is_tidied(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "recipients/people.yaml": (
                "people:\n"
                "  - id: ana\n"
                "    name: {given: ' Ana  María', family: 'Ruiz '}\n"
                "    honorific: ' Ms. '\n"
                '    title: {en: "Director\\tof  Things "}\n'
                "  - id: sam\n    name: {given: Sam, family: Lee}\n"
            ),
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [' ana']\nfrom: [sam]\n"
                "vars:\n  plain: ' two  spaces '\n  markdown: |\n    - one\n    - two\n"
            ),
            "templates/note/letter.en.md.j2": (
                "[{{ vars.plain }}]\n\n{{ vars.markdown | markdown }}"
            ),
        },
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    paragraphs = docx_paragraphs(workspace / "build" / "note" / "en" / "ana.docx")
    assert ("Letter Address", "Ana María Ruiz\nDirector of Things") in paragraphs
    assert ("Letter Salutation", "Dear Ms. Ruiz:") in paragraphs
    assert ("Letter Body", "[two spaces]") in paragraphs
    # A variable of several lines keeps them: it may be Markdown.
    assert [text for style, text in paragraphs if style == "Letter List Item"] == [
        "•\tone",
        "•\ttwo",
    ]


def test_a_byte_order_mark_at_the_start_of_a_template_is_dropped(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, {})
    (workspace / "templates/note/letter.en.md.j2").write_bytes(
        "\ufeff- First point\n- Second point\n".encode()
    )
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    out = workspace / "build" / "note" / "en"
    paragraphs = docx_paragraphs(out / "ana.docx")
    assert ("Letter List Item", "•\tFirst point") in paragraphs
    assert not any("\ufeff" in text or "- First" in text for _, text in paragraphs)
    page = pdf_pages(out / "ana.pdf")[0]
    assert "First point" in page
    assert "\ufeff" not in page
    assert "- First" not in page


def test_a_recipient_in_the_cc_list_is_not_copied_on_their_own_letter(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path,
        {
            "recipients/people.yaml": MINIMAL["recipients/people.yaml"]
            + "  - id: eva\n    name: {given: Eva, family: Diaz}\n    honorific: Ms.\n",
            "campaigns/note.yaml": (
                "title: T\ndate: 2024-05-02\ntemplate: note\nto: [ana, eva]\nfrom: [sam]\n"
                "cc: [ana, eva]\n"
            ),
        },
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    out = workspace / "build" / "note" / "en"
    cc = {
        person: [text for style, text in docx_paragraphs(out / f"{person}.docx") if "Cc" in style]
        for person in ("ana", "eva")
    }
    assert cc == {"ana": ["CC:\nEva Diaz"], "eva": ["CC:\nAna Ruiz"]}


LONG_WORD = (
    "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessenschafewaren"
    "wohlgepflegeundsorgfaltigkeitbeschutzen"
)


def test_a_word_wider_than_a_line_is_broken_inside_the_margins(tmp_path: Path) -> None:
    import pypdfium2

    workspace = make_workspace(
        tmp_path,
        {
            "recipients/people.yaml": MINIMAL["recipients/people.yaml"].replace(
                "family: Ruiz", f"family: {LONG_WORD}"
            ),
            # Two pages, so that the running head, with the name, is printed too.
            "templates/note/letter.en.md.j2": "We write about our request.\n\n" * 40,
        },
    )
    result = run(workspace, "build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    letter = pypdfium2.PdfDocument(workspace / "build" / "note" / "en" / "ana.pdf")
    assert len(letter) >= 2
    for page in letter:
        text = page.get_textpage()
        assert LONG_WORD[:40] in text.get_text_bounded()
        right = max(text.get_charbox(index)[2] for index in range(text.count_chars()))
        assert right <= page.get_width() - 117 + 1, f"text runs {right - 495:.0f}pt into the margin"
    letter.close()


def test_a_run_written_in_one_piece_is_the_xml_python_docx_writes() -> None:
    """Runs take their text as one ``w:t`` (writers/docx.py ``_run_of``), not through
    python-docx's character-by-character setter: the XML must not differ, whatever the text."""
    from docx import Document as new_word_document
    from lxml import etree

    from letterforge.writers.docx import _run_of

    texts = ["", "plain words", " leading and trailing ", "a\ttab", "two\nlines", "cr\r", "é ñ"]
    for text in texts:
        ours, theirs = new_word_document(), new_word_document()
        _run_of(ours.add_paragraph(), text)
        theirs.add_paragraph().add_run(text)
        assert etree.tostring(ours.element.body) == etree.tostring(theirs.element.body), text
