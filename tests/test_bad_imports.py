"""The bad-import corpus: every mistake a spreadsheet or a map file can hold, with the exact
lines ``letterforge import`` prints.

Each file in ``tests/bad_imports/`` makes a small workspace (``tests/conftest.py``'s MINIMAL,
whose roster has ``ana`` and ``sam``), a spreadsheet and a map file, runs

    letterforge import FILE --map map.yaml --into recipients/officials.yaml ARGS...

in the folder that holds them, and checks that it prints exactly the expected lines on stderr,
nothing on stdout, exits 1, and writes no roster. A case file holds:

    about: what the mistake is
    workbook:                   # officials.xlsx: sheets in order, each a list of rows; a
      Gobernadores: [[...]]     #   text starting with = is a formula (never computed), a
                                #   YAML date a date cell
    csv: TEXT                   # or officials.csv, UTF-8 (csv_hex: "..." for other bytes)
    file: NAME                  # optional: the spreadsheet's name (default officials.xlsx/.csv)
    map: TEXT                   # map.yaml
    args: [...]                 # optional: more arguments (--sheet, or --into to replace it)
    expect: [LINE, ...]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import make_workspace, run

CORPUS = Path(__file__).parent / "bad_imports"
CASES = sorted(CORPUS.glob("*.yaml"))
KEYS = {"about", "workbook", "csv", "csv_hex", "file", "map", "args", "expect"}


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) <= KEYS and {"about", "map", "expect"} <= set(case), path
    return case


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    """An XLSX file as openpyxl writes it: formulas without saved values."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def write_spreadsheet(folder: Path, case: dict[str, Any]) -> str:
    """Write the case's spreadsheet into ``folder``; return its name."""
    if "workbook" in case:
        name = case.get("file", "officials.xlsx")
        write_workbook(folder / name, case["workbook"])
    else:
        name = case.get("file", "officials.csv")
        if "csv_hex" in case:
            (folder / name).write_bytes(bytes.fromhex(case["csv_hex"]))
        else:
            (folder / name).write_text(case["csv"], encoding="utf-8")
    return name


def test_the_corpus_is_large_and_every_case_is_distinct() -> None:
    cases = [load_case(path) for path in CASES]
    assert len(cases) >= 15
    expectations = [tuple(case["expect"]) for case in cases]
    assert len(set(expectations)) == len(expectations)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_import_reports_the_mistake_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    case = load_case(path)
    workspace = make_workspace(tmp_path / "workspace", {})
    name = write_spreadsheet(tmp_path, case)
    (tmp_path / "map.yaml").write_text(case["map"], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = case.get("args", [])
    into = [] if "--into" in args else ["--into", "recipients/officials.yaml"]
    result = run(workspace, "import", name, "--map", "map.yaml", *into, *args)
    assert result.stderr == "".join(line + "\n" for line in case["expect"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert sorted(p.name for p in (workspace / "recipients").iterdir()) == ["people.yaml"]
