"""What a build wrote, and from what: the manifest that makes rebuilds incremental.

Each campaign's folder holds ``build/<campaign>/manifest.json``. For every file it lists the
fingerprint of everything the file was made from (a hash of the letter's data, the templates,
layouts, locales, theme, assets, and the versions of letterforge and of the rendering
libraries), and the file's size, time and SHA-256 as written. A file whose fingerprint is
unchanged, and which is still the file the build wrote, is not written again.

The manifest also keeps a digest of every input file of the workspace. When nothing in the
workspace changed since a complete build, the next build compares that one digest, looks at
the files, and stops: it parses no YAML and imports no rendering library.

Nothing here imports a rendering library: versions are read from package metadata, and those
of Pango and HarfBuzz from the shared libraries themselves.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from letterforge import __version__
from letterforge.build.outputs import file_sha256, replace_file, thumbnail_name
from letterforge.workspace.paths import INPUT_FILES, INPUT_FOLDERS

MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = ".manifest.journal"
MANIFEST_VERSION = 2
# A manifest lists a few hundred bytes per file: this is millions of files, and keeps a file
# put there by someone else from taking the memory of a build.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
# Packages whose new versions may change the bytes of a letter.
RENDERING_PACKAGES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "tinyhtml5",
    "cssselect2",
    "fonttools",
    "pillow",
    "pypdfium2",
    "python-docx",
    "lxml",
    "jinja2",
    "markdown-it-py",
    "babel",
)
# Shared libraries WeasyPrint lays text out with, and the function that gives their version.
SYSTEM_LIBRARIES = (
    (("libpango-1.0.so.0", "libpango-1.0.0.dylib", "libpango-1.0.dylib"), "pango_version_string"),
    (("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz.dylib"), "hb_version_string"),
)


FileState = Literal["written", "missing", "edited", "unknown"]


@dataclass
class OutputRecord:
    """One file a build wrote."""

    recipient: str
    languages: list[str]
    fingerprint: str
    size: int
    mtime_ns: int
    sha256: str
    pages: int | None = None  # a PDF's; the review page shows it
    thumbnail: str | None = None  # a PDF's first page, drawn for the review page

    def in_place(self, folder: Path, name: str) -> bool:
        """Whether the file ``name`` in the campaign's ``folder`` is still as written, with
        its thumbnail."""
        return self.matches(folder / name) and (
            self.thumbnail is None or (folder / self.thumbnail).is_file()
        )

    def matches(self, path: Path) -> bool:
        """Whether ``path`` is still the file the build wrote (nobody replaced or edited it).

        Its size and time must match, and so must its SHA-256: a manifest is read from a
        folder anyone can write to (or a repository), and a file edited and given back its
        time, or a manifest edited to match a file, must not pass for what was written.
        """
        return self.state(path) == "written"

    def state(self, path: Path) -> FileState:
        """``written``: ``path`` is the file the build wrote; ``missing``: there is no file;
        ``edited``: there is another file (someone's edit), which a build must not destroy;
        ``unknown``: another file of the same size and time to the nanosecond, which no edit
        makes: the manifest is what is wrong (edited, or from elsewhere), and the file is
        written again. A file with another time but the same content (copied, touched)
        counts as written, and this record takes its new time."""
        try:
            status = path.stat()
        except OSError:
            return "missing"
        if not stat.S_ISREG(status.st_mode):
            return "edited"
        if status.st_size != self.size:
            return "edited"
        try:
            same = file_sha256(path) == self.sha256
        except OSError:
            return "edited"
        if not same:
            return "unknown" if status.st_mtime_ns == self.mtime_ns else "edited"
        self.mtime_ns = status.st_mtime_ns
        return "written"


@dataclass
class Manifest:
    """A campaign's manifest: its files by path inside ``build/<campaign>/``.

    ``inputs`` is the digest of the workspace's input files when a build last wrote or
    found up to date every file of the campaign in ``formats``; ``None`` when the files do
    not all match the inputs (after an interruption, a failed letter, or a ``--lang`` or
    ``--only`` build of changed inputs), and while a build is writing.

    A build saves the manifest every few seconds; between saves, each file it puts in place is
    first added to the journal, ``.manifest.journal``, so that a build killed at any moment
    leaves a record of every file it wrote (and a file that looks edited is someone's edit).
    """

    inputs: str | None = None
    formats: list[str] = field(default_factory=list)
    default_formats: list[str] = field(default_factory=list)  # letterforge.yaml's, then
    outputs: dict[str, OutputRecord] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest in ``folder``, with what its journal adds; an empty one when there is
        none, or one that this version of letterforge cannot read or does not trust (every
        file is then simply written again)."""
        manifest = _parse(folder / MANIFEST_NAME) or cls()
        for name, record in _journal(folder / JOURNAL_NAME):
            # Journaled before it was renamed into place. The file there is this one, or the
            # one the manifest records (the build stopped before the rename), or someone's
            # edit of either: the journal's record then lets the edit be seen as one.
            before = manifest.outputs.get(name)
            if before != record and (before is None or not before.matches(folder / name)):
                manifest.outputs[name] = record
                manifest.inputs = None
        return manifest

    def write(self, folder: Path) -> None:
        """Write the manifest into ``folder`` under a temporary name, then rename it; the
        journal, now part of it, is removed."""
        data: dict[str, Any] = {
            "manifest": MANIFEST_VERSION,
            "letterforge": __version__,
            "inputs": self.inputs,
            "formats": self.formats,
            "default_formats": self.default_formats,
            "outputs": {name: asdict(self.outputs[name]) for name in sorted(self.outputs)},
        }
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        replace_file(folder / MANIFEST_NAME, text.encode("utf-8"))
        (folder / JOURNAL_NAME).unlink(missing_ok=True)

    def up_to_date(self, folder: Path, inputs: str, formats: Iterable[str]) -> bool:
        """Whether a complete build from the same ``inputs`` wrote every file in ``formats``
        and all of them are still there, as written."""
        return (
            self.inputs == inputs
            and set(formats) <= set(self.formats)
            and all(record.in_place(folder, name) for name, record in self.outputs.items())
        )


def journal(folder: Path, name: str, record: OutputRecord) -> None:
    """Add ``record`` of the file ``name`` to the campaign's journal, before the file is
    renamed into place."""
    # A line of its own even after a line a full disk cut short.
    line = "\n" + json.dumps({"name": name, **asdict(record)}, ensure_ascii=False) + "\n"
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(folder / JOURNAL_NAME, flags, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(line)


def _read_regular(path: Path) -> bytes | None:
    """The content of ``path`` if it is a regular file of at most MAX_MANIFEST_BYTES: not a
    folder, not a FIFO (which would wait forever for a writer), not a link."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_MANIFEST_BYTES:
            return None
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(handle)


def _parse(path: Path) -> Manifest | None:
    """The manifest at ``path``, validated as untrusted input; ``None`` if it is not one."""
    content = _read_regular(path)
    try:
        data = json.loads(content.decode("utf-8")) if content is not None else None
    except (ValueError, RecursionError):  # not JSON, or nested too deep
        return None
    if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
        return None
    inputs, formats, defaults, outputs = (
        data.get(key) for key in ("inputs", "formats", "default_formats", "outputs")
    )
    if not (
        (inputs is None or _is_sha256(inputs))
        and _are_formats(formats)
        and _are_formats(defaults)
        and isinstance(outputs, dict)
    ):
        return None
    records = {}
    for name, values in outputs.items():
        record = _record(name, values)
        if record is None:
            return None
        records[name] = record
    return Manifest(
        inputs=inputs,
        formats=list(formats or ()),
        default_formats=list(defaults or ()),
        outputs=records,
    )


def _journal(path: Path) -> list[tuple[str, OutputRecord]]:
    """The records of a journal, in order; a line that is not a whole record (the last one
    of a killed build may be cut short) is skipped."""
    content = _read_regular(path)
    lines = content.decode("utf-8", "replace").splitlines() if content is not None else []
    entries = []
    for line in lines:
        try:
            values = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(values, dict):
            name = values.pop("name", None)
            record = _record(name, values) if isinstance(name, str) else None
            if record is not None:
                entries.append((name, record))
    return entries


# What a build names its files: <language or bundle>/<recipient id>.<format>.
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_.-]*\.(?:pdf|docx)")


def _record(name: str, values: Any) -> OutputRecord | None:
    """The record of the file ``name``, if ``fields`` are one a build could have written.

    A repository can commit build/ with a manifest in it: a build removes stale files the
    manifest names, and the review page shows its values, so nothing may lead out of the
    campaign's folder or be anything but what it claims to be.
    """
    if (
        not isinstance(values, dict)
        or set(values) != _RECORD_FIELDS
        or _OUTPUT_NAME.fullmatch(name) is None
        or ".." in name
    ):
        return None
    record = OutputRecord(**values)
    checks = (
        isinstance(record.recipient, str) and _ID.fullmatch(record.recipient) is not None,
        isinstance(record.languages, list)
        and 0 < len(record.languages) <= 20
        and all(isinstance(lang, str) and _LANGUAGE.fullmatch(lang) for lang in record.languages),
        _is_sha256(record.fingerprint),
        _is_sha256(record.sha256),
        _is_count(record.size),
        _is_count(record.mtime_ns),
        record.pages is None or (_is_count(record.pages) and record.pages > 0),
        record.thumbnail in (None, thumbnail_name(name.rsplit(".", 1)[0])),
    )
    return record if all(checks) else None


_RECORD_FIELDS = {each.name for each in fields(OutputRecord)}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_sha256(value: Any) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0  # not bool, not float


def _are_formats(value: Any) -> bool:
    return isinstance(value, list) and all(fmt in ("pdf", "docx") for fmt in value)


def digest(*parts: str | bytes) -> str:
    """A SHA-256 over ``parts``, each length-prefixed so that no two lists of parts collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_hashes(root: Path, names: Iterable[str]) -> dict[str, str]:
    """Each file under ``names`` (files, or folders taken recursively) inside ``root``, by its
    path from ``root``, with the SHA-256 of its content; a symbolic link counts by where it
    points and by the content it leads to."""
    return {name: sha for name, (sha, _) in read_files(root, names).items()}


def read_files(root: Path, names: Iterable[str]) -> dict[str, tuple[str, bytes | None]]:
    """Each file under ``names`` inside ``root``, by its path from ``root``: its SHA-256 and
    its content (``None`` for what cannot be read, or a link to something not a file)."""
    found: dict[str, tuple[str, bytes | None]] = {}
    for name in names:
        for path in _files(root / name, root):
            content: bytes | None = None
            if path.is_symlink():
                marker = b"link:" + os.readlink(path).encode()
                if path.is_file():  # not /dev/zero, not a FIFO behind the link
                    content = _read(path)
                hashed = marker + b"\0" + (content or b"")
            else:
                content = _read(path)
                hashed = content if content is not None else b"unreadable"
            found[path.relative_to(root).as_posix()] = (hashlib.sha256(hashed).hexdigest(), content)
    return found


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def hashes_digest(hashes: dict[str, str]) -> str:
    """One digest of files' paths and hashes (from :func:`file_hashes`)."""
    return digest(*(f"{path} {sha256}" for path, sha256 in sorted(hashes.items())))


def _files(path: Path, within: Path, seen: frozenset[str] = frozenset()) -> list[Path]:
    """The files under ``path``, by the names they are read by. A link to a folder inside
    ``within`` (the workspace) is followed, so that what it holds is read and hashed like the
    rest; a link that leads out of it, or back into a folder being listed, is a file."""
    if path.is_symlink():
        real = os.path.realpath(path)
        if not (path.is_dir() and Path(real).is_relative_to(within.resolve())) or real in seen:
            return [path]
    elif path.is_file():
        return [path]
    if not path.is_dir():
        return []
    inside = seen | {os.path.realpath(path)}
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.name != "__pycache__":  # Python's caches, rewritten by every import
            found.extend(_files(child, within, inside))
    return found


@dataclass(frozen=True)
class WorkspaceInputs:
    """The workspace's input files, read once per build: by path, their hashes and contents.

    A build renders from these contents (:func:`letterforge.workspace.paths.reading_from`), so that
    what it fingerprints is what it rendered.
    """

    hashes: dict[str, str]
    contents: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, root: Path) -> WorkspaceInputs:
        files = read_files(root, (*INPUT_FILES, *INPUT_FOLDERS))
        return cls(
            {name: sha for name, (sha, _) in files.items()},
            {name: content for name, (_, content) in files.items() if content is not None},
        )

    @functools.cached_property
    def digest(self) -> str:
        """Every input file and the tools that render them: unchanged, nothing to build."""
        return digest(tool_versions(), hashes_digest(self.hashes))

    def digest_of(self, names: Iterable[str]) -> str:
        """The files under ``names`` (settings file, folders) and the tools."""
        tops = set(names)
        chosen = {path: sha for path, sha in self.hashes.items() if path.split("/")[0] in tops}
        return digest(tool_versions(), hashes_digest(chosen))


@functools.cache
def tool_versions() -> str:
    """letterforge's version and code, and the versions of the libraries that draw letters.

    letterforge's own files count too, so that a development checkout with a changed layout
    or writer rebuilds what it changes without a new version number.
    """
    package = Path(__file__).resolve().parent.parent  # letterforge/, from build/
    code = hashes_digest(file_hashes(package.parent, [package.name]))
    versions = [f"letterforge {__version__} {code}"]
    for name in RENDERING_PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    for names, function in SYSTEM_LIBRARIES:
        versions.append(f"{names[0]} {_library_version(names, function)}")
    versions.append(f"fonts {installed_fonts()}")
    return "\n".join(versions)


def installed_fonts() -> str:
    """A digest of every installed font file and fontconfig setting (path, size, time).

    Pango takes each character from the theme's fonts, or from any installed font that has
    it, as fontconfig's settings say: a font installed, removed or updated can change any
    letter, so all of them count. Listing them takes a few milliseconds; nothing is opened.
    """
    home = Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    folders = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path("/etc/fonts"),
        data_home / "fonts",
        config_home / "fontconfig",
        home / ".fonts",
        home / ".fonts.conf",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library" / "Fonts",
    ]
    if os.name == "nt":
        windows = Path(os.environ.get("WINDIR", "C:/Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        folders += [windows / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    for variable in ("FONTCONFIG_FILE", "FONTCONFIG_PATH"):
        if os.environ.get(variable):
            folders.append(Path(os.environ[variable]))
    entries = []
    seen: set[str] = set()
    for folder in folders:
        for directory, subfolders, names in os.walk(folder, followlinks=True):
            # Font folders link to each other; a link back up must not walk for ever.
            real = os.path.realpath(directory)
            if real in seen:
                subfolders.clear()
                continue
            seen.add(real)
            for name in names:
                path = os.path.join(directory, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                entries.append(f"{path} {status.st_size} {status.st_mtime_ns}")
        if folder.is_file():
            status = folder.stat()
            entries.append(f"{folder} {status.st_size} {status.st_mtime_ns}")
    return digest(*sorted(entries))


def _library_version(names: tuple[str, ...], function: str) -> str:
    for name in names:
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        version = getattr(library, function)
        version.restype = ctypes.c_char_p
        return str(version().decode("ascii"))
    return "missing"
