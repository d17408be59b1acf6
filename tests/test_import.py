"""letterforge import: spreadsheets made in the test (XLSX with openpyxl, CSV as bytes) become
rosters that check accepts; re-imports merge and keep what was written by hand.

The mistakes, each with its exact line, are the corpus in tests/bad_imports/.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import copy_example, make_workspace, run
from tests.test_bad_imports import write_workbook

MAP = """\
columns:
  name.given: Nombre
  name.family: Apellidos
  title.es: Cargo
  email: Correo
constants:
  tags: [governor]
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder to run in, as a user would: spreadsheets and maps named relative to it, and a
    workspace in it, ``workspace/``."""
    monkeypatch.chdir(tmp_path)
    make_workspace(tmp_path / "workspace", {})
    return tmp_path


def import_(here: Path, *args: str) -> tuple[int, str, str]:
    result = run(here / "workspace", "import", *args)
    return result.exit_code, result.stdout, result.stderr


def roster(here: Path, name: str = "governors") -> str:
    return (here / f"workspace/recipients/{name}.yaml").read_text(encoding="utf-8")


def test_a_sheet_of_a_workbook_becomes_a_roster_that_check_accepts(here: Path) -> None:
    write_workbook(
        here / "officials.xlsx",
        {
            "Notas": [["Directorio de gobernadores, julio de 2025"]],
            "Gobernadores": [
                [],  # a blank row above the headers
                ["Nombre", "Apellidos", "Cargo", "Title", "Género", "Región", "Calle", "CP"],
                [
                    "María Eugenia",
                    "Campos Galván",
                    "Gobernadora",
                    "Governor",
                    "F",
                    "norte, frontera",
                    "Calle Aldama 901",
                    "31000",
                ],
                [None] * 8,  # a blank row inside the table
                [
                    "Clara",
                    "Brugada Molina",
                    "Jefa de Gobierno",
                    "Head of Government",
                    "f",
                    "centro",
                    "Plaza de la Constitución 2",
                    "06066",
                ],
            ],
        },
    )
    (here / "officials.map.yaml").write_text(
        "columns:\n"
        "  name.given: Nombre\n"
        "  name.family: Apellidos\n"
        "  title.es: Cargo\n"
        "  title.en: Title\n"
        "  gender: Género\n"
        "  tags: Región\n"
        "  address.lines: [Calle, CP]\n"
        "constants:\n"
        "  honorific: {es: Lic., en: Ms.}\n"
        "  tags: [governor]\n"
        "  languages: [es]\n",
        encoding="utf-8",
    )
    code, out, err = import_(
        here,
        "officials.xlsx",
        "--map",
        "officials.map.yaml",
        "--sheet",
        "Gobernadores",
        "--into",
        "recipients/governors.yaml",
    )
    assert (code, out) == (0, "")
    assert err == (
        "recipients/governors.yaml: 2 people from officials.xlsx:Gobernadores: 2 new, "
        "0 updated, 0 unchanged\n"
    )
    assert roster(here) == (
        "people:\n"
        "  - id: maria-eugenia-campos-galvan\n"
        "    name: {given: María Eugenia, family: Campos Galván}\n"
        "    gender: f\n"
        "    honorific: {es: Lic., en: Ms.}\n"
        "    title: {es: Gobernadora, en: Governor}\n"
        "    address:\n"
        "      lines: [Calle Aldama 901, '31000']\n"
        "    tags: [governor, norte, frontera]\n"
        "    languages: [es]\n"
        "\n"
        "  - id: clara-brugada-molina\n"
        "    name: {given: Clara, family: Brugada Molina}\n"
        "    gender: f\n"
        "    honorific: {es: Lic., en: Ms.}\n"
        "    title: {es: Jefa de Gobierno, en: Head of Government}\n"
        "    address:\n"
        "      lines: [Plaza de la Constitución 2, '06066']\n"
        "    tags: [governor, centro]\n"
        "    languages: [es]\n"
    )
    checked = run(here / "workspace", "check")
    assert (checked.exit_code, checked.stdout) == (0, ""), checked.output
    listed = run(here / "workspace", "list").stdout
    assert "clara-brugada-molina" in listed


def test_dates_numbers_and_leading_zeros_become_typed_facts(here: Path) -> None:
    write_workbook(
        here / "officials.xlsx",
        {
            "Gobernadores": [
                ["Clave", "Nombre", "Apellidos", "Estado", "Decreto", "CP", "Municipios"],
                [
                    "08",
                    "María Eugenia",
                    "Campos Galván",
                    "Chihuahua",
                    datetime.date(2020, 3, 31),
                    "06066",
                    67,
                ],
                [
                    "19",
                    "Samuel",
                    "García Sepúlveda",
                    "Nuevo León",
                    "2020-04-06",
                    64000,
                    "51",
                ],
            ]
        },
    )
    (here / "map.yaml").write_text(
        "columns:\n"
        "  id: Clave\n"
        "  name.given: Nombre\n"
        "  name.family: Apellidos\n"
        "  data.state: Estado\n"
        "  data.decree: Decreto\n"
        "  data.postal_code: CP\n"
        "  data.municipalities: Municipios\n"
        "constants:\n"
        "  data.country: {es: México, en: Mexico}\n",
        encoding="utf-8",
    )
    code, _, err = import_(
        here, "officials.xlsx", "--map", "map.yaml", "--into", "recipients/governors.yaml"
    )
    assert code == 0, err
    # Ids keep their leading zeros; a date cell and an ISO date are dates; text that looks
    # like a number with a leading zero stays text, quoted, as campaign vars do.
    assert roster(here) == (
        "people:\n"
        "  - id: '08'\n"
        "    name: {given: María Eugenia, family: Campos Galván}\n"
        "    data:\n"
        "      state: Chihuahua\n"
        "      decree: 2020-03-31\n"
        "      postal_code: '06066'\n"
        "      municipalities: 67\n"
        "      country: {es: México, en: Mexico}\n"
        "\n"
        "  - id: '19'\n"
        "    name: {given: Samuel, family: García Sepúlveda}\n"
        "    data:\n"
        "      state: Nuevo León\n"
        "      decree: 2020-04-06\n"
        "      postal_code: 64000\n"
        "      municipalities: 51\n"
        "      country: {es: México, en: Mexico}\n"
    )


CSV_IMPORT = ("officials.csv", "--map", "map.yaml", "--into", "recipients/governors.yaml")
CSV = (
    "Nombre,Apellidos,Cargo,Correo\n"
    "Juan,Pérez,Gobernador,juan@colima.example.mx\n"
    "María,Campos,Gobernadora,maria@chihuahua.example.mx\n"
    "Juan,Pérez,Gobernador,jperez@nayarit.example.mx\n"
)


def test_csv_with_a_byte_order_mark_and_ids_made_from_names(here: Path) -> None:
    # Excel's "CSV UTF-8" starts with a byte-order mark, which must not stick to "Nombre".
    (here / "officials.csv").write_bytes(b"\xef\xbb\xbf" + CSV.encode("utf-8"))
    (here / "map.yaml").write_text(MAP, encoding="utf-8")
    code, _, err = import_(here, *CSV_IMPORT)
    assert code == 0, err
    assert roster(here) == (
        "people:\n"
        "  - id: juan-perez\n"
        "    name: {given: Juan, family: Pérez}\n"
        "    title: {es: Gobernador}\n"
        "    email: juan@colima.example.mx\n"
        "    tags: [governor]\n"
        "\n"
        "  - id: maria-campos\n"
        "    name: {given: María, family: Campos}\n"
        "    title: {es: Gobernadora}\n"
        "    email: maria@chihuahua.example.mx\n"
        "    tags: [governor]\n"
        "\n"
        "  - id: juan-perez-2\n"  # two people of one name: numbered
        "    name: {given: Juan, family: Pérez}\n"
        "    title: {es: Gobernador}\n"
        "    email: jperez@nayarit.example.mx\n"
        "    tags: [governor]\n"
    )


def test_a_reimport_merges_keeping_what_was_written_by_hand(here: Path) -> None:
    (here / "officials.csv").write_text(CSV, encoding="utf-8")
    (here / "map.yaml").write_text(MAP, encoding="utf-8")
    assert import_(here, *CSV_IMPORT)[0] == 0
    path = here / "workspace/recipients/governors.yaml"
    edited = (
        roster(here)
        .replace("people:\n", "# Governors: imported, then completed by hand.\npeople:\n")
        .replace(
            "    title: {es: Gobernadora}\n",
            "    gender: f  # she told us\n"
            "    honorific: {es: Lic.}\n"
            "    title: {es: Gobernadora}\n",
        )
    )
    path.write_text(edited, encoding="utf-8")
    # The sheet, a month later: rows in another order, María's title changed, a new
    # governor, and the second Juan Pérez gone.
    (here / "officials.csv").write_text(
        "Nombre,Apellidos,Cargo,Correo\n"
        "María,Campos,Gobernadora Constitucional,maria@chihuahua.example.mx\n"
        "Ana,Ruiz,Gobernadora,ana@colima.example.mx\n"
        "Juan,Pérez,Gobernador,juan@colima.example.mx\n",
        encoding="utf-8",
    )
    code, out, err = import_(here, *CSV_IMPORT)
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        "recipients/governors.yaml:17:5: warning: people[2]: 'juan-perez-2' is not in "
        "officials.csv; kept",
        "recipients/governors.yaml: 3 people from officials.csv: 1 new, 1 updated, 1 unchanged; "
        "1 in the roster but not in the sheet, kept",
    ]
    assert roster(here) == edited.replace(
        "{es: Gobernadora}\n    email: maria", "{es: Gobernadora Constitucional}\n    email: maria"
    ) + (
        "\n"
        "  - id: ana-ruiz\n"
        "    name: {given: Ana, family: Ruiz}\n"
        "    title: {es: Gobernadora}\n"
        "    email: ana@colima.example.mx\n"
        "    tags: [governor]\n"
    )
    # The same sheet again changes nothing, byte for byte: the ids are stable.
    before = path.read_bytes()
    code, _, err = import_(here, *CSV_IMPORT)
    assert code == 0
    assert err.splitlines()[-1].startswith(
        "recipients/governors.yaml: 3 people from officials.csv: 0 new, 0 updated, 3 unchanged"
    )
    assert path.read_bytes() == before


def test_dry_run_prints_the_change_as_a_diff_and_writes_nothing(here: Path) -> None:
    (here / "officials.csv").write_text(CSV, encoding="utf-8")
    (here / "map.yaml").write_text(MAP, encoding="utf-8")
    assert import_(here, *CSV_IMPORT)[0] == 0
    before = roster(here)
    (here / "officials.csv").write_text(
        CSV.replace("Campos,Gobernadora", "Campos,Gobernadora Constitucional"), encoding="utf-8"
    )
    code, out, err = import_(here, *CSV_IMPORT, "--dry-run")
    assert code == 0
    assert out == (
        "--- recipients/governors.yaml\n"
        "+++ recipients/governors.yaml\n"
        "@@ -7,7 +7,7 @@\n"
        " \n"
        "   - id: maria-campos\n"
        "     name: {given: María, family: Campos}\n"
        "-    title: {es: Gobernadora}\n"
        "+    title: {es: Gobernadora Constitucional}\n"
        "     email: maria@chihuahua.example.mx\n"
        "     tags: [governor]\n"
        " \n"
    )
    assert err.endswith("0 new, 1 updated, 2 unchanged; nothing written (--dry-run)\n")
    assert roster(here) == before
    # A new roster is compared with /dev/null; the ids it makes are not another roster's.
    code, out, _ = import_(
        here, "officials.csv", "--map", "map.yaml", "--into", "recipients/new.yaml", "--dry-run"
    )
    assert code == 0
    assert out.startswith("--- /dev/null\n+++ recipients/new.yaml\n@@ -0,0 +1,18 @@\n+people:\n")
    assert "\n+  - id: juan-perez-3\n" in out
    assert not (here / "workspace/recipients/new.yaml").exists()


def test_merging_into_a_hand_written_roster_changes_only_what_changed(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / "workspace")
    path = workspace / "recipients/mexico-federal.yaml"
    before = path.read_text(encoding="utf-8")
    (tmp_path / "update.csv").write_text(
        "id,given,family,cargo,email\n"
        "romo,Alfonso,Romo,Jefe de la Oficina de la Presidencia,ajefe@presidencia.example.mx\n"
        "marquez,Graciela,Márquez Colín,Secretaria de Economía,\n",
        encoding="utf-8",
    )
    (tmp_path / "map.yaml").write_text(
        "columns:\n  id: id\n  name.given: given\n  name.family: family\n  title.es: cargo\n"
        "  email: email\n",
        encoding="utf-8",
    )
    result = run(
        workspace,
        "import",
        str(tmp_path / "update.csv"),
        "--map",
        str(tmp_path / "map.yaml"),
        "--into",
        "recipients/mexico-federal.yaml",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1].endswith(
        "2 people from " + str(tmp_path / "update.csv") + ": 0 new, 1 updated, 1 unchanged; "
        "6 in the roster but not in the sheet, kept"
    )
    # Romo's Spanish title and a new email, placed where a roster puts it; every other line,
    # comment and blank line as it was.
    assert path.read_text(encoding="utf-8") == before.replace(
        "      es: Jefe de la Oficina de la Presidencia de la República\n",
        "      es: Jefe de la Oficina de la Presidencia\n",
    ).replace(
        "      locality: {en: Mexico City, es: Ciudad de México}\n",
        "      locality: {en: Mexico City, es: Ciudad de México}\n"
        "    email: ajefe@presidencia.example.mx\n",
    )
    checked = run(workspace, "check", "-q")
    assert (checked.exit_code, checked.stdout) == (0, "")


def installed(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``letterforge`` command, as a shell would."""
    letterforge = str(Path(sys.executable).parent / "letterforge")
    return subprocess.run([letterforge, *args], capture_output=True, text=True, check=False)


def test_the_installed_command_imports_and_reports_at_the_cell(here: Path) -> None:
    (here / "officials.csv").write_text(CSV, encoding="utf-8")
    (here / "map.yaml").write_text(MAP, encoding="utf-8")
    arguments = ["-C", "workspace", "import", "officials.csv", "--map", "map.yaml", "--into"]
    done = installed(*arguments, "recipients/governors.yaml")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert "  - id: juan-perez-2\n" in roster(here)
    (here / "officials.csv").write_text(CSV.replace("maria@", "maria@@"), encoding="utf-8")
    failed = installed(*arguments, "recipients/others.yaml")
    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr == (
        "officials.csv:3:col 4: error: email: 'maria@@chihuahua.example.mx' is not an email "
        "address\n"
    )
    assert not (here / "workspace/recipients/others.yaml").exists()


def test_every_problem_of_a_file_is_reported_and_nothing_is_written(here: Path) -> None:
    (here / "officials.csv").write_text(
        "Nombre,Apellidos,Cargo,Correo\n"
        "Juan,,Gobernador,juan@colima\n"
        ",Campos,Gobernadora,maria@chihuahua.example.mx\n",
        encoding="utf-8",
    )
    (here / "map.yaml").write_text(MAP, encoding="utf-8")
    code, out, err = import_(here, *CSV_IMPORT)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "officials.csv:2:col 2: error: name.family: the cell is empty: every person needs a "
        "family name",
        "officials.csv:2:col 4: error: email: 'juan@colima' is not an email address",
        "officials.csv:3:col 1: error: name.given: the cell is empty: every person needs a "
        "given name",
    ]
    assert not (here / "workspace/recipients/governors.yaml").exists()
    assert sorted(p.name for p in (here / "workspace/recipients").iterdir()) == ["people.yaml"]


def test_schema_of_the_map_file(here: Path) -> None:
    result = run(here / "workspace", "schema", "import-map")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    good = {
        "columns": {
            "name.given": "Nombre",
            "title.es": "Cargo",
            "data.state": "Estado",
            "address.lines": ["Calle", "CP"],
        },
        "constants": {"gender": "f", "tags": ["governor"]},
    }
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors({"columns": {"titel": "Cargo"}}))
    assert list(validator.iter_errors({**good, "constant": {}}))
    description = schema["properties"]["columns"]["description"]
    assert description.startswith("Person fields and the header of the column")


TRICKY = [
    "no", "yes", "on", "y", "~", "null", "NULL", "06066", "1e3", "0x1F", ".inf", "1_000",
    "12:30", "2020-01-01 10:00", "a: b", "a #b", "#x", "- x", "? x", "@home", "`x`", "x, y",
    "[x]", "{x}", "=", "<<", "!tag", "&anchor", "*alias", "|", ">", "%x", "'q'", '"q"',
    "O'Brien", "100%", "café", "Ñoño Núñez", "line one\nline two",
]  # fmt: skip


def test_texts_that_yaml_would_misread_are_written_to_read_back_as_themselves(
    here: Path,
) -> None:
    """Every text of a new entry reads back as written, with letterforge's reader, with
    YAML 1.1 (PyYAML) and with YAML 1.2 (ruamel.yaml, as editors read it)."""
    import csv

    import yaml
    from ruamel.yaml import YAML

    from letterforge.workspace.yamlio import load_yaml_file

    with (here / "officials.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Nombre", "Apellidos", "Nota"])
        for number, text in enumerate(TRICKY):
            writer.writerow([text.replace("\n", " "), f"Ruiz {number}", text])
    (here / "map.yaml").write_text(
        "columns:\n  name.given: Nombre\n  name.family: Apellidos\n  data.note: Nota\n",
        encoding="utf-8",
    )
    code, _, err = import_(
        here, "officials.csv", "--map", "map.yaml", "--into", "recipients/governors.yaml"
    )
    assert code == 0, err
    path = here / "workspace/recipients/governors.yaml"
    ours = load_yaml_file(path, here / "workspace").data["people"]
    yaml_1_1 = yaml.safe_load(path.read_text(encoding="utf-8"))["people"]
    yaml_1_2 = YAML(typ="rt").load(path.read_text(encoding="utf-8"))["people"]
    for number, text in enumerate(TRICKY):
        given = " ".join(text.split())
        for people in (ours, yaml_1_1, yaml_1_2):
            assert people[number]["name"]["given"] == given
            assert people[number]["data"]["note"] == text


def test_a_sheet_where_every_row_changed_keeps_comments_and_hand_written_lines(
    here: Path,
) -> None:
    """Changed values are edited on their own lines (the quick way) or through the YAML
    round trip (a comment on the line, a new key): either way the roster reads back as the
    sheet says, and nothing written by hand is lost."""
    roster_path = here / "workspace/recipients/governors.yaml"
    roster_path.parent.mkdir(parents=True, exist_ok=True)
    roster_path.write_text(
        "people:\n"
        "  - id: ana-ruiz\n"
        "    name: {given: Ana, family: Ruiz}\n"
        "    title: {es: Gobernadora, en: Governor}\n"
        "    email: ana@old.example.mx  # her office's, not her own\n"
        "    tags: [governor]\n"
        "    salutation: {es: 'Querida Ana:'}\n"
        "\n"
        "  - id: luis-paz\n"
        "    name: {given: Luis, family: Paz}\n"
        "    title: {es: Gobernador}\n"
        "    email: luis@old.example.mx\n"
        "    tags: [governor]\n",
        encoding="utf-8",
    )
    (here / "sheet.csv").write_text(
        "Nombre,Apellidos,Cargo,Correo,Región\n"
        "Ana,Ruiz,Gobernadora interina,ana@new.example.mx,norte\n"
        'Luis,Paz,"Gobernador: electo",luis@new.example.mx,sur\n',
        encoding="utf-8",
    )
    (here / "map.yaml").write_text(
        "columns:\n  name.given: Nombre\n  name.family: Apellidos\n  title.es: Cargo\n"
        "  email: Correo\n  tags: Región\n",
        encoding="utf-8",
    )
    code, _, err = import_(
        here, "sheet.csv", "--map", "map.yaml", "--into", "recipients/governors.yaml"
    )
    assert code == 0, err
    assert roster(here) == (
        "people:\n"
        "  - id: ana-ruiz\n"
        "    name: {given: Ana, family: Ruiz}\n"
        "    title: {es: Gobernadora interina, en: Governor}\n"
        "    email: ana@new.example.mx  # her office's, not her own\n"
        "    tags: [governor, norte]\n"
        "    salutation: {es: 'Querida Ana:'}\n"
        "\n"
        "  - id: luis-paz\n"
        "    name: {given: Luis, family: Paz}\n"
        "    title: {es: 'Gobernador: electo'}\n"
        "    email: luis@new.example.mx\n"
        "    tags: [governor, sur]\n"
    )
