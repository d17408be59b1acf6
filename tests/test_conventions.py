"""The conventions of formal letters in each language, pinned with exact strings.

Every test builds a small workspace through the CLI and reads the DOCX (or PDF) back: dates,
salutations, closings, labels, typography, list conjunctions, names, per-recipient languages,
and a workspace's own locales/ files.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import docx_paragraphs, is_letter, make_workspace, pdf_pages, run

SETTINGS = "sender:\n  name: Example Association\nlanguages: [en, es, fr]\n"
TEMPLATES = {
    "templates/note/letter.en.md.j2": "We write about {{ campaign.title }}.\n",
    "templates/note/letter.es.md.j2": "Le escribimos sobre {{ campaign.title }}.\n",
    "templates/note/letter.fr.md.j2": "Nous vous écrivons au sujet de {{ campaign.title }}.\n",
}
PEOPLE = """\
people:
  - id: romo
    name: {given: Alfonso, family: Romo}
    gender: m
    honorific: {en: Mr., es: Sr.}
    office: {fr: Ministre}
  - id: marquez
    name: {given: Graciela, family: Márquez Colín, surname: Márquez}
    gender: f
    honorific: {en: Dr., es: Dra.}
    office: {fr: Secrétaire}
  - id: leblanc
    name: {given: Claire, family: Leblanc}
    gender: f
    honorific: {en: Ms., es: Sra.}
    office: {fr: Ministre}
  - id: martin
    name: {given: Paul, family: Martin}
    gender: m
    honorific: {en: Mr., es: Sr.}
    office: {fr: Ambassadeur}
  - id: roy
    name: {given: Anne, family: Roy}
    gender: f
    honorific: {en: Ms., es: Sra.}
  - id: lee
    name: {given: Sam, family: Lee}
    gender: x
    honorific: {en: Mx.}
    title: Director
  - id: ana
    name: {given: Ana, family: Ruiz}
    gender: f
    honorific: {en: Ms., es: Sra.}
    title: {en: Director, es: Directora, fr: Directrice}
"""


def campaign(
    to: str, *, languages: str = "[en, es, fr]", extra: str = "", sign: str = "[ana]"
) -> str:
    return (
        f"title: Our request\ndate: 2025-07-01\ntemplate: note\nlanguages: {languages}\n"
        f"to: [{to}]\nfrom: {sign}\n{extra}"
    )


def workspace(root: Path, files: dict[str, str]) -> Path:
    return make_workspace(
        root,
        {"letterforge.yaml": SETTINGS, "recipients/people.yaml": PEOPLE, **TEMPLATES, **files},
    )


def letter(root: Path, lang: str, person: str, files: dict[str, str]) -> dict[str, str]:
    """Build the campaign ``note`` as DOCX and return the letter's text by paragraph style."""
    built = workspace(root, files)
    result = run(built, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    paragraphs = docx_paragraphs(built / "build" / "note" / lang / f"{person}.docx")
    by_style: dict[str, str] = {}
    for style, text in paragraphs:
        by_style[style.removeprefix("Letter ")] = text
    return by_style


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "place", "date", "expected"),
    [
        ("en", None, "2020-04-21", "April 21, 2020"),
        ("en", '{en: "Washington, DC"}', "2020-04-21", "Washington, DC, April 21, 2020"),
        ("en-GB", None, "2025-07-01", "1 July 2025"),
        ("es", None, "2020-04-21", "21 de abril de 2020"),
        ("es", "{es: Ciudad de México}", "2020-04-21", "Ciudad de México, a 21 de abril de 2020"),
        ("es-MX", "{es: Ciudad de México}", "2025-07-01", "Ciudad de México, a 1 de julio de 2025"),
        ("fr", None, "2025-07-01", "1er juillet 2025"),
        ("fr", None, "2025-07-02", "2 juillet 2025"),
        ("fr-CA", "{fr: Montréal}", "2025-07-01", "Montréal, le 1er juillet 2025"),
        ("fr", "{fr: Paris}", "2025-12-11", "Paris, le 11 décembre 2025"),
    ],
)
def test_date_line(tmp_path: Path, lang: str, place: str | None, date: str, expected: str) -> None:
    extra = f"place: {place}\n" if place else ""
    text = campaign("ana", languages=f"[{lang}]", extra=extra).replace("2025-07-01", date)
    assert letter(tmp_path, lang, "ana", {"campaigns/note.yaml": text})["Date"] == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("date:\n  format: short\n", "01/07/2025"),  # 1er only where the month is a word
        ("date:\n  format: dd/MM/y\n", "01/07/2025"),
        ("date:\n  format: d MMM y\n", "1er juil. 2025"),
        # Elision belongs to salutations: "le avril", however odd, is not turned into l’avril.
        ("date:\n  format: MMMM y\n  with_place: '{place}, le {date}'\n", "Paris, le juillet 2025"),
    ],
)
def test_a_workspace_date_format(tmp_path: Path, locale: str, expected: str) -> None:
    place = "place: {fr: Paris}\n" if "with_place" in locale else ""
    files = {
        "locales/fr.yaml": locale,
        "campaigns/note.yaml": campaign("ana", languages="[fr]", extra=place),
    }
    assert letter(tmp_path, "fr", "ana", files)["Date"] == expected


def test_place_comes_from_the_sender_unless_the_campaign_names_one(tmp_path: Path) -> None:
    files = {
        "letterforge.yaml": SETTINGS.replace(
            "name: Example Association\n", "name: Example Association\n  place: {es: Monterrey}\n"
        ),
        "campaigns/note.yaml": campaign("ana", languages="[en, es]"),
    }
    built = workspace(tmp_path, files)
    assert run(built, "build", "--format", "docx").exit_code == 0
    dates = {
        lang: dict(docx_paragraphs(built / "build/note" / lang / "ana.docx"))["Letter Date"]
        for lang in ("en", "es")
    }
    # A language the place has no value for gets the date alone.
    assert dates == {"en": "July 1, 2025", "es": "Monterrey, a 1 de julio de 2025"}
    (built / "campaigns/note.yaml").write_text(
        campaign("ana", languages="[es]", extra="place: Saltillo\n"), encoding="utf-8"
    )
    assert run(built, "build", "--format", "docx").exit_code == 0
    date = dict(docx_paragraphs(built / "build/note/es/ana.docx"))["Letter Date"]
    assert date == "Saltillo, a 1 de julio de 2025"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "since July 1, 2020 and May 2, 2024"),
        ("es", "desde el 1 de julio de 2020 y el 2 de mayo de 2024"),
        ("fr", "depuis le 1er juillet 2020 et le 2 mai 2024"),
    ],
)
def test_date_filter_writes_dates_in_the_letters_language(
    tmp_path: Path, lang: str, expected: str
) -> None:
    words = {"en": ("since", "and", ""), "es": ("desde", "y", "el "), "fr": ("depuis", "et", "le ")}
    since, conjunction, article = words[lang]
    template = (
        f"{since} {article}{{{{ vars.start | date }}}} {conjunction} "
        f"{article}{{{{ vars.end | date }}}}\n"
    )
    files = {
        f"templates/note/letter.{lang}.md.j2": template,
        "campaigns/note.yaml": campaign(
            "ana", languages=f"[{lang}]", extra="vars:\n  start: 2020-07-01\n  end: 2024-05-02\n"
        ),
    }
    assert letter(tmp_path, lang, "ana", files)["Body"] == expected


def test_number_filter_uses_the_languages_separators(tmp_path: Path) -> None:
    files = {
        "templates/note/letter.en.md.j2": "{{ vars.members | number }} members\n",
        "templates/note/letter.fr.md.j2": "{{ vars.members | number }} membres\n",
        "campaigns/note.yaml": campaign(
            "ana", languages="[en, fr]", extra="vars:\n  members: 1377\n"
        ),
    }
    assert letter(tmp_path, "en", "ana", files)["Body"] == "1,377 members"
    assert letter(tmp_path / "fr", "fr", "ana", files)["Body"] == "1\u202f377 membres"


# --- salutations and closings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "lang", "salutation"),
    [
        ("romo", "en", "Dear Mr. Romo:"),
        ("romo", "es", "Estimado Sr. Romo:"),
        ("marquez", "es", "Estimada Dra. Márquez:"),
        ("marquez", "en", "Dear Dr. Márquez:"),
        ("romo", "fr", "Monsieur le Ministre,"),
        ("leblanc", "fr", "Madame la Ministre,"),
        ("marquez", "fr", "Madame la Secrétaire,"),
        ("martin", "fr", "Monsieur l’Ambassadeur,"),
        ("roy", "fr", "Madame,"),
        ("lee", "en", "Dear Mx. Lee:"),
        ("romo", "en-GB", "Dear Mr. Romo,"),
    ],
)
def test_salutation_forms(tmp_path: Path, person: str, lang: str, salutation: str) -> None:
    files = {"campaigns/note.yaml": campaign(person, languages=f"[{lang}]")}
    assert letter(tmp_path, lang, person, files)["Salutation"] == salutation


def test_a_persons_own_salutation_and_closing_are_used_as_written(tmp_path: Path) -> None:
    people = PEOPLE.replace(
        "    office: {fr: Ministre}\n  - id: marquez",
        "    office: {fr: Ministre}\n"
        "    salutation: {fr: 'Monsieur le Ministre et cher ami,', es: 'Muy estimado Alfonso:'}\n"
        "    closing: {fr: 'Avec mes amitiés,'}\n"
        "  - id: marquez",
    )
    files = {
        "recipients/people.yaml": people,
        "campaigns/note.yaml": campaign("romo", languages="[fr-CA, es]"),
    }
    french = letter(tmp_path, "fr-CA", "romo", files)  # fr-CA falls back to the fr override
    assert (french["Salutation"], french["Closing"]) == (
        "Monsieur le Ministre et cher ami,",
        "Avec mes amitiés,",
    )
    spanish = letter(tmp_path / "again", "es", "romo", files)
    assert (spanish["Salutation"], spanish["Closing"]) == ("Muy estimado Alfonso:", "Atentamente,")


@pytest.mark.parametrize(
    ("person", "lang", "sign", "closing"),
    [
        ("romo", "en", "[ana]", "Sincerely,"),
        ("romo", "en-GB", "[ana]", "Yours sincerely,"),
        ("romo", "es", "[ana]", "Atentamente,"),
        (
            "leblanc",
            "fr",
            "[ana]",
            "Veuillez agréer, Madame la Ministre, l’expression de ma haute considération.",
        ),
        (
            "romo",
            "fr",
            "[ana, lee]",
            "Veuillez agréer, Monsieur le Ministre, l’expression de notre haute considération.",
        ),
        ("roy", "fr", "[ana]", "Veuillez agréer, Madame, l’expression de ma haute considération."),
    ],
)
def test_closing_forms(tmp_path: Path, person: str, lang: str, sign: str, closing: str) -> None:
    people = PEOPLE.replace("    title: Director\n", "    title: {en: Director, fr: Directeur}\n")
    files = {
        "recipients/people.yaml": people,
        "campaigns/note.yaml": campaign(person, languages=f"[{lang}]", sign=sign),
    }
    assert letter(tmp_path, lang, person, files)["Closing"] == closing


def test_a_missing_honorific_is_absent_to_if_and_an_error_when_printed(tmp_path: Path) -> None:
    files = {
        "templates/note/letter.fr.md.j2": (
            "{% if recipient.honorific %}{{ recipient.honorific }}{% else %}Bonjour{% endif %}.\n"
        ),
        "campaigns/note.yaml": campaign("romo", languages="[fr]"),
    }
    assert letter(tmp_path, "fr", "romo", files)["Body"] == "Bonjour."


# --- labels ------------------------------------------------------------------------------------

ENCLOSURES = (
    "subject: {en: Our request, es: Nuestra solicitud, fr: Notre demande}\n"
    "cc: [lee]\n"
    "enclosures:\n"
    "  - {en: The joint statement, es: La declaración conjunta, fr: La déclaration commune}\n"
)


@pytest.mark.parametrize(
    ("lang", "subject", "cc", "enclosure"),
    [
        ("en", "Re: Our request", "CC:", "Enclosure:"),
        ("es", "Asunto: Nuestra solicitud", "C.c.p.", "Anexo:"),
        ("fr", "Objet\u00a0: Notre demande", "Copie à\u00a0:", "P.\u00a0J.\u00a0:"),
        ("fr-CA", "Objet\u00a0: Notre demande", "c.\u00a0c.", "p.\u00a0j."),
    ],
)
def test_labels(tmp_path: Path, lang: str, subject: str, cc: str, enclosure: str) -> None:
    people = PEOPLE.replace(
        "    title: Director\n", "    title: {en: Director, es: Director, fr: Directeur}\n"
    )
    files = {
        "recipients/people.yaml": people,
        "campaigns/note.yaml": campaign("romo", languages=f"[{lang}]", extra=ENCLOSURES),
    }
    parts = letter(tmp_path, lang, "romo", files)
    assert parts["Subject"] == subject
    assert parts["Cc"].split("\n")[0] == cc
    assert parts["Enclosures"].split("\n")[0] == enclosure


def test_several_enclosures_take_the_plural_label(tmp_path: Path) -> None:
    extra = (
        "enclosures:\n  - {en: A statement, es: Una declaración}\n  - {en: A map, es: Un mapa}\n"
    )
    files = {"campaigns/note.yaml": campaign("romo", languages="[en, es]", extra=extra)}
    assert letter(tmp_path, "en", "romo", files)["Enclosures"] == "Enclosures:\nA statement\nA map"
    spanish = letter(tmp_path / "es", "es", "romo", files)["Enclosures"]
    assert spanish == "Anexos:\nUna declaración\nUn mapa"


def test_labels_are_available_to_templates(tmp_path: Path) -> None:
    files = {
        "templates/note/letter.es.md.j2": "{{ labels.page.format(page=2) }}, {{ labels.cc }}\n",
        "campaigns/note.yaml": campaign("romo", languages="[es]"),
    }
    assert letter(tmp_path, "es", "romo", files)["Body"] == "Página 2, C.c.p."


# --- a workspace's own conventions ---------------------------------------------------------------


def test_a_workspace_locale_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    files = {
        "locales/es.yaml": (
            "labels:\n  cc: 'Con copia para:'\nclosing:\n  single: 'Saludos cordiales,'\n"
        ),
        "locales/fr-CA.yaml": "labels:\n  subject: 'Sujet :'\n",
        "campaigns/note.yaml": campaign("romo", languages="[es-MX, fr-CA]", extra=ENCLOSURES),
        "recipients/people.yaml": PEOPLE.replace(
            "    title: Director\n", "    title: {en: Director, es: Director, fr: Directeur}\n"
        ),
    }
    spanish = letter(tmp_path, "es-MX", "romo", files)
    assert spanish["Cc"].startswith("Con copia para:\n")
    assert spanish["Closing"] == "Saludos cordiales,"
    assert spanish["Subject"] == "Asunto: Nuestra solicitud"  # not overridden: built in
    french = letter(tmp_path / "fr", "fr-CA", "romo", files)
    assert french["Subject"] == "Sujet\u00a0: Notre demande"
    assert french["Cc"].startswith("c.\u00a0c.\n")  # the built-in fr-CA label still applies


def test_a_workspace_file_for_a_language_leaves_its_regions_own_usage(tmp_path: Path) -> None:
    people = PEOPLE.replace("    title: Director\n", "    title: {fr: Directeur}\n")
    files = {
        "recipients/people.yaml": people,
        "locales/fr.yaml": (
            "labels:\n  cc: 'Copie :'\nclosing:\n  single: 'Salutations distinguées.'\n"
        ),
        "campaigns/note.yaml": campaign("romo", languages="[fr, fr-CA]", extra="cc: [lee]\n"),
    }
    france = letter(tmp_path, "fr", "romo", files)
    canada = letter(tmp_path / "ca", "fr-CA", "romo", files)
    assert (france["Cc"].split("\n")[0], france["Closing"]) == (
        "Copie\u00a0:",
        "Salutations distinguées.",
    )
    # Canada keeps its own label, and takes the French closing it does not change.
    assert (canada["Cc"].split("\n")[0], canada["Closing"]) == (
        "c.\u00a0c.",
        "Salutations distinguées.",
    )


GERMAN = """\
date:
  format: long
salutation:
  m: ["Sehr geehrter Herr {surname},"]
  f: ["Sehr geehrte Frau {surname},"]
closing:
  single: "Mit freundlichen Grüßen"
labels:
  cc: "Kopie an:"
  subject: "Betreff:"
  reference: "Unser Zeichen:"
  enclosure: "Anlage:"
  enclosures: "Anlagen:"
  page: "Seite {page}"
typography:
  quotes: ["„", "“", "‚", "‘"]
"""


def test_a_new_language_is_a_locale_file(tmp_path: Path) -> None:
    files = {
        "locales/de.yaml": GERMAN,
        "templates/note/letter.de.md.j2": 'Wir schreiben Ihnen wegen "{{ campaign.title }}".\n',
        "campaigns/note.yaml": campaign("marquez", languages="[de]", sign="[lee]"),
    }
    parts = letter(tmp_path, "de", "marquez", files)
    assert parts["Date"] == "1. Juli 2025"
    assert parts["Salutation"] == "Sehr geehrte Frau Márquez,"
    assert parts["Body"] == "Wir schreiben Ihnen wegen „Our request“."
    assert parts["Closing"] == "Mit freundlichen Grüßen"


def test_list_shows_the_languages_and_where_their_conventions_come_from(tmp_path: Path) -> None:
    files = {
        "locales/de.yaml": GERMAN,
        "locales/es.yaml": "labels: {cc: 'Copia:'}\n",
        "campaigns/note.yaml": campaign("ana"),
    }
    result = run(workspace(tmp_path, files), "list")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("Languages:\n", 1)[1].splitlines()[:7] == [
        "  de     German   locales/de.yaml",
        "  en     English  built in",
        "  en-GB  English  built in",
        "  es     Spanish  built in, locales/es.yaml",
        "  es-MX  Spanish  built in",
        "  fr     French   built in",
        "  fr-CA  French   built in",
    ]


# --- typography --------------------------------------------------------------------------------

PUNCTUATION = {
    "en": ("He said \"yes\" and 'no'; it's ours.", "He said “yes” and ‘no’; it’s ours."),
    "en-GB": ("He said \"yes\" and 'no'.", "He said ‘yes’ and “no”."),
    "es": ("Dijo \"sí\" y 'no'.", "Dijo “sí” y ‘no’."),
    "fr": (
        'Il a dit "oui" : pourquoi ? Voilà ! Enfin ; l\'accord.',
        "Il a dit «\u202foui\u202f»\u00a0: pourquoi\u202f? Voilà\u202f! Enfin\u202f; l’accord.",
    ),
    "fr-FR": (
        "Pourquoi? Voilà!",
        "Pourquoi\u202f? Voilà\u202f!",
    ),
    "fr-CA": (
        'Il a dit "oui" : pourquoi ? Voilà ! Enfin ; l\'accord.',
        "Il a dit «\u00a0oui\u00a0»\u00a0: pourquoi? Voilà! Enfin; l’accord.",
    ),
}


@pytest.mark.parametrize("lang", list(PUNCTUATION))
def test_quotes_apostrophes_and_french_spacing(tmp_path: Path, lang: str) -> None:
    typed, expected = PUNCTUATION[lang]
    base = lang.split("-")[0]
    files = {
        f"templates/note/letter.{base}.md.j2": typed + "\n",
        "campaigns/note.yaml": campaign("ana", languages=f"[{lang}]"),
    }
    built = workspace(tmp_path, files)
    assert run(built, "build").exit_code == 0
    out = built / "build" / "note" / lang
    assert dict(docx_paragraphs(out / "ana.docx"))["Letter Body"] == expected
    # The PDF holds the same text; only its line breaks differ, and the letter font has no
    # narrow no-break space, so Pango sets one from a space glyph that reads back as a space.
    pdf_text = re.sub(r"[ \n]+", " ", "\n".join(pdf_pages(out / "ana.pdf")))
    assert expected.replace("\u202f", " ") in pdf_text


@pytest.mark.parametrize(
    ("lang", "typed", "expected"),
    [
        ("en", "'Hello,' she said.", "‘Hello,’ she said."),
        ("en", "He said 'no.' Then he left.", "He said ‘no.’ Then he left."),
        ("en", "Tell 'em, 'Tis the '90s.", "Tell ’em, ’Tis the ’90s."),
        ("en", "the '90s and 'the' word in '2025'", "the ’90s and ‘the’ word in ‘2025’"),
        (
            "fr",
            "Il a dit \"elle a répondu 'non.'\" hier.",
            "Il a dit « elle a répondu “non.” » hier.",
        ),
    ],
)
def test_single_quotes_pair_or_stay_apostrophes(
    tmp_path: Path, lang: str, typed: str, expected: str
) -> None:
    files = {
        f"templates/note/letter.{lang}.md.j2": typed + "\n",
        "campaigns/note.yaml": campaign("ana", languages=f"[{lang}]"),
    }
    body = letter(tmp_path, lang, "ana", files)["Body"]
    assert body == expected.replace("« ", "«\u202f").replace(" »", "\u202f»")


def test_typography_spans_bold_and_leaves_links_times_and_urls_alone(tmp_path: Path) -> None:
    files = {
        "templates/note/letter.fr.md.j2": (
            'À **"10:30"**, voir https://example.org/a:b et '
            "[le site](https://example.org) : merci !\n"
        ),
        "campaigns/note.yaml": campaign("ana", languages="[fr]"),
    }
    body = letter(tmp_path, "fr", "ana", files)["Body"]
    assert body == (
        "À «\u202f10:30\u202f», voir https://example.org/a:b et le site\u00a0: merci\u202f!"
    )


def test_french_ordinal_endings_are_superscript(tmp_path: Path) -> None:
    import docx

    files = {
        "templates/note/letter.fr.md.j2": (
            "Le {{ vars.day | date }}, au 2e étage du 21e siècle, pas la A5e ni le 1st.\n"
        ),
        "templates/note/letter.en.md.j2": "On the 1st and 2nd floors.\n",
        "campaigns/note.yaml": campaign(
            "ana",
            languages="[fr-CA, en]",
            extra="place: {fr: Montréal}\nvars:\n  day: 2020-07-01\n",
        ),
    }
    built = workspace(tmp_path, files)
    assert run(built, "build", "--format", "docx").exit_code == 0

    def runs(lang: str, style: str) -> list[tuple[str, bool]]:
        word = docx.Document(str(built / "build/note" / lang / "ana.docx"))
        paragraph = next(p for p in word.paragraphs if p.style.name == style)
        return [(run.text, bool(run.font.superscript)) for run in paragraph.runs]

    assert runs("fr-CA", "Letter Date") == [
        ("Montréal, le 1", False),
        ("er", True),
        (" juillet 2025", False),
    ]
    raised = [text for text, superscript in runs("fr-CA", "Letter Body") if superscript]
    assert raised == ["er", "e", "e"]
    assert not [text for text, superscript in runs("en", "Letter Body") if superscript]


# --- lists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "items", "style", "expected"),
    [
        ("en", ["Health", "Economy", "Trade"], "and", "Health, Economy, and Trade"),
        ("en-CA", ["Health", "Economy", "Trade"], "and", "Health, Economy and Trade"),
        ("es", ["Economía", "Industria"], "and", "Economía e Industria"),
        ("es", ["Ciencia", "Hidalgo"], "and", "Ciencia e Hidalgo"),
        ("es", ["Salud", "Hacienda"], "and", "Salud y Hacienda"),
        ("es", ["agua", "hielo"], "and", "agua y hielo"),
        ("es", ["Salud", "Ítalo", "Ibarra"], "and", "Salud, Ítalo e Ibarra"),
        ("es", ["siete", "ocho"], "or", "siete u ocho"),
        ("es", ["Sonora", "Oaxaca"], "or", "Sonora u Oaxaca"),
        ("es", ["Sonora", "Yucatán"], "or", "Sonora o Yucatán"),
        ("es", ["Economía", "'\"Industria\"'"], "and", "Economía e “Industria”"),  # YAML quotes
        ("es", ["7", "8"], "or", "7 u 8"),
        ("es", ["10", "11"], "or", "10 u 11"),
        ("es", ["10", "110"], "or", "10 o 110"),
        ("fr", ["santé", "économie", "commerce"], "and", "santé, économie et commerce"),
        ("fr", ["Ottawa", "Québec"], "or", "Ottawa ou Québec"),
    ],
)
def test_lists_are_joined_with_the_languages_conjunction(
    tmp_path: Path, lang: str, items: list[str], style: str, expected: str
) -> None:
    base = lang.split("-")[0]
    listed = ", ".join(items)
    files = {
        f"templates/note/letter.{base}.md.j2": f"{{{{ vars.items | join_{style} }}}}\n",
        "campaigns/note.yaml": campaign(
            "ana", languages=f"[{lang}]", extra=f"vars:\n  items: [{listed}]\n"
        ),
    }
    assert letter(tmp_path, lang, "ana", files)["Body"] == expected


def test_join_takes_what_map_makes_and_writes_dates_in_the_language(tmp_path: Path) -> None:
    files = {
        "templates/note/letter.es.md.j2": (
            "{{ signatories | map(attribute='full_name') | join_and }}; "
            "{{ vars.directives | join_and }}.\n"
        ),
        "campaigns/note.yaml": campaign(
            "ana",
            languages="[es]",
            sign="[ana, lee]",
            extra="vars:\n  directives: [2020-03-31, 2020-04-06]\n",
        ),
    }
    people = PEOPLE.replace("    title: Director\n", "    title: {es: Director}\n")
    files["recipients/people.yaml"] = people
    body = letter(tmp_path, "es", "ana", files)["Body"]
    assert body == "Ana Ruiz y Sam Lee; 31 de marzo de 2020 y 6 de abril de 2020."


def test_a_layout_written_before_closings_depended_on_the_recipient_still_works(
    tmp_path: Path,
) -> None:
    files = {
        "templates/_layouts/letter.md.j2": "{{ body }}\n\n::: closing\n{{ labels.closing }}\n:::\n",
        "campaigns/note.yaml": campaign("leblanc", languages="[fr]"),
    }
    assert letter(tmp_path, "fr", "leblanc", files)["Closing"] == (
        "Veuillez agréer, Madame la Ministre, l’expression de ma haute considération."
    )


# --- names ---------------------------------------------------------------------------------------


def test_names_are_nfc_and_never_recased(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Márquez Colín")
    assert decomposed != "Márquez Colín"
    people = PEOPLE.replace("family: Márquez Colín, surname: Márquez", f"family: {decomposed}") + (
        "  - id: mazo\n"
        "    name: {given: Alfredo, family: del Mazo Maza, surname: del Mazo}\n"
        "    gender: m\n"
        "    honorific: {en: Mr., es: Lic.}\n"
        "  - id: mcdonald\n"
        "    name: {given: ROSS, family: McDonald-deVries}\n"
        "    gender: m\n"
        "    honorific: {en: Mr., es: Sr.}\n"
    )
    template = unicodedata.normalize("NFD", "Le escribimos después de la reunión.\n")
    files = {
        "recipients/people.yaml": people,
        "templates/note/letter.es.md.j2": template,
        "campaigns/note.yaml": campaign("marquez, mazo, mcdonald", languages="[es]"),
    }
    built = workspace(tmp_path, files)
    assert run(built, "build", "--format", "docx").exit_code == 0
    out = built / "build" / "note" / "es"
    salutations = {
        person: dict(docx_paragraphs(out / f"{person}.docx"))["Letter Salutation"]
        for person in ("marquez", "mazo", "mcdonald")
    }
    assert salutations == {
        "marquez": "Estimada Dra. Márquez Colín:",
        "mazo": "Estimado Lic. del Mazo:",
        "mcdonald": "Estimado Sr. McDonald-deVries:",
    }
    text = "\n".join(text for _, text in docx_paragraphs(out / "marquez.docx"))
    assert unicodedata.is_normalized("NFC", text)
    assert "Graciela Márquez Colín" in text
    assert "Le escribimos después de la reunión." in text
    assert "ROSS McDonald-deVries" in "\n".join(
        text for _, text in docx_paragraphs(out / "mcdonald.docx")
    )


# --- languages per recipient ----------------------------------------------------------------------


def built_files(root: Path) -> list[str]:
    build = root / "build"
    return sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if is_letter(p))


def test_each_recipient_gets_the_languages_they_read(tmp_path: Path) -> None:
    people = (
        PEOPLE.replace(
            "    office: {fr: Ministre}\n  - id: marquez",
            "    office: {fr: Ministre}\n    languages: [fr-CA, en-CA]\n  - id: marquez",
        )
        .replace(
            "    office: {fr: Secrétaire}\n",
            "    office: {fr: Secrétaire}\n    languages: [es-MX]\n",
        )
        .replace(
            "    office: {fr: Ambassadeur}\n",
            "    office: {fr: Ambassadeur}\n    languages: [de, en]\n",
        )
    )
    files = {
        "recipients/people.yaml": people,
        "campaigns/note.yaml": campaign("romo, marquez, martin, roy", extra="bundle: true\n"),
    }
    built = workspace(tmp_path, files)
    result = run(built, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert built_files(built) == [
        "note/bundle/romo.docx",
        "note/bundle/roy.docx",
        "note/en-CA/romo.docx",
        "note/en/martin.docx",
        "note/en/roy.docx",
        "note/es-MX/marquez.docx",
        "note/es/roy.docx",
        "note/fr-CA/romo.docx",
        "note/fr/roy.docx",
    ]
    # A bundle follows the order the person reads in: French first for romo.
    bundle = [text for _, text in docx_paragraphs(built / "build/note/bundle/romo.docx")]
    assert bundle.index("Monsieur le Ministre,") < bundle.index("Dear Mr. Romo:")
    # --lang fr takes the regional French letters too.
    again = run(built, "build", "--format", "docx", "--lang", "fr", "--force", "-v")
    assert again.stdout.splitlines()[:2] == ["build/note/fr-CA/romo.docx", "build/note/fr/roy.docx"]


def test_a_regional_campaign_language_serves_a_person_who_reads_the_language(
    tmp_path: Path,
) -> None:
    people = PEOPLE.replace(
        "    office: {fr: Secrétaire}\n", "    office: {fr: Secrétaire}\n    languages: [es]\n"
    )
    files = {
        "recipients/people.yaml": people,
        "campaigns/note.yaml": campaign("marquez", languages="[en, es-MX]"),
    }
    built = workspace(tmp_path, files)
    assert run(built, "build", "--format", "docx").exit_code == 0
    assert built_files(built) == ["note/es-MX/marquez.docx"]
