"""Reading a spreadsheet, CSV or XLSX, into a header row and rows of cells, each cell with its
place (``officials.xlsx:Gobernadores!G3``, ``officials.csv:14:col 7``) for error messages.

Cells keep the types the file gives them: CSV cells are text, exactly as written (``06066``
stays ``06066``); workbook cells are text, numbers, true/false or dates, and a formula whose
value was never saved (or that failed) is a :class:`BrokenFormula`, never a blank. What a cell
means is for the importer to say.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from letterforge.errors import CellLocation, ConfigError, Location, did_you_mean

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
# What Excel shows in a cell whose formula failed.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


@dataclass(frozen=True)
class BrokenFormula:
    """A formula cell without a value to import: either its value was never saved (programs
    that do not compute formulas, such as some exports, write the formula alone), or it shows
    one of Excel's errors, ``#REF!``."""

    formula: str
    error: str | None = None

    def problem(self) -> str:
        """What is wrong, and what to do."""
        if self.error is not None:
            return f"the formula {self.formula} shows the error {self.error}: correct it"
        return (
            f"the formula {self.formula} has no saved value: open the file in Excel or "
            "LibreOffice and save it, so that its values are stored"
        )


CellValue = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
    | BrokenFormula
    | None
)


@dataclass
class Sheet:
    """A sheet's header row and the rows under it that are not blank."""

    shown: str
    """The file as messages name it."""
    name: str | None
    """The workbook sheet's name; None for a CSV file."""
    header_row: int = 1
    headers: dict[str, list[int]] = field(default_factory=dict)
    """Each header, and the numbers (from 1) of the columns it heads: one, unless repeated."""
    rows: list[tuple[int, tuple[CellValue, ...]]] = field(default_factory=list)
    """Each row's number (a CSV file's line) and its cells, left to right."""

    def location(self, row: int | None = None, column: int | None = None) -> CellLocation:
        """The place of a cell, a row, or (with neither) the sheet."""
        return CellLocation(self.shown, row, column, sheet=self.name)


def read_spreadsheet(path: Path, shown: str, *, sheet: str | None = None) -> Sheet:
    """Read ``path``, a CSV or XLSX file; ``sheet`` names a workbook's sheet (default: the
    first). Errors name the file as ``shown``."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise ConfigError(
                f"--sheet {sheet!r}: a CSV file has no sheets; leave --sheet out", Location(shown)
            )
        return _read_csv(path, shown)
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path, shown, sheet)
    if suffix == ".xls":
        raise ConfigError(
            "is in the old Excel format (.xls): save it as an Excel workbook (.xlsx) or as "
            "CSV UTF-8, and import that",
            Location(shown),
        )
    raise ConfigError(
        "cannot import this kind of file: give a spreadsheet saved as .xlsx or as CSV UTF-8 (.csv)",
        Location(shown),
    )


def _decode(data: bytes, shown: str) -> str:
    """CSV bytes as text: UTF-8, with or without the byte-order mark Excel writes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigError(
            'is UTF-16 text (Excel\'s "Unicode Text"): save it as "CSV UTF-8 (Comma '
            'delimited)" and import that',
            Location(shown),
        )
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        try:
            data.decode("cp1252")
            guess = "it looks like Latin-1 (Windows-1252)"
        except UnicodeDecodeError:
            guess = "its encoding is another"
        raise ConfigError(
            f"not UTF-8 text: byte 0x{data[err.start]:02X} cannot be UTF-8, and {guess}; save "
            'the file as "CSV UTF-8 (Comma delimited)" (in Excel: File, Save As), or convert '
            "it with: iconv -f WINDOWS-1252 -t UTF-8",
            CellLocation(shown, line),
        ) from None


def _delimiter(text: str) -> str:
    """The delimiter of the header line: a comma, or the semicolon Excel writes where the
    decimal mark is a comma, or a tab."""
    first = text.split("\n", 1)[0]
    counts = {mark: first.count(mark) for mark in (",", ";", "\t")}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ","


def _read_csv(path: Path, shown: str) -> Sheet:
    try:
        text = _decode(path.read_bytes(), shown)
    except OSError as err:
        raise ConfigError(f"cannot read file: {err.strerror}", Location(shown)) from err
    text = unicodedata.normalize("NFC", text)
    result = Sheet(shown, None)
    # Strict: a quote never closed would otherwise take the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    line = 1
    try:
        for record in reader:
            _add_row(result, line, tuple(cell if cell.strip() else None for cell in record))
            line = reader.line_num + 1
    except csv.Error as err:
        message = f"not a CSV file: {err}"
        if "unexpected end of data" in str(err):
            message = (
                'a quoted cell that starts in this row is never closed (a " is missing): '
                "the rest of the file would be one cell"
            )
        raise ConfigError(message, CellLocation(shown, line)) from None
    return result


def _add_row(sheet: Sheet, number: int, cells: tuple[CellValue, ...]) -> None:
    """Keep a row that is not blank: the first is the header row."""
    if all(cell is None for cell in cells):
        return
    if sheet.headers or sheet.rows:
        sheet.rows.append((number, cells))
        return
    sheet.header_row = number
    for column, cell in enumerate(cells, start=1):
        if cell is None or isinstance(cell, BrokenFormula):
            continue
        header = cell.isoformat() if isinstance(cell, datetime.date) else str(cell)
        sheet.headers.setdefault(" ".join(header.split()), []).append(column)


def _read_workbook(path: Path, shown: str, name: str | None) -> Sheet:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    def open_book(data_only: bool) -> Any:
        try:
            with warnings.catch_warnings():
                # Files from other programs draw warnings (no default style, unsupported
                # extensions) about parts an import does not read.
                warnings.simplefilter("ignore")
                return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as err:
            raise ConfigError(
                f"cannot read this workbook ({err}): open it in Excel or LibreOffice and save "
                "it again as .xlsx",
                Location(shown),
            ) from None
        except OSError as err:
            raise ConfigError(f"cannot read file: {err.strerror}", Location(shown)) from err

    values = open_book(data_only=True)
    try:
        name = _sheet_name(values.sheetnames, name, shown)
        rows = _rows(values[name], Sheet(shown, name))
    finally:
        values.close()
    formulas: list[tuple[Any, ...]] = []
    # A cell without a value may hold a formula whose value was never saved: only the file
    # read again, formulas instead of values, tells. A sheet with no such cell is read once.
    if any(value is None or value in EXCEL_ERRORS for row in rows for value in row):
        book = open_book(data_only=False)
        try:
            formulas = _rows(book[name], Sheet(shown, name))
        finally:
            book.close()
    sheet = Sheet(shown, name)
    for number, row in enumerate(rows, start=1):
        written = formulas[number - 1] if number <= len(formulas) else ()
        cells = [
            _cell(value, written[index] if index < len(written) else None)
            for index, value in enumerate(row)
        ]
        _add_row(sheet, number, tuple(cells))
    return sheet


def _sheet_name(names: list[str], wanted: str | None, shown: str) -> str:
    if wanted is None:
        if not names:
            raise ConfigError("the workbook has no sheets", Location(shown))
        return names[0]
    if wanted not in names:
        listed = ", ".join(names)
        raise ConfigError(
            f"--sheet: no sheet {wanted!r} in this workbook{did_you_mean(wanted, names)}; its "
            f"sheets: {listed}",
            Location(shown),
        )
    return wanted


def _rows(worksheet: Any, sheet: Sheet) -> list[tuple[Any, ...]]:
    """Every row of a worksheet, from the first, as values."""
    if not hasattr(worksheet, "iter_rows"):
        raise ConfigError("is a chart, not a sheet of cells", sheet.location())
    # A file's own note of its used range can be wrong: read every row there is.
    worksheet.reset_dimensions()
    return list(worksheet.iter_rows(values_only=True))


def _cell(value: Any, written: Any) -> CellValue:
    """A workbook cell's value, given what the cell holds (``written``, its formula if any)."""
    is_formula = isinstance(written, str) and written.startswith("=")
    if is_formula and (value is None or value in EXCEL_ERRORS):
        return BrokenFormula(written, value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value) if value.strip() else None
    return value  # type: ignore[no-any-return]
