"""``letterforge diff``: what an edit changes in every letter, as a reviewer reads it.

The letters are rendered twice, from the workspace as it was at a git revision and as it is at
another revision (or in the working tree), and their text is compared letter by letter: a
template edit shows up in every letter it touches, with the recipient and language. The text
is what ``preview`` prints: one paragraph per line, so a changed word marks its paragraph.

A revision's files are read with ``git ls-tree`` and ``git cat-file`` into a temporary folder:
the repository, its index and its working tree are not touched.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from letterforge.errors import Finding, LetterforgeError, Location, Problems
from letterforge.workspace.paths import INPUT_FILES, INPUT_FOLDERS, SETTINGS_FILE, campaign_names

WORKING_TREE = "working tree"
# git's file modes: a file, an executable file, a symbolic link. Submodules are left out.
_LINK_MODE = "120000"
_BLOB_MODES = {"100644", "100755", _LINK_MODE}

if TYPE_CHECKING:
    from letterforge.compose import Rules


class DiffError(LetterforgeError):
    """The letters cannot be compared: not a git repository, or an unknown revision."""


@dataclass(frozen=True, order=True)
class LetterKey:
    """One letter: the campaign, the language and the recipient."""

    campaign: str
    lang: str
    recipient: str

    def __str__(self) -> str:
        return f"{self.campaign}/{self.lang}/{self.recipient}"


@dataclass
class LetterDiff:
    """What changed between two renderings of the workspace's letters."""

    old: str  # the revisions compared, as named: HEAD, main~2, working tree
    new: str
    changed: dict[LetterKey, list[str]] = field(default_factory=dict)  # unified diff lines
    added: list[LetterKey] = field(default_factory=list)
    removed: list[LetterKey] = field(default_factory=list)
    unchanged: int = 0

    @property
    def differs(self) -> bool:
        return bool(self.changed)

    def lines(
        self, *, color: bool = False, name_only: bool = False, word_diff: bool = False
    ) -> Iterator[str]:
        """The diff as printed: each differing letter's unified diff, or only the letters'
        names.

        Args:
            color: color it for a terminal.
            name_only: only the names of the letters that differ.
            word_diff: show each changed paragraph once, its changed words marked
                ``[-old-]{+new+}`` (or colored): a paragraph is one long line, and a
                reviewer looks for the words.
        """
        for key, lines in self.changed.items():
            if name_only:
                yield str(key)
            elif word_diff:
                yield from _word_diff(lines, color=color)
            else:
                yield from _unified(lines, color=color)

    def summary(self) -> str:
        """``3 of 8 letters differ: 2 changed, 1 added`` or ``no letter differs (8 letters)``."""
        total = len(self.changed) + self.unchanged
        if not self.changed:
            return f"no letter differs between {self.old} and {self.new} ({total} letters)"
        edited = len(self.changed) - len(self.added) - len(self.removed)
        counts = [(edited, "changed"), (len(self.added), "added"), (len(self.removed), "removed")]
        what = ", ".join(f"{count} {name}" for count, name in counts if count)
        verb = "differs" if len(self.changed) == 1 else "differ"
        between = f"between {self.old} and {self.new}"
        return f"{len(self.changed)} of {total} letters {verb} {between}: {what}"


def diff_letters(
    root: Path,
    *,
    old: str = "HEAD",
    new: str | None = None,
    campaigns: Iterable[str] = (),
    languages: Iterable[str] = (),
    only: Iterable[str] = (),
    context: int = 3,
    rules: Rules | None = None,
) -> LetterDiff:
    """Compare the letters of the workspace at ``root`` rendered at revision ``old`` with
    those at revision ``new`` (default: the working tree, uncommitted edits included).

    Args:
        root: the workspace folder, inside a git repository.
        old: a git revision: ``HEAD``, ``main``, ``v1.2``, ``HEAD~3``, a commit.
        new: another revision, or ``None`` for the files as they are.
        campaigns: only these campaigns; empty means every campaign at either revision.
        languages: only these languages (``fr`` takes ``fr-CA`` too).
        only: only the letters to these recipient ids.
        context: lines of context around each change.
        rules: what checks the letters at each revision, besides loading and rendering them.

    Raises:
        DiffError: not a git repository, or an unknown revision.
        Problems: the workspace has errors at one of the revisions.
    """
    repository = _Repository.of(root)
    names, languages, only = list(campaigns), list(languages), list(only)
    with repository.checkout(old) as old_root, _checkout_or_here(repository, new, root) as new_root:
        new_name = new or WORKING_TREE
        for name in names:
            if not any(
                folder is not None and name in campaign_names(folder)
                for folder in (old_root, new_root)
            ):
                raise DiffError(f"no campaign {name!r} at {old} or {new_name}")
        before = _texts(old_root, old, names, languages, only, rules)
        after = _texts(new_root, new_name, names, languages, only, rules)
    if (languages or only) and not (before or after):
        narrowing = " ".join(
            [*(f"--lang {lang}" for lang in languages), *(f"--only {each}" for each in only)]
        )
        raise DiffError(f"{narrowing}: no letter at {old} or {new_name} matches")
    result = LetterDiff(old, new_name)
    for key in sorted(before.keys() | after.keys()):
        old_lines, new_lines = before.get(key), after.get(key)
        if old_lines == new_lines:
            result.unchanged += 1
            continue
        if old_lines is None:
            result.added.append(key)
        elif new_lines is None:
            result.removed.append(key)
        result.changed[key] = list(
            difflib.unified_diff(
                old_lines or [],
                new_lines or [],
                fromfile=f"{old}:{key}" if old_lines is not None else "/dev/null",
                tofile=f"{new_name}:{key}" if new_lines is not None else "/dev/null",
                n=context,
                lineterm="",
            )
        )
    return result


def _word_diff(lines: list[str], *, color: bool) -> Iterator[str]:
    """A unified diff with each run of removed lines and the added lines after it merged
    into lines that mark the changed words, as ``git diff --word-diff`` prints them."""
    removed: list[str] = []
    added: list[str] = []

    def merged() -> Iterator[str]:
        """The run of removed and added lines so far, as marked lines; none if empty."""
        pairs: Iterable[tuple[str, str]]
        if not (removed and added):  # paragraphs that came or went, whole
            pairs = [(line, "") for line in removed] + [("", line) for line in added]
        elif len(removed) == len(added):
            pairs = zip(removed, added, strict=True)
        else:  # paragraphs split or joined: compare the runs as a whole
            pairs = [(" ".join(removed), " ".join(added))]
        for old, new in pairs:
            yield _marked_words(old, new, color=color)
        removed.clear()
        added.clear()

    yield from _unified(lines[:2], color=color)  # the ---/+++ lines
    for line in lines[2:]:
        if line.startswith("@@"):  # a text line starts with " ", "-" or "+"
            yield from merged()
            yield from _unified([line], color=color, headers=0)
        elif line.startswith("-"):
            if added:  # a new run begins
                yield from merged()
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
        else:
            yield from merged()
            yield line[1:]
    yield from merged()


_WORDS = re.compile(r"\s+|[\w'’-]+|[^\w\s]")


def _marked_words(old: str, new: str, *, color: bool) -> str:
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    pieces = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        gone, came = "".join(before[old_start:old_end]), "".join(after[new_start:new_end])
        if operation == "equal":
            pieces.append(gone)
            continue
        if gone:
            pieces.append(_styled(gone, "red", reverse=True) if color else f"[-{gone}-]")
        if came:
            pieces.append(_styled(came, "green", reverse=True) if color else f"{{+{came}+}}")
    return "".join(pieces)


def _unified(lines: list[str], *, color: bool, headers: int = 2) -> Iterator[str]:
    """A letter's unified diff, colored for a terminal when ``color``. Its first ``headers``
    lines name the two versions: a paragraph can start with ``---`` too."""
    for index, line in enumerate(lines):
        if not color:
            yield line
        elif index < headers:
            yield _styled(line, bold=True)
        elif line.startswith("@@"):
            yield _styled(line, "cyan")
        elif line.startswith(("-", "+")):
            yield _styled(line, "red" if line[0] == "-" else "green")
        else:
            yield line


def _texts(
    root: Path | None,
    label: str,
    names: list[str],
    languages: list[str],
    only: list[str],
    rules: Rules | None,
) -> dict[LetterKey, list[str]]:
    """Every letter's text at one revision, line by line; none when the workspace did not
    exist yet."""
    from letterforge.compose import Composer
    from letterforge.document import Document

    if root is None:
        return {}
    present = campaign_names(root)
    chosen = [name for name in names if name in present] if names else present
    if not chosen:
        return {}
    # Narrowed while rendering, not while checking: a recipient or language that only one
    # revision has is an added or removed letter, not an error.
    composer = Composer.open(root, campaigns=chosen, rules=rules)
    texts: dict[LetterKey, list[str]] = {}
    if not composer.errors:
        for campaign in composer.renderable:
            for recipient, versions in composer.letters(campaign, languages=languages, only=only):
                for lang, letter in versions.items():
                    key = LetterKey(campaign.name, lang, recipient.person.id)
                    texts[key] = Document(
                        (letter,), created=campaign.campaign.date
                    ).plain_text.split("\n")
    if composer.errors:
        raise Problems(_at_revision(finding, label) for finding in composer.errors)
    return texts


def _at_revision(finding: Finding, label: str) -> Finding:
    """``finding`` with its file named as git names a file at a revision: ``HEAD~1:path``."""
    if label == WORKING_TREE:
        return finding
    where = finding.location or Location("")
    return Finding(
        Location(f"{label}:{where.path}", where.line, where.column),
        finding.message,
        finding.severity,
    )


@contextmanager
def _checkout_or_here(
    repository: _Repository, revision: str | None, root: Path
) -> Iterator[Path | None]:
    if revision is None:
        yield root
    else:
        with repository.checkout(revision) as folder:
            yield folder


@dataclass(frozen=True)
class _Repository:
    """The git repository a workspace is in, and where in it the workspace is."""

    top: Path
    prefix: str  # the workspace's folder inside the repository: "" or "letters/"

    @classmethod
    def of(cls, root: Path) -> _Repository:
        try:
            top = os.fsdecode(_git(root, "rev-parse", "--show-toplevel")).removesuffix("\n")
            prefix = os.fsdecode(_git(root, "rev-parse", "--show-prefix")).removesuffix("\n")
        except DiffError as err:
            raise DiffError(
                f"{root} is not in a git repository: diff compares letters at git revisions"
            ) from err
        return cls(Path(top), prefix)

    def commit(self, revision: str) -> str:
        """The commit ``revision`` names."""
        try:
            if revision.startswith("-"):  # never an option to git
                raise DiffError(revision)
            found = _git(self.top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
            return found.decode("ascii").removesuffix("\n")
        except DiffError:
            raise DiffError(
                f"unknown revision {revision!r}: name a commit, branch or tag "
                "(git log --oneline lists them)"
            ) from None

    @contextmanager
    def checkout(self, revision: str) -> Iterator[Path | None]:
        """The workspace's input files at ``revision``, in a temporary folder; ``None`` when
        the workspace did not exist at that revision."""
        commit = self.commit(revision)
        files = self._files(commit, [self.prefix + name for name in (*INPUT_FILES, *INPUT_FOLDERS)])
        with tempfile.TemporaryDirectory(prefix="letterforge-diff-") as temporary:
            folder = Path(temporary)
            if self.prefix + SETTINGS_FILE not in files:
                yield None
                return
            for path, (mode, content) in files.items():
                relative = PurePosixPath(path.removeprefix(self.prefix))
                if relative.is_absolute() or ".." in relative.parts:
                    raise DiffError(f"{revision}:{relative}: not a path inside the workspace")
                target = folder.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                if mode == _LINK_MODE:  # a symbolic link, made as git would make it
                    os.symlink(os.fsdecode(content), target)
                else:
                    target.write_bytes(content)
            yield folder

    def _files(self, commit: str, paths: list[str]) -> dict[str, tuple[str, bytes]]:
        """The files under ``paths`` at ``commit``, by path with their mode and content, and
        the workspace files their symbolic links lead to, as a checkout would have them."""
        files: dict[str, tuple[str, bytes]] = {}
        asked = set(paths)
        while paths:
            listing = _git(self.top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
            found = []
            for record in listing.split(b"\0"):
                meta, _, raw_name = record.partition(b"\t")
                if not record or os.fsdecode(raw_name) in files:
                    continue
                mode, kind, sha = meta.decode().split()
                if kind == "blob" and mode in _BLOB_MODES:
                    found.append((os.fsdecode(raw_name), mode, sha))
            paths = []
            for (name, mode, _), content in zip(
                found, self._blobs([sha for _, _, sha in found]), strict=True
            ):
                files[name] = (mode, content)
                if mode != _LINK_MODE:
                    continue
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(name), os.fsdecode(content))
                )
                # A link out of the workspace stays dangling: loading refuses it, as it would.
                if (
                    target.startswith(self.prefix)
                    and not target.startswith("../")
                    and (target not in asked)
                ):
                    asked.add(target)
                    paths.append(target)
        return files

    def _blobs(self, shas: list[str]) -> list[bytes]:
        """The content of each blob, read by one ``git cat-file --batch``."""
        if not shas:
            return []
        output = _git(self.top, "cat-file", "--batch", stdin="\n".join(shas) + "\n")
        contents, position = [], 0
        for _ in shas:
            header_end = output.index(b"\n", position)
            size = int(output[position:header_end].split()[2])
            start = header_end + 1
            contents.append(output[start : start + size])
            position = start + size + 1  # the content ends with a newline of its own
        return contents


def _git(folder: Path, *arguments: str, stdin: str | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", "-C", str(folder), *arguments],
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as err:
        raise DiffError("git is not installed: diff compares letters at git revisions") from err
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise DiffError(message[-1] if message else f"git {arguments[0]} failed")
    return completed.stdout


_COLORS = {"red": 31, "green": 32, "cyan": 36}


def _styled(
    text: str, color: str | None = None, *, bold: bool = False, reverse: bool = False
) -> str:
    """``text`` in a terminal's color, bold or reversed (ANSI escapes, as ``click.style`` writes
    them): the diff is a library's answer, and only the command line speaks click."""
    codes = [
        *([_COLORS[color]] if color else []),
        *([1] if bold else []),
        *([7] if reverse else []),
    ]
    return "".join(f"\x1b[{code}m" for code in codes) + text + "\x1b[0m"
