"""Where a workspace is, the names of its files and folders, and which files it holds.

Kept apart from :mod:`letterforge.workspace`, which loads YAML through pydantic: finding the
workspace is the first thing every command does, and a build with nothing to do stops
before it needs either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from letterforge.errors import ConfigError

SETTINGS_FILE = "letterforge.yaml"
BUILD_DIR = "build"
# The formats letters are written in, which are also their files' extensions in build/.
Format = Literal["pdf", "docx"]
FORMATS: tuple[Format, ...] = ("pdf", "docx")


def workspace_at(folder: Path) -> Path:
    """``folder`` itself, which must hold ``letterforge.yaml`` (for ``--workspace``)."""
    if not (folder / SETTINGS_FILE).is_file():
        raise ConfigError(f"--workspace {folder}: no {SETTINGS_FILE} there")
    return folder.resolve()


def find_workspace(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``letterforge.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise ConfigError(
        f"no {SETTINGS_FILE} in {start} or any folder above it: run letterforge inside a "
        "workspace, or pass --workspace DIR"
    )


def yaml_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` files of a workspace folder, sorted, without hidden files.

    Editors leave hidden files beside the ones being edited (Emacs' ``.#name.yaml`` lock
    links); they are not part of the workspace.
    """
    return sorted(path for path in folder.glob("*.yaml") if not path.name.startswith("."))


def campaign_names(root: Path) -> list[str]:
    """Every campaign file's name, without ``.yaml``, sorted."""
    return [path.stem for path in yaml_files(root / "campaigns")]
