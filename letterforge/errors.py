"""The one exception hierarchy: every error a user can cause names a place to fix it.

Errors are printed in the compiler style editors understand,
``recipients/mx.yaml:14:5: error: people[3].title: no Spanish (es) value``,
as one line on stderr, by click at the CLI boundary.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Location:
    """A place in a workspace file; ``line`` and ``column`` count from 1."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class CellLocation(Location):
    """A place in a spreadsheet, named as its users name it: ``officials.xlsx:Gobernadores!G3``
    in a workbook (``line`` is the row, ``column`` the column's number, from 1), and
    ``officials.csv:14:col 7`` in a CSV file, which has no sheet. Sorted as any location."""

    sheet: str | None = None

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}:{self.sheet}" if self.sheet else self.path
        return f"{self.path}:{self.cell}"

    @property
    def cell(self) -> str:
        """The place without the file: ``Gobernadores!G3``, ``Gobernadores!3:3`` (a row), or
        ``14:col 7``."""
        if self.sheet is None:
            return f"{self.line}:col {self.column}" if self.column else str(self.line)
        sheet = self.sheet
        if not re.fullmatch(r"[^\W\d]\w*", sheet):  # Excel quotes such names: 'Hoja 1'!A1
            sheet = "'" + sheet.replace("'", "''") + "'"
        if self.column is None:
            return f"{sheet}!{self.line}:{self.line}"
        return f"{sheet}!{column_letters(self.column)}{self.line}"


def column_letters(number: int) -> str:
    """A spreadsheet column's letters: 1 → ``A``, 27 → ``AA``."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in a workspace: where it is, how bad, and what to do."""

    location: Location | None
    message: str
    severity: Severity = "error"

    def sort_key(self) -> tuple[str, int, int]:
        where = self.location or Location("")
        return (where.path, where.line or 0, where.column or 0)

    def __str__(self) -> str:
        if self.location is None:
            return f"{self.severity}: {self.message}"
        return f"{self.location}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        where = self.location or Location("")
        return {
            "path": where.path or None,
            "line": where.line,
            "column": where.column,
            "severity": self.severity,
            "message": self.message,
        }


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings without repeats, sorted by file, line and column."""
    return sorted(dict.fromkeys(findings), key=Finding.sort_key)


class LetterforgeError(Exception):
    """Root of every error letterforge reports to a user.

    The command line prints its findings, one per line, and exits with ``exit_code``: 1, or
    the code the error was made with (the only way to set one: an interrupted build exits
    with its signal's).
    """

    def __init__(
        self, message: str, location: Location | None = None, *, exit_code: int = 1
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.exit_code = exit_code

    @property
    def findings(self) -> list[Finding]:
        """The problems this error reports: one, or several for :class:`Problems`."""
        return [Finding(self.location, self.message)]

    def format_message(self) -> str:
        """What the command line prints: each finding on a line of its own."""
        return "\n".join(str(finding) for finding in self.findings)

    def __str__(self) -> str:
        return self.message


class Problems(LetterforgeError):
    """Several problems found at once, reported one per line, sorted by place."""

    def __init__(self, problems: Iterable[LetterforgeError | Finding]) -> None:
        findings: list[Finding] = []
        for problem in problems:
            findings.extend(
                problem.findings if isinstance(problem, LetterforgeError) else [problem]
            )
        self._findings = sorted_findings(findings)
        first = self._findings[0]
        super().__init__(first.message, first.location)

    @property
    def findings(self) -> list[Finding]:
        return self._findings


class Collector:
    """Gathers problems so that one run reports all of them, not just the first.

    ::

        problems = Collector()
        for path in rosters:
            with problems.collect():
                load(path)
        problems.raise_if_any()
    """

    def __init__(self) -> None:
        self.errors: list[LetterforgeError] = []
        self.warnings: list[Finding] = []  # reported, but they stop nothing

    @contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except LetterforgeError as err:
            self.errors.append(err)

    def raise_if_any(self) -> None:
        if self.errors:
            raise Problems(self.errors)


class ConfigError(LetterforgeError):
    """A workspace file (settings, roster, campaign) is malformed or inconsistent."""


class TemplateError(LetterforgeError):
    """A template cannot be found, parsed or rendered."""


class OutputError(LetterforgeError):
    """A letter could not be written to ``build/``."""


class DeliveryError(LetterforgeError):
    """Email could not be drafted or sent: no delivery settings, a mail server that cannot be
    reached or trusted, a letter that is not ready to go."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'title'?)`` when ``word`` nearly matches one of ``choices``, else ``""``."""
    import difflib

    candidates = list(choices)
    if len(candidates) > 2_000:  # a hint is not worth seconds of comparing
        return ""
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def relative_path(path: Path, root: Path) -> str:
    """Show ``path`` relative to the workspace root when it lies inside it."""
    # Not resolve(): a symbolic link is shown where it stands, not where it leads.
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return str(path)
