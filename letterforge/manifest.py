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
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from letterforge import __version__
from letterforge.folders import SETTINGS_FILE

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 2
# The workspace's inputs: a change to any file here may change a letter.
INPUT_FILES = (SETTINGS_FILE,)
INPUT_FOLDERS = ("recipients", "campaigns", "templates", "locales", "assets")
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
        """Whether ``path`` is still the file the build wrote (nobody replaced or edited it)."""
        try:
            status = path.stat()
        except OSError:
            return False
        return status.st_size == self.size and status.st_mtime_ns == self.mtime_ns


@dataclass
class Manifest:
    """A campaign's manifest: its files by path inside ``build/<campaign>/``.

    ``inputs`` is the digest of the workspace's input files when a build last wrote or
    found up to date every file of the campaign in ``formats``; ``None`` when the files do
    not all match the inputs (after an interruption, a failed letter, or a ``--lang`` or
    ``--only`` build of changed inputs).
    """

    inputs: str | None = None
    formats: list[str] = field(default_factory=list)
    default_formats: list[str] = field(default_factory=list)  # letterforge.yaml's, then
    outputs: dict[str, OutputRecord] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest in ``folder``; an empty one when there is none, or one that this
        version of letterforge cannot read (every file is then simply written again)."""
        try:
            data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("manifest") != MANIFEST_VERSION:
                return cls()
            outputs = {name: OutputRecord(**record) for name, record in data["outputs"].items()}
            if not all(_trustworthy(name, record) for name, record in outputs.items()):
                return cls()
            return cls(
                inputs=data["inputs"],
                formats=list(data["formats"]),
                default_formats=list(data["default_formats"]),
                outputs=outputs,
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    def write(self, folder: Path) -> None:
        """Write the manifest into ``folder`` under a temporary name, then rename it."""
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

    def up_to_date(self, folder: Path, inputs: str, formats: Iterable[str]) -> bool:
        """Whether a complete build from the same ``inputs`` wrote every file in ``formats``
        and all of them are still there, as written."""
        return (
            self.inputs == inputs
            and set(formats) <= set(self.formats)
            and all(record.in_place(folder, name) for name, record in self.outputs.items())
        )


def replace_file(path: Path, content: bytes) -> None:
    """Write ``path`` under a temporary name beside it, then rename it: a reader (or a build
    that is stopped) never sees half a file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# What a build names its files: <language or bundle>/<recipient id>.<format>.
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_.-]*\.(?:pdf|docx)")


def _trustworthy(name: str, record: OutputRecord) -> bool:
    """Whether a manifest's entry is one a build could have written. A repository can commit
    build/ with a manifest in it: a build removes stale files the manifest names, and the
    review page shows its values, so nothing may lead out of the campaign's folder or be
    anything but what it claims to be."""
    from letterforge.review import thumbnail_name

    types: dict[str, type | tuple[type, ...]] = {
        "recipient": str,
        "fingerprint": str,
        "size": int,
        "mtime_ns": int,
        "sha256": str,
        "pages": (int, type(None)),
        "thumbnail": (str, type(None)),
    }
    return (
        _OUTPUT_NAME.fullmatch(name) is not None
        and ".." not in name
        and all(isinstance(getattr(record, key), kind) for key, kind in types.items())
        and isinstance(record.languages, list)
        and all(isinstance(lang, str) for lang in record.languages)
        and record.thumbnail in (None, thumbnail_name(name.rsplit(".", 1)[0]))
    )


def digest(*parts: str | bytes) -> str:
    """A SHA-256 over ``parts``, each length-prefixed so that no two lists of parts collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def file_hashes(root: Path, names: Iterable[str]) -> dict[str, str]:
    """Each file under ``names`` (files, or folders taken recursively) inside ``root``, by its
    path from ``root``, with the SHA-256 of its content; a symbolic link counts by where it
    points."""
    hashes = {}
    for name in names:
        for path in _files(root / name):
            if path.is_symlink():
                content = b"link:" + os.readlink(path).encode()
            else:
                try:
                    content = path.read_bytes()
                except OSError as err:
                    content = f"unreadable: {err.strerror}".encode()
            hashes[path.relative_to(root).as_posix()] = hashlib.sha256(content).hexdigest()
    return hashes


def hashes_digest(hashes: dict[str, str]) -> str:
    """One digest of files' paths and hashes (from :func:`file_hashes`)."""
    return digest(*(f"{path} {sha256}" for path, sha256 in sorted(hashes.items())))


def _files(path: Path) -> list[Path]:
    if path.is_symlink() or path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.name != "__pycache__":  # Python's caches, rewritten by every import
            found.extend(_files(child))
    return found


@dataclass(frozen=True)
class WorkspaceInputs:
    """The workspace's input files, read once per build, by path with their hashes."""

    hashes: dict[str, str]

    @classmethod
    def read(cls, root: Path) -> WorkspaceInputs:
        return cls(file_hashes(root, (*INPUT_FILES, *INPUT_FOLDERS)))

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
    package = Path(__file__).resolve().parent
    code = hashes_digest(file_hashes(package.parent, [package.name]))
    versions = [f"letterforge {__version__} {code}"]
    for name in RENDERING_PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    for names, function in SYSTEM_LIBRARIES:
        versions.append(f"{names[0]} {_library_version(names, function)}")
    return "\n".join(versions)


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
