"""The layout of ``build/``, shared by every part of the build: the names of the files it keeps
beside the letters, the folders it may write into, and how a file is written whole.

``build/<campaign>/`` holds ``<language>/<id>.<format>`` and ``bundle/<id>.<format>``, the review
page and the mail-out list, the manifest and its journal (:mod:`letterforge.build.manifest`),
and ``thumbnails/``; ``build/.staging/`` holds each running build's own staging folder.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import tempfile
from pathlib import Path

from letterforge.errors import OutputError
from letterforge.errors import relative_path as shown_path

BUNDLE_DIR = "bundle"
STAGING_DIR = ".staging"
REVIEW_PAGE = "index.html"
MAIL_OUT_LIST = "manifest.csv"
THUMBNAIL_DIR = "thumbnails"
THUMBNAIL_SUFFIX = ".jpg"
# File system errors that no other document can escape either: a full disk, a size limit, a
# read-only file system. The build stops at the first.
BUILD_WIDE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


def is_build_wide(err: OSError, staging: Path | None) -> bool:
    """Whether ``err`` would fail every document: one of :data:`BUILD_WIDE_ERRORS`, or the
    build's ``staging`` folder gone (build/ removed under the build)."""
    return err.errno in BUILD_WIDE_ERRORS or (staging is not None and not staging.is_dir())


def aside_name(target: Path) -> Path:
    """Where ``--force`` keeps an edited file it replaces: ``romo.edited.docx``, or
    ``romo.edited-2.docx`` when that is taken."""
    for number in itertools.count(1):
        mark = "edited" if number == 1 else f"edited-{number}"
        aside = target.with_name(f"{target.stem}.{mark}{target.suffix}")
        if not aside.exists():
            return aside
    raise AssertionError("unreachable")


def thumbnail_name(stem: str) -> str:
    """Where, inside the campaign's folder, the thumbnail of document ``stem`` goes."""
    return f"{THUMBNAIL_DIR}/{stem}{THUMBNAIL_SUFFIX}"


def replace_file(path: Path, content: bytes) -> None:
    """Write ``path`` under a temporary name beside it, then rename it: a reader (or a build
    that is stopped) never sees half a file. An error names ``path``, not the temporary."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from err
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def file_sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def make_output_folder(folder: Path, root: Path, *, create: bool = True) -> None:
    """Create ``folder`` inside ``root/build``, refusing symbolic links on the way.

    A repository can commit ``build`` (or ``build/<campaign>``) as a link to another folder;
    following it would write, and replace files, outside the workspace. With ``create``
    false, only check the folders that exist.
    """
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise OutputError(
                f"{shown_path(current, root)} is a symbolic link: letterforge writes only "
                "into real folders inside build/; remove the link"
            )
        if not current.exists():
            if not create:
                return
            current.mkdir()
        elif not current.is_dir():
            raise OutputError(f"{shown_path(current, root)} is a file, not a folder")


def remove_file(path: Path, folder: Path) -> None:
    """Remove ``path``, and the folders inside ``folder`` that this empties."""
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != folder and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
