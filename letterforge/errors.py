"""The one exception hierarchy: every error a user can cause names a place to fix it.

Errors are printed in the compiler style editors understand,
``recipients/mx.yaml:14:5: error: people[3].title: no Spanish (es) value``,
as one line on stderr, by click at the CLI boundary.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click


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


class LetterforgeError(click.ClickException):
    """Root of every error letterforge reports to a user."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.location = location

    def format_message(self) -> str:
        if self.location is None:
            return f"error: {self.message}"
        return f"{self.location}: error: {self.message}"

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True, file=file)


class ConfigError(LetterforgeError):
    """A workspace file (settings, roster, campaign) is malformed or inconsistent."""


class TemplateError(LetterforgeError):
    """A template cannot be found, parsed or rendered."""


class OutputError(LetterforgeError):
    """A letter could not be written to ``build/``."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'title'?)`` when ``word`` nearly matches one of ``choices``, else ``""``."""
    import difflib

    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def relative_path(path: Path, root: Path) -> str:
    """Show ``path`` relative to the workspace root when it lies inside it."""
    # Not resolve(): a symbolic link is shown where it stands, not where it leads.
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return str(path)
