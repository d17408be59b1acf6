"""Where a workspace is, the names of its files and folders, and which files it holds.

Kept apart from :mod:`letterforge.workspace.loader`, which loads YAML through pydantic: finding the
workspace is the first thing every command does, and a build with nothing to do stops
before it needs either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from letterforge.errors import ConfigError

SETTINGS_FILE = "letterforge.yaml"
BUILD_DIR = "build"
# The formats letters are written in, which are also their files' extensions in build/.
Format = Literal["pdf", "docx"]
FORMATS: tuple[Format, ...] = ("pdf", "docx")
# The standards a PDF can be written to: accessible (tagged), or for archives (and tagged).
PdfStandard = Literal["pdf/ua-1", "pdf/a-3b"]


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


# The sent log's folder (workspace/sent_log.py): what letterforge send sent.
SENT_DIR = "sent"
# The workspace's input files: a change to any file here may change a letter, or (the sent
# log) the review page that says what was sent.
INPUT_FILES = (SETTINGS_FILE,)
INPUT_FOLDERS = ("recipients", "campaigns", "templates", "locales", "assets", SENT_DIR)


class _Snapshot:
    """The input files of one workspace as a build read them: by path from the root."""

    def __init__(self, root: Path, contents: dict[str, bytes]) -> None:
        self.root = root
        self.contents = contents

    def name_of(self, path: Path) -> str | None:
        """``path``'s name in the snapshot, if it is where an input file would be."""
        try:
            name = path.relative_to(self.root).as_posix()
        except ValueError:
            return None
        top = name.split("/")[0]
        return name if name in INPUT_FILES or top in INPUT_FOLDERS else None


_snapshot: _Snapshot | None = None


@contextmanager
def reading_from(root: Path, contents: dict[str, bytes]) -> Iterator[None]:
    """While this lasts, the workspace at ``root`` is read from ``contents`` (its input files
    by path, as :class:`letterforge.build.manifest.WorkspaceInputs` read and hashed them).

    A build fingerprints its letters by the bytes of its inputs; reading a file again later
    could give other bytes (an editor saving, a ``git checkout``), and the letters would be
    recorded under the digest of inputs they were not made from.
    """
    global _snapshot
    outer, _snapshot = _snapshot, _Snapshot(root, contents)
    try:
        yield
    finally:
        _snapshot = outer


def read_input(path: Path) -> bytes:
    """The bytes of a workspace file: during a build, as the build first read them (a file
    that was not there then is not there now)."""
    if _snapshot is not None:
        name = _snapshot.name_of(path)
        if name is not None:
            if name not in _snapshot.contents:
                raise FileNotFoundError(2, "No such file or directory", str(path))
            return _snapshot.contents[name]
    return path.read_bytes()


def yaml_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` files of a workspace folder, sorted, without hidden files (during a
    build, those it read).

    Editors leave hidden files beside the ones being edited (Emacs' ``.#name.yaml`` lock
    links); they are not part of the workspace.
    """
    if _snapshot is not None and _snapshot.name_of(folder / "x.yaml") is not None:
        prefix = f"{folder.relative_to(_snapshot.root).as_posix()}/"
        return sorted(
            folder / name[len(prefix) :]
            for name in _snapshot.contents
            if name.startswith(prefix)
            and "/" not in name[len(prefix) :]
            and name.endswith(".yaml")
            and not name[len(prefix) :].startswith(".")
        )
    return sorted(path for path in folder.glob("*.yaml") if not path.name.startswith("."))


def campaign_names(root: Path) -> list[str]:
    """Every campaign file's name, without ``.yaml``, sorted."""
    return [path.stem for path in yaml_files(root / "campaigns")]
