"""How fast ``letterforge import`` turns a 5,000-row sheet into a roster.

    python -m benchmarks.import_bench               # 5,000 rows, 5 runs of each measure
    python -m benchmarks.import_bench --rows 500 --runs 3
    python -m benchmarks.import_bench --all-changed  # also every person changed (slow)

Each figure is a median over runs of the installed ``letterforge`` command, each in a fresh
process, on a sheet written by this script (XLSX with openpyxl, and the same rows as CSV):
names with accents, a title in two languages, an email, tags, a date and a postal code per
person. Measured: a first import into a new roster, from XLSX and from CSV; the same sheet
imported again (nothing changes); a re-import in which one row in a hundred changed; and with
``--all-changed``, one in which every row did.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LETTERFORGE = str(Path(sys.executable).parent / "letterforge")
GIVEN = ["María", "José", "Ana", "Luis", "Sofía", "Jorge", "Lucía", "Andrés", "Elena", "Raúl"]
FAMILY = ["García", "Hernández", "López", "Martínez", "Pérez", "Gómez", "Díaz", "Núñez"]
HEADERS = ["Nombre", "Apellidos", "Cargo", "Title", "Correo", "Región", "Estado", "Fecha", "CP"]
MAP = """\
columns:
  name.given: Nombre
  name.family: Apellidos
  title.es: Cargo
  title.en: Title
  email: Correo
  tags: Región
  data.state: Estado
  data.since: Fecha
  data.postal_code: CP
constants:
  tags: [official]
  languages: [es]
"""


def rows(count: int, changed_every: int = 0) -> list[list[object]]:
    """The sheet's rows; with ``changed_every``, every such row has a new title."""
    result: list[list[object]] = []
    for number in range(count):
        title = "Presidenta Municipal" if number % 2 else "Presidente Municipal"
        if changed_every and number % changed_every == 0:
            title += " Interina"
        result.append(
            [
                GIVEN[number % len(GIVEN)],
                f"{FAMILY[number % len(FAMILY)]} {FAMILY[number // len(FAMILY) % len(FAMILY)]}",
                title,
                "Mayor",
                f"alcaldia{number}@municipio.example.mx",
                "norte, frontera" if number % 3 == 0 else "centro",
                f"Estado {number % 32 + 1}",
                datetime.date(2024, 10, 1) + datetime.timedelta(days=number % 90),
                f"{number % 99999:05d}",
            ]
        )
    return result


def write_sheets(folder: Path, count: int, changed_every: int = 0) -> None:
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Municipios"
    sheet.append(HEADERS)
    for row in rows(count, changed_every):
        sheet.append(row)
    book.save(folder / "officials.xlsx")
    with (folder / "officials.csv").open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        for row in rows(count, changed_every):
            writer.writerow(
                [value.isoformat() if isinstance(value, datetime.date) else value for value in row]
            )


def timed_import(workspace: Path, source: Path, *, fresh: bool) -> float:
    """Seconds one ``letterforge import`` took; with ``fresh``, into a new roster."""
    roster = workspace / "recipients/officials.yaml"
    if fresh:
        roster.unlink(missing_ok=True)
    command = [
        LETTERFORGE, "-C", str(workspace), "import", str(source),
        "--map", str(workspace.parent / "map.yaml"), "--into", "recipients/officials.yaml",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def show(label: str, times: list[float]) -> None:
    spread = ", ".join(f"{value:.2f}" for value in times)
    print(f"{label:<40} {statistics.median(times):6.2f} s   (runs: {spread})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--all-changed", action="store_true", help="also a re-import that changes every person"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="letterforge-import-bench-") as scratch:
        folder = Path(scratch)
        subprocess.run(
            [LETTERFORGE, "init", str(folder / "workspace")], check=True, capture_output=True
        )
        workspace = folder / "workspace"
        (folder / "map.yaml").write_text(MAP, encoding="utf-8")
        write_sheets(folder, options.rows)
        print(f"{options.rows:,} rows, {options.runs} runs each, the installed letterforge")
        for kind in ("xlsx", "csv"):
            source = folder / f"officials.{kind}"
            show(
                f"new roster from {kind.upper()}",
                [timed_import(workspace, source, fresh=True) for _ in range(options.runs)],
            )
        source = folder / "officials.xlsx"
        show(
            "the same XLSX again (no change)",
            [timed_import(workspace, source, fresh=False) for _ in range(options.runs)],
        )
        kept = folder / "kept.yaml"
        shutil.copy(workspace / "recipients/officials.yaml", kept)
        changes = [(100, "XLSX with 1 row in 100 changed")]
        if options.all_changed:
            changes.append((1, "XLSX with every row changed"))
        for changed_every, label in changes:
            write_sheets(folder, options.rows, changed_every=changed_every)
            times = []
            for _ in range(options.runs):
                shutil.copy(kept, workspace / "recipients/officials.yaml")
                times.append(timed_import(workspace, source, fresh=False))
            show(label, times)


if __name__ == "__main__":
    main()
