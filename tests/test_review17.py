"""Mistakes a review of issue 17 (recipient data, offices over time, import) found by trying to
break the new features, each pinned through the command line as a user meets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_workspace, run
from tests.test_import import MAP
from tests.test_recipient_data import GOVERNORS, governors

GUARDED = "{% if recipient.data.{KEY} is defined %}Note: {{ recipient.data.{KEY} }}.{% endif %}\n"


@pytest.mark.parametrize("key", ["keys", "items", "values", "get", "copy"])
def test_a_fact_named_like_a_dict_method_is_undefined_for_who_lacks_it(
    tmp_path: Path, key: str
) -> None:
    # corral has the fact; alfaro does not. The guard must leave alfaro's letter without it,
    # not print Python's "<built-in method keys of PersonData object at 0x7f...>".
    workspace = governors(tmp_path, "{tags: [governor]}")
    roster = workspace / "recipients/people.yaml"
    roster.write_text(
        GOVERNORS.replace("      state: Chihuahua\n", f"      state: Chihuahua\n      {key}: X\n"),
        encoding="utf-8",
    )
    template = workspace / "templates/note/letter.en.md.j2"
    template.write_text(GUARDED.replace("{KEY}", key), encoding="utf-8")
    (workspace / "templates/note/letter.es.md.j2").write_text(
        GUARDED.replace("{KEY}", key).replace("Note", "Nota"), encoding="utf-8"
    )
    corral = run(workspace, "preview", "note", "--to", "corral", "--lang", "en")
    assert "Note: X." in corral.stdout
    alfaro = run(workspace, "preview", "note", "--to", "alfaro", "--lang", "en")
    assert "built-in method" not in alfaro.stdout
    assert "Note:" not in alfaro.stdout


def test_unguarded_dict_method_fact_is_an_error_naming_the_person(tmp_path: Path) -> None:
    workspace = governors(tmp_path, "{tags: [governor]}")
    (workspace / "recipients/people.yaml").write_text(
        GOVERNORS.replace("      state: Chihuahua\n", "      state: Chihuahua\n      keys: X\n"),
        encoding="utf-8",
    )
    for lang in ("en", "es"):
        (workspace / f"templates/note/letter.{lang}.md.j2").write_text(
            "Keys: {{ recipient.data.keys }}.\n", encoding="utf-8"
        )
    result = run(workspace, "check")
    assert result.exit_code == 1, result.output
    assert "alfaro has no 'keys' in their data" in result.output


def test_a_fact_in_the_recipients_own_regional_languages_is_localized(tmp_path: Path) -> None:
    # Sidhu reads fr-CA and en-CA; his title may say {fr-CA: ...}, and so may his facts:
    # such a fact is localized, never taken for plain data printed as a Python dict.
    workspace = make_workspace(
        tmp_path / "workspace",
        {
            "letterforge.yaml": "sender:\n  name: Example Association\nlanguages: [en, fr]\n",
            "recipients/people.yaml": (
                "people:\n"
                "  - id: sidhu\n"
                "    name: {given: Maninder, family: Sidhu}\n"
                "    gender: m\n"
                "    honorific: {en-CA: Minister}\n"
                "    office: {fr-CA: Ministre}\n"
                "    languages: [fr-CA, en-CA]\n"
                "    data:\n"
                "      province: {en-CA: Ontario, fr-CA: l'Ontario}\n"
                "  - id: sam\n"
                "    name: {given: Sam, family: Lee}\n"
                "    title: Director\n"
            ),
            "templates/note/letter.en.md.j2": "About {{ recipient.data.province }}.\n",
            "templates/note/letter.fr.md.j2": "Au sujet de {{ recipient.data.province }}.\n",
            "campaigns/note.yaml": (
                "title: {en: Note, fr: Note}\ndate: 2024-05-02\ntemplate: note\n"
                "to: [sidhu]\nfrom: [sam]\n"
            ),
        },
    )
    assert run(workspace, "check").exit_code == 0
    english = run(workspace, "preview", "note", "--to", "sidhu", "--lang", "en-CA").stdout
    french = run(workspace, "preview", "note", "--to", "sidhu", "--lang", "fr-CA").stdout
    assert "About Ontario." in english
    assert "Au sujet de l’Ontario." in french or "Au sujet de l'Ontario." in french


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_workspace(tmp_path / "workspace", {})
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    return tmp_path


IMPORT = ("import", "officials.csv", "--map", "map.yaml", "--into", "recipients/governors.yaml")


def test_a_csv_with_an_unclosed_quote_is_an_error_not_one_giant_name(here: Path) -> None:
    # The quote opened in row 2 is never closed: read leniently, the rest of the file would
    # be one cell, and one person whose family name holds three rows.
    (here / "officials.csv").write_text(
        "Nombre,Apellidos,Cargo,Correo\n"
        'Ana,"Ruiz,Gobernadora,ana@colima.example.mx\n'
        "Beto,Soto,Gobernador,beto@nl.example.mx\n"
        "Carla,Mora,Gobernadora,carla@son.example.mx\n",
        encoding="utf-8",
    )
    result = run(here / "workspace", *IMPORT)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("officials.csv:2"), result.stderr
    assert not (here / "workspace/recipients/governors.yaml").exists()


def test_a_sheet_with_a_header_and_no_people_writes_no_broken_roster(here: Path) -> None:
    # A roster of nobody ("people:" alone) is one check refuses, and it would break every
    # campaign of the workspace: nothing is written.
    (here / "officials.csv").write_text("Nombre,Apellidos,Cargo,Correo\n", encoding="utf-8")
    result = run(here / "workspace", *IMPORT)
    written = here / "workspace/recipients/governors.yaml"
    assert result.exit_code == 1 or not written.exists(), written.read_text(encoding="utf-8")
    assert run(here / "workspace", "check").exit_code == 0


def test_a_merge_keeps_a_crlf_rosters_line_endings(here: Path) -> None:
    # "the lines of everyone the import does not change stay as they are", line endings
    # too: a roster saved on Windows (CRLF) keeps them.
    (here / "officials.csv").write_text(
        "Nombre,Apellidos,Cargo,Correo\nJuan,Pérez,Gobernador,juan@colima.example.mx\n",
        encoding="utf-8",
    )
    assert run(here / "workspace", *IMPORT).exit_code == 0
    roster = here / "workspace/recipients/governors.yaml"
    lines = roster.read_bytes().replace(b"\n", b"\r\n")
    roster.write_bytes(lines + b"  - id: ana\r\n    name: {given: Ana, family: Ruiz}\r\n")
    (here / "officials.csv").write_text(
        "Nombre,Apellidos,Cargo,Correo\nJuan,Pérez,Gobernador,juan@col.example.mx\n",
        encoding="utf-8",
    )
    # ana is a hand-added person the sheet does not have; people.yaml holds another ana.
    (here / "workspace/recipients/people.yaml").write_text(
        (here / "workspace/recipients/people.yaml")
        .read_text(encoding="utf-8")
        .replace("id: ana", "id: ana-r"),
        encoding="utf-8",
    )
    assert run(here / "workspace", *IMPORT).exit_code == 0
    after = roster.read_bytes()
    assert b"    name: {given: Ana, family: Ruiz}\r\n" in after


def test_namesakes_reordered_in_the_sheet_do_not_swap_ids_silently(here: Path) -> None:
    # Two governors named Juan Pérez, ids made from names. The directory is re-sorted (by
    # state) and imported again: juan-perez, whose campaign entries, hand-added fields and
    # letters in build/ are Colima's, must stay Colima's, never silently Tabasco's.
    (here / "map.yaml").write_text(
        MAP.replace("  email: Correo\n", "  email: Correo\n  data.state: Estado\n"),
        encoding="utf-8",
    )
    header = "Nombre,Apellidos,Cargo,Correo,Estado\n"
    colima = "Juan,Pérez,Gobernador,juan@colima.example.mx,Colima\n"
    tabasco = "Juan,Pérez,Gobernador,juan@tabasco.example.mx,Tabasco\n"
    sheet = here / "officials.csv"
    sheet.write_text(header + colima + tabasco, encoding="utf-8")
    assert run(here / "workspace", *IMPORT).exit_code == 0
    roster = here / "workspace/recipients/governors.yaml"
    first = roster.read_text(encoding="utf-8")
    assert first.index("id: juan-perez\n") < first.index("Colima") < first.index("juan-perez-2")
    sheet.write_text(header + tabasco + colima, encoding="utf-8")
    result = run(here / "workspace", *IMPORT)
    after = roster.read_text(encoding="utf-8")
    kept = after.index("id: juan-perez\n") < after.index("Colima") < after.index("juan-perez-2")
    assert kept or result.exit_code != 0 or "warning" in result.stderr, after


def test_namesakes_nothing_tells_apart_are_an_error_at_their_cells(here: Path) -> None:
    (here / "map.yaml").write_text(MAP, encoding="utf-8")
    sheet = here / "officials.csv"
    row = "Juan,Pérez,Gobernador,\n"
    sheet.write_text("Nombre,Apellidos,Cargo,Correo\n" + row + row, encoding="utf-8")
    assert run(here / "workspace", *IMPORT).exit_code == 0  # juan-perez and juan-perez-2
    before = (here / "workspace/recipients/governors.yaml").read_text(encoding="utf-8")
    result = run(here / "workspace", *IMPORT)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "officials.csv:2:col 1: error: name: the roster has 2 people named Juan Pérez, and "
        "nothing else in this row tells which one this is: give the people ids in a column "
        "(columns: {id: ...})"
    )
    assert (here / "workspace/recipients/governors.yaml").read_text(encoding="utf-8") == before
