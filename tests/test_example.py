"""The example campaign, built through the CLI and read back from the DOCX and PDF files."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.conftest import (
    RUNNING_HEAD,
    assert_in_order,
    docx_paragraphs,
    flat,
    is_letter,
    pdf_pages,
    replace_in,
    run,
    without_running_heads,
)

CAMPAIGN = "essential-services-2020"

CC_EN = [
    "Jorge Alcocer Varela, Secretary of Health",
    "Hugo López-Gatell Ramírez, Under Secretary of Prevention and Public Health",
    "Marcelo Ebrard Casaubón, Secretary of Foreign Affairs",
    "Graciela Márquez Colín, Secretary of Economy",
    "Olga Sánchez Cordero, Secretary of Interior",
    "Javier Jiménez Espriú, Secretary of Communications and Transport",
    "Salma Jalife Villalón, Under Secretary of Communications and Technology",
]
# Spanish names people in copy with their honorific.
CC_ES = [
    "Dr. Jorge Alcocer Varela, Secretario de Salud",
    "Dr. Hugo López-Gatell Ramírez, Subsecretario de Prevención y Promoción de la Salud",
    "Lic. Marcelo Ebrard Casaubón, Secretario de Relaciones Exteriores",
    "Dra. Graciela Márquez Colín, Secretaria de Economía",
    "Lic. Olga Sánchez Cordero, Secretaria de Gobernación",
    "Ing. Javier Jiménez Espriú, Secretario de Comunicaciones y Transportes",
    "Mtra. Salma Jalife Villalón, Subsecretaria de Comunicaciones y Desarrollo Tecnológico",
]

# Every part of the letter, in the order a reader meets it.
PARTS = {
    "en": [
        "Information Technology Industry Council",
        "700 K Street NW, Suite 600",
        "April 21, 2020",
        "Alfonso Romo",
        "Chief of Staff to the President of Mexico",
        "Mexico City",
        "Dear Mr. Romo:",
        "I write on behalf of the Information Technology Industry Council (ITI)",
        "more than 70 leading companies",
        "directives of March 31, 2020 and April 6, 2020",
        "Applying those directives consistently",
        "The people covered by this guidance",
        "Cybersecurity and Infrastructure Security Agency (CISA)",
        "Thank you for your attention",
        "Sincerely,",
        "Jason Oxman",
        "President & CEO",
        "CC:",
        *CC_EN,
    ],
    "es": [
        "Information Technology Industry Council",
        "21 de abril de 2020",
        "Alfonso Romo",
        "Jefe de la Oficina de la Presidencia de la República",
        "Ciudad de México",
        "Estimado Sr. Romo:",
        "En nombre del Information Technology Industry Council (ITI)",
        "más de 70 empresas",
        "del 31 de marzo de 2020 y del 6 de abril de 2020",
        "La aplicación uniforme",
        "Las personas que abarcan",
        "Agencia de Ciberseguridad y Seguridad de Infraestructura (CISA",
        "Le agradecemos",
        "Atentamente,",
        "Jason Oxman",
        "Presidente y Director General",
        "C.c.p.",
        *CC_ES,
    ],
}
ENGLISH_ONLY = ["April 21, 2020", "Dear Mr. Romo", "Sincerely", "Secretary of Health", "CC:"]
SPANISH_ONLY = ["21 de abril de 2020", "Estimado", "Atentamente", "Secretario de Salud", "C.c.p."]


# The Spanish letter is in Mexico's Spanish: its folder is named for the region.
FOLDERS = {"en": "en", "es": "es-MX"}


def output(workspace: Path, lang: str, ext: str) -> Path:
    return workspace / "build" / CAMPAIGN / FOLDERS[lang] / f"romo.{ext}"


def test_build_writes_every_language_and_the_bundle_in_both_formats(built_example: Path) -> None:
    written = sorted(
        path.relative_to(built_example / "build").as_posix()
        for path in (built_example / "build" / CAMPAIGN).rglob("*")
        if is_letter(path)
    )
    assert written == [
        f"{CAMPAIGN}/bundle/romo.docx",
        f"{CAMPAIGN}/bundle/romo.pdf",
        f"{CAMPAIGN}/en/romo.docx",
        f"{CAMPAIGN}/en/romo.pdf",
        f"{CAMPAIGN}/es-MX/romo.docx",
        f"{CAMPAIGN}/es-MX/romo.pdf",
    ]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_pdf_shows_every_part_in_order(built_example: Path, lang: str) -> None:
    text = flat("\n".join(pdf_pages(output(built_example, lang, "pdf"))))
    assert_in_order(text, PARTS[lang])
    other = SPANISH_ONLY if lang == "en" else ENGLISH_ONLY
    assert not [word for word in other if word in text]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_docx_shows_every_part_in_order_with_named_styles(built_example: Path, lang: str) -> None:
    paragraphs = docx_paragraphs(output(built_example, lang, "docx"))
    assert_in_order(flat("\n".join(text for _, text in paragraphs)), PARTS[lang])
    styles = [style for style, _ in paragraphs]
    assert styles == [
        "Letter Letterhead",
        "Letter Date",
        "Letter Address",
        "Letter Salutation",
        *["Letter Body"] * 6,
        "Letter Closing",
        "Letter Signature",
        "Letter Cc",
    ]
    # The CC list is one official per line, in the campaign's order, accents intact.
    cc_lines = paragraphs[-1][1].split("\n")
    assert cc_lines == (["CC:", *CC_EN] if lang == "en" else ["C.c.p.", *CC_ES])


@pytest.mark.parametrize("lang", ["en", "es"])
def test_pdf_and_docx_say_the_same_thing(built_example: Path, lang: str) -> None:
    pages = pdf_pages(output(built_example, lang, "pdf"))
    pdf_text = flat(without_running_heads("\n".join(pages)))
    docx_text = flat(
        "\n".join(text for _, text in docx_paragraphs(output(built_example, lang, "docx")))
    )
    assert pdf_text == docx_text


def test_pdf_bundle_starts_spanish_on_a_new_page(built_example: Path) -> None:
    pages = pdf_pages(built_example / "build" / CAMPAIGN / "bundle" / "romo.pdf")
    first_spanish = next(i for i, page in enumerate(pages) if "21 de abril de 2020" in page)
    assert first_spanish >= 1
    assert flat(pages[first_spanish]).startswith("Information Technology Industry Council")
    english = flat(without_running_heads("\n".join(pages[:first_spanish])))
    spanish = flat(without_running_heads("\n".join(pages[first_spanish:])))
    assert english.endswith(CC_EN[-1])
    assert_in_order(english, PARTS["en"])
    assert_in_order(spanish, PARTS["es"])
    assert not [word for word in ENGLISH_ONLY if word in spanish]


def test_docx_bundle_starts_spanish_in_a_new_page_section(built_example: Path) -> None:
    word = docx.Document(str(built_example / "build" / CAMPAIGN / "bundle" / "romo.docx"))
    assert len(word.sections) == 2
    second = word.sections[1]
    assert second.start_type == docx.enum.section.WD_SECTION.NEW_PAGE
    texts = [block.text for block in second.iter_inner_content()]
    assert texts[:2] == [
        "Information Technology Industry Council\n700 K Street NW, Suite 600\n"
        "Washington, DC 20001\nwww.itic.org",
        "21 de abril de 2020",
    ]
    first = [block.text for block in word.sections[0].iter_inner_content()]
    assert first[1] == "April 21, 2020"
    assert first[-1].split("\n")[-1] == CC_EN[-1]


def test_documents_carry_metadata_from_the_campaign(built_example: Path) -> None:
    from pypdf import PdfReader

    info = PdfReader(output(built_example, "es", "pdf")).metadata
    assert info is not None
    assert info.title == (
        "Lineamientos uniformes de servicios esenciales para trabajadores de TIC — Alfonso Romo"
    )
    assert info.author == "Information Technology Industry Council"
    assert info.subject == "Lineamientos uniformes de servicios esenciales para trabajadores de TIC"
    assert str(info.creation_date.date()) == str(info.modification_date.date()) == "2020-04-21"
    assert PdfReader(output(built_example, "es", "pdf")).trailer["/Root"]["/Lang"] == "es-MX"
    properties = docx.Document(str(output(built_example, "en", "docx"))).core_properties
    assert (
        properties.title == "Consistent essential-services guidance for ICT workers — Alfonso Romo"
    )
    assert properties.subject == "Consistent essential-services guidance for ICT workers"
    assert properties.author == "Information Technology Industry Council"
    assert properties.language == "en"
    assert properties.created.date().isoformat() == "2020-04-21"
    assert properties.modified == properties.created


RUNNING_HEADS = {
    "en": "Alfonso Romo · April 21, 2020 · Page",
    "es": "Alfonso Romo · 21 de abril de 2020 · Página",
}


def test_continuation_pages_carry_the_running_head_and_number_in_both_formats(
    built_example: Path,
) -> None:
    # PDF: the first page of each letter has none; the next pages number from 2, and a bundle
    # starts again with the Spanish letter.
    pages = pdf_pages(built_example / "build" / CAMPAIGN / "bundle" / "romo.pdf")
    heads = [match.group().strip() for page in pages for match in RUNNING_HEAD.finditer(page)]
    assert heads == [f"{RUNNING_HEADS['en']} 2", f"{RUNNING_HEADS['es']} 2"]
    assert [bool(RUNNING_HEAD.search(page)) for page in pages] == [False, True, False, True]
    # DOCX: each letter's section has an empty first-page header, a header with a PAGE field
    # on the others, and numbering that starts at 1.
    word = docx.Document(str(built_example / "build" / CAMPAIGN / "bundle" / "romo.docx"))
    for section, lang in zip(word.sections, ["en", "es"], strict=True):
        assert section.different_first_page_header_footer
        assert section.first_page_header.paragraphs[0].text == ""
        header = section.header.paragraphs[0]
        assert header.style.name == "Letter Running Head"
        shown = "".join(text.text or "" for text in header._p.iter(qn("w:t")))
        assert shown == f"{RUNNING_HEADS[lang]} 2"  # 2: what the field shows until updated
        fields = header._p.findall(qn("w:fldSimple"))
        assert [field.get(qn("w:instr")) for field in fields] == ["PAGE"]
        numbering = section._sectPr.find(qn("w:pgNumType"))
        assert numbering is not None and numbering.get(qn("w:start")) == "1"


def _pdfinfo(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def test_pdfs_are_tagged_for_accessibility(built_example: Path) -> None:
    from pypdf import PdfReader

    path = output(built_example, "es", "pdf")
    assert "Tagged:          yes" in _pdfinfo(path)
    xmp = PdfReader(path).xmp_metadata
    assert xmp is not None and b'pdfuaid:part="1"' in xmp.stream.get_data()


def test_archival_pdfs_are_pdf_a_3b_and_still_tagged(example: Path) -> None:
    from pypdf import PdfReader

    replace_in(example / "letterforge.yaml", "page_size: letter", "pdf_standard: pdf/a-3b")
    result = run(example, "build", CAMPAIGN, "--only", "romo", "--lang", "es", "--format", "pdf")
    assert result.exit_code == 0, result.output
    path = output(example, "es", "pdf")
    reader = PdfReader(path)
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")  # type: ignore[attr-defined]
    # PDF/A carries its color space with it: an sRGB output intent.
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [intent.get_object()["/S"] for intent in intents] == ["/GTS_PDFA1"]
    assert "Tagged:          yes" in _pdfinfo(path)
    assert "Estimado Sr. Romo:" in reader.pages[0].extract_text()
