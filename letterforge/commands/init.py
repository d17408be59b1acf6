"""``letterforge init``: a new workspace that ``letterforge build`` renders as it is.

The files come from ``letterforge/starter/``: settings, a roster, one letter in English and
Spanish, one campaign dated the day the workspace is made, a ``.gitignore`` that keeps
``build/`` out of git, and a README for the people who will edit the letters.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from letterforge.errors import ConfigError

STARTER = Path(__file__).resolve().parent.parent / "starter"
# Package data cannot hold a file named .gitignore (build tools leave hidden files out).
RENAMED = {"gitignore": ".gitignore"}
# The example consultation closes this many days after the letter is dated.
CONSULTATION_DAYS = 30


def starter_files(today: datetime.date) -> dict[str, str]:
    """The new workspace's files, by path, with the campaign dated ``today``."""
    files = {}
    for source in sorted(STARTER.rglob("*")):
        if not source.is_file():
            continue
        name = source.relative_to(STARTER).as_posix()
        text = source.read_text(encoding="utf-8")
        if name.startswith("campaigns/"):
            closes = today + datetime.timedelta(days=CONSULTATION_DAYS)
            text = text.replace("{today}", today.isoformat()).replace(
                "{closes}", closes.isoformat()
            )
        files[RENAMED.get(name, name)] = text
    return files


def create_workspace(folder: Path, *, today: datetime.date | None = None) -> list[Path]:
    """Write a new workspace into ``folder`` (created if need be) and return its files.

    Raises:
        ConfigError: a file it would write is already there; nothing is written then.
    """
    files = starter_files(today or datetime.date.today())
    existing = [name for name in files if os.path.lexists(folder / name)]
    if existing:
        raise ConfigError(
            f"{folder / existing[0]} already exists: letterforge init writes a new workspace "
            "and never replaces a file; choose an empty folder"
        )
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
