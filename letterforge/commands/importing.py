"""``letterforge import``: people from a spreadsheet (CSV or XLSX) into a roster, through a map
file that says which column holds which field.

Every problem is found before anything is written, each at its cell
(``officials.xlsx:Gobernadores!G3: error: email: 'x@' is not an email address``) or at its line
of the map; a file with any error writes nothing. Ids come from an id column, or are made from
names and kept stable across imports; people are merged into the roster by id
(:mod:`letterforge.commands.roster_merge`).
"""

from __future__ import annotations

import copy
import datetime
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from letterforge.commands.person_ids import Imported, assign_ids, ids_elsewhere
from letterforge.commands.roster_merge import (
    FIELD_ORDER,
    Merged,
    Roster,
    merge_people,
    missing_message,
    read_roster,
)
from letterforge.errors import (
    CellLocation,
    ConfigError,
    Finding,
    LetterforgeError,
    Location,
    Problems,
    did_you_mean,
)
from letterforge.workspace.campaign import resolve_scalars
from letterforge.workspace.import_map import FieldTarget, LoadedMap, load_import_map
from letterforge.workspace.model import FILE_NAME, Person, tidy_text
from letterforge.workspace.spreadsheet import BrokenFormula, CellValue, Sheet, read_spreadsheet
from letterforge.workspace.yamlio import (
    FORBIDDEN_CHARACTERS,
    YamlDocument,
    YamlPath,
    forbidden_character_message,
    format_field_path,
)

# Names every person needs, and what to call them in a message.
REQUIRED_NAMES = {("name", "given"): "given name", ("name", "family"): "family name"}
# How a cell holds several items of a list: tags and languages by commas, lines by lines.
LIST_SEPARATORS = {"tags": ",", "languages": r"[,\s]", "address.lines": r"\n"}


@dataclass
class ImportResult:
    """What an import did, or with ``dry_run`` would do."""

    roster: str
    """The roster file, as messages name it."""
    source: str
    """The spreadsheet (and sheet), as messages name it."""
    merged: Merged
    warnings: list[Finding]
    diff: list[str]
    """With ``dry_run``: the change to the roster as a unified diff, line by line."""
    dry_run: bool

    def summary(self) -> str:
        """``recipients/x.yaml: 32 people from officials.xlsx:Gobernadores: 2 new, ...``."""
        merged = self.merged
        people = len(merged.added) + len(merged.updated) + len(merged.unchanged)
        text = (
            f"{self.roster}: {people} {'person' if people == 1 else 'people'} from "
            f"{self.source}: {len(merged.added)} new, {len(merged.updated)} updated, "
            f"{len(merged.unchanged)} unchanged"
        )
        if merged.missing:
            text += f"; {len(merged.missing)} in the roster but not in the sheet, kept"
        return text + ("; nothing written (--dry-run)" if self.dry_run else "")


@dataclass
class _Row:
    """One row becoming a person: the mapping so far, and where each value came from."""

    number: int
    location: CellLocation
    person: dict[str, Any] = field(default_factory=dict)
    origins: dict[YamlPath, Location] = field(default_factory=dict)
    failed: list[YamlPath] = field(default_factory=list)
    """The fields whose cells had a problem, already reported."""


def import_roster(
    root: Path,
    source: Path,
    *,
    map_path: Path,
    into: str,
    sheet: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import the people of spreadsheet ``source`` into roster ``into`` (``recipients/NAME
    .yaml``, in workspace ``root``) as map file ``map_path`` says; with ``dry_run``, write
    nothing and give the change as a diff. Raises :class:`Problems` with every mistake."""
    from letterforge.build.outputs import replace_file

    target = roster_path(root, into)
    loaded = load_import_map(map_path, str(map_path))
    table = read_spreadsheet(source, str(source), sheet=sheet)
    if not table.rows:  # a roster needs someone in it: an empty one breaks every campaign
        where = table.location(table.header_row)
        raise ConfigError("no people: the sheet has no row under its header row", where)
    columns = _find_columns(loaded, table)
    roster = read_roster(target, root)
    rows = _read_people(loaded, columns, table, roster, ids_elsewhere(root, target))
    merged = merge_people(roster, [row.person for row in rows])
    source_name = str(table.location())
    warnings = [
        Finding(*missing_message(roster, index, source_name), severity="warning")
        for index in merged.missing
    ]
    result = ImportResult(roster.shown, source_name, merged, warnings, [], dry_run)
    if dry_run:
        result.diff = _unified_diff(roster, merged.text)
    elif merged.text != roster.text or roster.document is None:
        _check_readable(merged.text, roster.shown)
        target.parent.mkdir(exist_ok=True)
        # A roster saved with Windows line endings keeps them: one changed line is one line.
        replace_file(target, merged.text.replace("\n", roster.newline).encode("utf-8"))
    return result


def roster_path(root: Path, into: str) -> Path:
    """The roster file ``--into`` names: ``recipients/NAME.yaml`` in the workspace."""
    path = Path(into)
    if path.is_absolute():
        try:
            path = path.relative_to(root.resolve())
        except ValueError:
            path = Path("outside")
    parts = PurePosixPath(path.as_posix()).parts
    if not (
        len(parts) == 2
        and parts[0] == "recipients"
        and parts[1].endswith(".yaml")
        and FILE_NAME.fullmatch(parts[1].removesuffix(".yaml"))
    ):
        raise ConfigError(
            f"--into {into!r}: import writes a roster of the workspace, a file recipients/NAME.yaml"
        )
    target = root / "recipients" / parts[1]
    for link in (root / "recipients", target):
        if link.is_symlink():
            raise ConfigError(
                f"--into {into!r}: {link.relative_to(root).as_posix()} is a symbolic link: "
                "import writes only real files inside the workspace"
            )
    return target


def _find_columns(loaded: LoadedMap, table: Sheet) -> list[tuple[FieldTarget, list[int]]]:
    """Each mapped field and the indexes (from 0) of its columns; every header the map names
    must head exactly one column."""
    if not table.headers:
        raise ConfigError(
            "has no header row: its first row that is not blank names the columns",
            table.location(),
        )
    problems: list[LetterforgeError] = []
    found = []
    for target, headers in loaded.columns:
        indexes = []
        for header in headers:
            where = loaded.location("columns", target.key)
            columns = table.headers.get(" ".join(header.split()), [])
            if not columns:
                hint = did_you_mean(header, table.headers) or (
                    f"; its columns: {', '.join(table.headers)}"
                )
                message = f"no column {header!r} in {table.location()}{hint}"
                problems.append(ConfigError(f"columns.{target.key}: {message}", where))
            elif len(columns) > 1:
                cells = " and ".join(table.location(table.header_row, c).cell for c in columns)
                message = f"{header!r} heads two columns, {cells}: rename one"
                problems.append(ConfigError(f"columns.{target.key}: {message}", where))
            else:
                indexes.append(columns[0] - 1)
        found.append((target, indexes))
    if problems:
        raise Problems(problems)
    return found


def _read_people(
    loaded: LoadedMap,
    columns: list[tuple[FieldTarget, list[int]]],
    table: Sheet,
    roster: Roster,
    elsewhere: dict[str, Location],
) -> list[_Row]:
    """The people of the sheet's rows, with ids, each checked as a roster's person."""
    problems: list[LetterforgeError] = []
    rows = []
    for number, cells in table.rows:
        row = _Row(number, table.location(number))
        for target, indexes in columns:
            for index in indexes:
                cell = cells[index] if index < len(cells) else None
                cell_location = table.location(number, index + 1)
                try:
                    _take(row, target, cell, cell_location)
                except ValueError as err:
                    problems.append(ConfigError(f"{target.key}: {err}", cell_location))
                    row.failed.append(target.path)
        for target, value in loaded.constants:
            _put_constant(row, target, value, loaded.location("constants", target.key))
        rows.append(row)
    id_column = next((t for t, _ in columns if t.key == "id"), None) is not None
    imported = [
        Imported(row.person, row.origins.get(("id",)) if id_column else None, row.location)
        for row in rows
    ]
    for entry, row in zip(imported, rows, strict=True):
        entry.name_cell = row.origins.get(("name", "given"), row.location)
    problems += assign_ids(imported, roster.people, elsewhere)
    for row in rows:
        row.person = _ordered(row.person, ())
        for loc, message in person_problems(row.person):
            if any(loc[: len(path)] == path or path[: len(loc)] == loc for path in row.failed):
                continue  # the cell's problem is reported
            where: Location = _origin(row.origins, loc) or row.location
            problems.append(ConfigError(f"{format_field_path(loc)}: {message}", where))
    if problems:
        raise Problems(problems)
    return rows


def _take(row: _Row, target: FieldTarget, cell: CellValue, where: CellLocation) -> None:
    """Put what ``cell`` says into the row's person, at ``target``."""
    if isinstance(cell, BrokenFormula):
        raise ValueError(cell.problem())
    if cell is None:
        if target.path in REQUIRED_NAMES:
            needed = REQUIRED_NAMES[target.path]
            raise ValueError(f"the cell is empty: every person needs a {needed}")
        if target.key == "id":
            raise ValueError("the cell is empty: the map takes every id from this column")
        return
    if target.kind == "data":
        value: Any = _data_value(cell)
    elif target.kind == "list":
        text = _text(cell, keep_lines=target.key == "address.lines")
        pattern = LIST_SEPARATORS[target.key]
        items = [item.strip() for item in re.split(pattern, text) if item.strip()]
        value = [*_get(row.person, target.path, []), *items]  # several columns: all
    else:
        value = _text(cell)
        if target.key == "gender":
            value = value.lower()
        elif target.key == "email":
            _check_email(value)
    _put(row.person, target.path, value)
    row.origins[target.path] = where


def _put_constant(row: _Row, target: FieldTarget, value: Any, where: Location) -> None:
    """Give the row's person a constant of the map (a fresh copy: rows share nothing)."""
    if target.key == "tags":  # added to the tags of a column
        tags = list(value) + [tag for tag in row.person.get("tags", []) if tag not in value]
        row.person["tags"] = tags
        row.origins.setdefault(target.path, where)
        return
    _put(row.person, target.path, copy.deepcopy(value))
    row.origins[target.path] = where


def _get(person: dict[str, Any], path: tuple[str, ...], default: Any) -> Any:
    node: Any = person
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def _put(person: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = person
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _text(cell: CellValue, *, keep_lines: bool = False) -> str:
    """A cell as text: numbers as written (a workbook's 6066.0 as 6066), text tidied (on one
    line, unless ``keep_lines``)."""
    if isinstance(cell, bool):
        raise ValueError(f"expected text, not {'TRUE' if cell else 'FALSE'}")
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    if not isinstance(cell, str):
        raise ValueError(f"expected text, not the date or time {_shown(cell)}")
    text: str = tidy_text(cell, keep_lines=keep_lines)
    forbidden = FORBIDDEN_CHARACTERS.search(text)
    if forbidden:
        raise ValueError(forbidden_character_message(forbidden.group()))
    return text


def _shown(cell: CellValue) -> str:
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date().isoformat()
    return cell.isoformat(sep=" ") if isinstance(cell, datetime.datetime) else str(cell)


def _data_value(cell: CellValue) -> Any:
    """A cell as a fact about a person, typed as a campaign's ``vars`` are: whole numbers,
    true/false and dates (a workbook's date cells, ISO dates in text), else text."""
    if isinstance(cell, datetime.datetime):
        if cell.time() != datetime.time():
            raise ValueError(
                f"{_shown(cell)} has a time of day: a fact is a date; format the cell as a date"
            )
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, datetime.time | datetime.timedelta):
        raise ValueError(f"{cell} is a time: a fact is a number, a date or text")
    if isinstance(cell, bool | int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    try:
        return resolve_scalars(_text(cell, keep_lines=True), YamlDocument("", None), ())
    except ConfigError as err:
        raise ValueError(err.message.removeprefix(": ")) from None


def _check_email(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(f"{address!r} is not an email address") from None


def person_problems(person: dict[str, Any]) -> list[tuple[YamlPath, str]]:
    """What is wrong with an imported person, as (field path, message): the roster model's
    check, and the shape of each fact a column gives (a roster's ``data`` may hold lists and
    mappings, but a cell holds one value)."""
    from pydantic import ValidationError

    problems = _data_problems(person.get("data", {}))
    try:
        Person.model_validate(person)
    except ValidationError as err:
        for error in err.errors():
            loc = tuple(part for part in error["loc"] if isinstance(part, int) or "[" not in part)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "literal_error":
                choices = message.removeprefix("Input should be ")
                message = f"{error['input']!r} is not one of {choices}"
            problems.append((loc, message))
    return problems


def _data_problems(data: dict[str, Any]) -> list[tuple[YamlPath, str]]:
    """Facts must be whole numbers, true/false, dates, text, or text per language."""
    from letterforge.workspace.languages import LANGUAGE_TAG, language_tag_problem

    problems: list[tuple[YamlPath, str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            for lang, text in value.items():
                if not LANGUAGE_TAG.fullmatch(lang):
                    problems.append((("data", key), language_tag_problem(lang)))
                elif not isinstance(text, str):
                    problems.append((("data", key, lang), "expected text"))
        elif not isinstance(value, str | int | datetime.date):
            message = "expected a number, a date, text, or text per language"
            problems.append((("data", key), message))
    return problems


def _origin(origins: dict[YamlPath, Location], loc: YamlPath) -> Location | None:
    """Where the value at ``loc`` (or the nearest around or inside it) came from."""
    probe = loc
    while probe:
        if probe in origins:
            return origins[probe]
        probe = probe[:-1]
    return next((where for path, where in origins.items() if path[: len(loc)] == loc), None)


def _ordered(mapping: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """A person's keys in the order a roster writes them: id, name, gender ..."""
    order = FIELD_ORDER.get(path)
    if order is None:
        return mapping
    ranked = sorted(mapping, key=lambda key: order.index(key) if key in order else len(order))
    return {
        key: _ordered(value, (*path, key)) if isinstance(value := mapping[key], dict) else value
        for key in ranked
    }


def _unified_diff(roster: Roster, text: str) -> list[str]:
    """The change to the roster file, as ``git diff`` shows it."""
    old = "/dev/null" if roster.document is None else roster.shown
    lines = difflib.unified_diff(
        roster.text.splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=old,
        tofile=roster.shown,
    )
    return [line.rstrip("\n") for line in lines]


def _check_readable(text: str, shown: str) -> None:
    """Never write a roster letterforge's own reader refuses (a bug here, if it happens)."""
    from letterforge.workspace.yamlio import load_yaml_text

    try:
        load_yaml_text(text, shown)
    except ConfigError as err:
        problem = err.format_message()
        raise RuntimeError(f"the merged roster cannot be read back: {problem}") from err
