"""A letter from two associations to state governors, as a new user would run it: the governors
imported from a workbook and a CSV file, each letter naming the governor's own state and the
date of that state's own decree, the border states also getting a bilingual bundle, and a
rebuild after one state's date changes writing that governor's files and nothing else."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl

from tests.conftest import docx_paragraphs, make_workspace, run

# name, family, gender, state, border, decree: the first four from the workbook.
GOVERNORS = [
    ("Laura", "Ibarra Soto", "F", "Baja California", True, datetime.date(2020, 3, 24)),
    ("Tomás", "Ruelas Vega", "M", "Sonora", True, datetime.date(2020, 3, 26)),
    ("Elena", "Quintero Paz", "F", "Jalisco", False, datetime.date(2020, 3, 27)),
    ("Raúl", "Medina Ortiz", "M", "Yucatán", False, datetime.date(2020, 3, 30)),
    ("Sofía", "Treviño Garza", "F", "Nuevo León", True, datetime.date(2020, 3, 31)),
    ("Diego", "Cantú Lara", "M", "Tamaulipas", True, datetime.date(2020, 4, 1)),
    ("Irene", "Salas Robles", "F", "Puebla", False, datetime.date(2020, 4, 2)),
]
HEADER = ["Nombre", "Apellidos", "Género", "Estado", "Región", "Decreto"]
MAP = """\
columns:
  name.given: Nombre
  name.family: Apellidos
  gender: Género
  tags: Región
  data.state: Estado
  data.decree: Decreto
constants:
  honorific: {en: Gov., es: Lic.}
  title: {en: Governor, es: Titular del Poder Ejecutivo}
  tags: [governor]
"""
CAMPAIGN = """\
title: {en: Essential services in your state, es: Servicios esenciales en su estado}
date: 2020-04-21
languages: [es, en]
template: decree
to:
  - {tags: [governor]}
  - {tags: [governor, frontera], bundle: true}
from: [amiti, iti]
"""
SIGNATORIES = """\
people:
  - id: amiti
    name: {given: Ana, family: Robles}
    title: {en: Director General, es: Directora General}
    organization: AMITI
  - id: iti
    name: {given: Jason, family: Oxman}
    title: {en: President, es: Presidente}
    organization: ITI
"""


def row(governor: tuple[str, str, str, str, bool, datetime.date]) -> list[object]:
    given, family, gender, state, border, decree = governor
    return [given, family, gender, state, "frontera" if border else "", decree]


def csv_text(governors: list[tuple[str, str, str, str, bool, datetime.date]]) -> str:
    lines = [",".join(HEADER)]
    for governor in governors:
        given, family, gender, state, region, decree = row(governor)
        lines.append(f"{given},{family},{gender},{state},{region},{decree}")
    return "\n".join(lines) + "\n"


def body(path: Path) -> str:
    return "\n".join(text for style, text in docx_paragraphs(path) if style == "Letter Body")


def test_governors_imported_written_to_and_rewritten_one_state_at_a_time(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path / "workspace",
        {
            "letterforge.yaml": "sender:\n  name: AMITI · ITI\nlanguages: [es, en]\n",
            "recipients/people.yaml": SIGNATORIES,
            "templates/decree/letter.es.md.j2": (
                "Reconocemos el decreto de {{ recipient.data.state }} del "
                "{{ recipient.data.decree | date }}.\n"
            ),
            "templates/decree/letter.en.md.j2": (
                "We welcome the decree of {{ recipient.data.state }} of "
                "{{ recipient.data.decree | date }}.\n"
            ),
            "campaigns/decrees.yaml": CAMPAIGN,
        },
    )
    (workspace / "campaigns/note.yaml").unlink()  # the minimal workspace's own campaign
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Gobernadores"
    sheet.append(HEADER)
    for governor in GOVERNORS[:4]:
        sheet.append(row(governor))  # the decree as a date cell
    book.save(tmp_path / "directorio.xlsx")
    (tmp_path / "faltantes.csv").write_text(csv_text(GOVERNORS[4:]), encoding="utf-8-sig")

    def import_(sheet_file: str, *more: str) -> None:
        result = run(
            workspace,
            "import",
            str(tmp_path / sheet_file),
            "--map",
            str(tmp_path / "map.yaml"),
            "--into",
            "recipients/governors.yaml",
            *more,
        )
        assert result.exit_code == 0, result.output

    import_("directorio.xlsx", "--sheet", "Gobernadores")
    import_("faltantes.csv")  # merged into the same roster
    built = run(workspace, "build", "--format", "docx")
    assert built.exit_code == 0, built.output
    folder = workspace / "build/decrees"
    assert sorted(path.stem for path in (folder / "es").iterdir()) == sorted(
        f"{given}-{family}".lower().replace(" ", "-").translate(str.maketrans("áéíóúñ", "aeioun"))
        for given, family, *_ in GOVERNORS
    )
    # Bundles for exactly the four border states.
    assert sorted(path.stem for path in (folder / "bundle").iterdir()) == [
        "diego-cantu-lara",
        "laura-ibarra-soto",
        "sofia-trevino-garza",
        "tomas-ruelas-vega",
    ]
    assert body(folder / "es/elena-quintero-paz.docx") == (
        "Reconocemos el decreto de Jalisco del 27 de marzo de 2020."
    )
    assert body(folder / "en/sofia-trevino-garza.docx") == (
        "We welcome the decree of Nuevo León of March 31, 2020."
    )
    # Tamaulipas corrects its date: the CSV again, and the build writes that governor's files.
    corrected = [*GOVERNORS[4:5], (*GOVERNORS[5][:5], datetime.date(2020, 4, 3)), GOVERNORS[6]]
    (tmp_path / "faltantes.csv").write_text(csv_text(corrected), encoding="utf-8-sig")
    import_("faltantes.csv")
    again = run(workspace, "build", "--format", "docx", "-v")
    assert again.exit_code == 0, again.output
    assert sorted(line for line in again.stdout.splitlines() if line.startswith("build/")) == [
        "build/decrees/bundle/diego-cantu-lara.docx",
        "build/decrees/en/diego-cantu-lara.docx",
        "build/decrees/es/diego-cantu-lara.docx",
    ]
    assert body(folder / "es/diego-cantu-lara.docx") == (
        "Reconocemos el decreto de Tamaulipas del 3 de abril de 2020."
    )
