"""The second example campaign: a joint letter to the three USMCA trade ministers, each in
exactly the languages the roster lists for them, built through the CLI and read back."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tests.conftest import assert_in_order, docx_paragraphs, flat, is_letter, pdf_pages, run

CAMPAIGN = "usmca-review-2025"
SIGNATURES = {
    "en": [
        "Sofía Pérez Gasque\nDirector General\n"
        "Asociación Mexicana de la Industria de Tecnologías de Información (AMITI)",
        "Jason Oxman\nPresident & CEO\nInformation Technology Industry Council",
        "Angela Mondou\nPresident & CEO\nTECHNATION",
    ],
    "es": [
        "Sofía Pérez Gasque\nDirectora General\n"
        "Asociación Mexicana de la Industria de Tecnologías de Información (AMITI)",
        "Jason Oxman\nPresidente y Director General\nInformation Technology Industry Council",
        "Angela Mondou\nPresidenta y Directora General\nTECHNATION",
    ],
    "fr": [
        "Sofía Pérez Gasque\nDirectrice générale\n"
        "Asociación Mexicana de la Industria de Tecnologías de Información (AMITI)",
        "Jason Oxman\nPrésident et chef de la direction\nInformation Technology Industry Council",
        "Angela Mondou\nPrésidente et cheffe de la direction\nTECHNATION",
    ],
}
# What each letter must say, part by part: (person, language) → {style: text}.
LETTERS = {
    ("greer", "en-US"): {
        "Letter Date": "July 1, 2025",
        "Letter Address": "The Honorable Jamieson Greer\nUnited States Trade Representative\n"
        "Office of the United States Trade Representative\n600 17th Street NW\n"
        "Washington, DC 20508",
        "Letter Reference": "Our ref.: USMCA-JR-2025-07",
        "Letter Subject": "Re: The 2026 joint review of the USMCA",
        "Letter Salutation": "Dear Ambassador Greer:",
        "Letter Closing": "Sincerely,",
        "Letter Enclosures": "Enclosure:\n"
        "Joint statement of AMITI, ITI and TECHNATION on the USMCA joint review",
    },
    ("ebrard", "es-MX"): {
        "Letter Date": "Ciudad de México, a 1 de julio de 2025",
        # The honorific before the name, no organization that repeats the title, Presente.
        "Letter Address": "Lic. Marcelo Ebrard Casaubón\nSecretario de Economía\n"
        "Calle Pachuca 189\nColonia Condesa\n06140 Ciudad de México\nPresente",
        "Letter Reference": "Nuestra ref.: USMCA-JR-2025-07",
        "Letter Subject": "Asunto: Revisión conjunta del T-MEC en 2026",
        "Letter Salutation": "Estimado Lic. Ebrard:",
        "Letter Closing": "Atentamente,",
        "Letter Enclosures": "Anexo:\n"
        "Declaración conjunta de AMITI, ITI y TECHNATION sobre la revisión conjunta del T-MEC",
    },
    ("sidhu", "fr-CA"): {
        "Letter Date": "Ottawa, le 1er juillet 2025",
        "Letter Address": "L’honorable Maninder Sidhu, C.P., député\n"
        "Ministre du Commerce international\n125, promenade Sussex\nOttawa (Ontario) K1A 0G2",
        "Letter Reference": "N/Réf.\u00a0: USMCA-JR-2025-07",
        "Letter Subject": "Objet\u00a0: Examen conjoint de l’ACEUM en 2026",
        "Letter Salutation": "Monsieur le Ministre,",
        "Letter Closing": "Veuillez agréer, Monsieur le Ministre, l’expression de notre haute "
        "considération.",
        "Letter Enclosures": "p.\u00a0j.\n"
        "Déclaration commune d’AMITI, d’ITI et de TECHNATION sur l’examen conjoint de l’ACEUM",
    },
    ("sidhu", "en-CA"): {
        "Letter Date": "July 1, 2025",
        "Letter Address": "The Honourable Maninder Sidhu, P.C., M.P.\n"
        "Minister of International Trade\n125 Sussex Drive\nOttawa ON K1A 0G2",
        "Letter Reference": "Our ref.: USMCA-JR-2025-07",
        "Letter Subject": "Re: The 2026 joint review of CUSMA",
        "Letter Salutation": "Dear Minister Sidhu:",
        "Letter Closing": "Sincerely,",
        "Letter Enclosures": "Enclosure:\n"
        "Joint statement of AMITI, ITI and TECHNATION on the CUSMA joint review",
    },
}
# Words that show a letter is in another language than it should be.
FOREIGN = {
    "en": ["Estimado", "Atentamente", "Monsieur", "Veuillez", "juillet", "julio"],
    "es": ["Dear", "Sincerely", "Monsieur", "juillet", "July"],
    "fr": ["Dear", "Sincerely", "Estimado", "julio", "July"],
}


def build_dir(workspace: Path) -> Path:
    return workspace / "build" / CAMPAIGN


def test_every_minister_gets_exactly_their_languages(built_example: Path) -> None:
    written = sorted(
        path.relative_to(build_dir(built_example)).as_posix()
        for path in build_dir(built_example).rglob("*")
        if is_letter(path)
    )
    assert written == [
        "bundle/sidhu.docx",
        "bundle/sidhu.pdf",
        "en-CA/sidhu.docx",
        "en-CA/sidhu.pdf",
        "en-US/greer.docx",
        "en-US/greer.pdf",
        "es-MX/ebrard.docx",
        "es-MX/ebrard.pdf",
        "fr-CA/sidhu.docx",
        "fr-CA/sidhu.pdf",
    ]


@pytest.mark.parametrize(("person", "lang"), list(LETTERS), ids="/".join)
def test_each_letter_has_its_languages_forms(built_example: Path, person: str, lang: str) -> None:
    path = build_dir(built_example) / lang / f"{person}.docx"
    paragraphs = docx_paragraphs(path)
    parts = dict(paragraphs)
    assert {style: parts.get(style) for style in LETTERS[person, lang]} == LETTERS[person, lang]
    base = lang.split("-")[0]
    assert [text for style, text in paragraphs if style == "Letter Signature"] == SIGNATURES[base]
    # The joint letterhead: each association, side by side, with its address or website.
    assert [text for style, text in paragraphs if style == "Letter Letterhead"] == [
        "AMITI\nCiudad de México\nwww.amiti.org.mx",
        "ITI\n700 K Street NW\nSuite 600\nWashington, DC 20001\nwww.itic.org",
        "TECHNATION\nCanada\nwww.technationcanada.ca",
    ]
    assert "Letter Cc" not in parts
    text = flat("\n".join(text for _, text in paragraphs))
    assert not [word for word in FOREIGN[base] if word in text]
    # The PDF says the same, in the same order.
    pdf = flat("\n".join(pdf_pages(path.with_suffix(".pdf"))))
    assert_in_order(pdf, [flat(value) for value in LETTERS[person, lang].values()])


@pytest.mark.parametrize(
    ("lang", "agreement", "dates"),
    [
        ("en-US", "(USMCA)", ["July 1, 2020", "July 1, 2026"]),
        ("en-CA", "(CUSMA)", ["July 1, 2020", "July 1, 2026"]),
        ("es-MX", "(T-MEC)", ["el 1 de julio de 2020", "1 de julio de 2026"]),
        ("fr-CA", "(ACEUM)", ["le 1er juillet 2020", "le 1er juillet 2026"]),
    ],
)
def test_the_prose_names_the_agreement_and_dates_as_each_country_does(
    built_example: Path, lang: str, agreement: str, dates: list[str]
) -> None:
    person = {"en-US": "greer", "es-MX": "ebrard"}.get(lang, "sidhu")
    body = [
        text
        for style, text in docx_paragraphs(build_dir(built_example) / lang / f"{person}.docx")
        if style == "Letter Body"
    ]
    assert agreement in body[0]
    assert_in_order(body[0], dates)
    joined = {
        "en-US": "AMITI, ITI, and TECHNATION",
        "en-CA": "AMITI, ITI and TECHNATION",
        "es-MX": "AMITI, ITI y TECHNATION",
        "fr-CA": "AMITI, ITI et TECHNATION",
    }[lang]
    assert joined in body[0]


def test_the_canadian_minister_gets_one_document_french_first(built_example: Path) -> None:
    bundle = build_dir(built_example) / "bundle" / "sidhu"
    word = docx.Document(str(bundle.with_suffix(".docx")))
    assert len(word.sections) == 2
    assert word.core_properties.language == "fr-CA"
    texts = [p.text for p in word.paragraphs]
    assert texts.index("Monsieur le Ministre,") < texts.index("Dear Minister Sidhu:")
    pages = pdf_pages(bundle.with_suffix(".pdf"))
    english = next(i for i, page in enumerate(pages) if "Dear Minister Sidhu:" in page)
    assert english >= 1 and "Monsieur le Ministre," not in pages[english]
    assert "Monsieur le Ministre," in "\n".join(pages[:english])


def test_the_example_checks_clean_with_no_drift_between_french_and_english(
    built_example: Path,
) -> None:
    result = run(built_example, "check", CAMPAIGN)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "checked 1 campaign, 4 letters: no problems\n"
