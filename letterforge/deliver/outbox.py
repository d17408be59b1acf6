"""``letterforge outbox``: one draft email per recipient, ``build/<campaign>/outbox/<id>.eml``,
for the user to open in their mail client and send from their own account.

Drafts are written like every other output: only when they changed, never over a draft
someone edited (it is kept, and said so), and removed when their recipient left the campaign.
``outbox/.written.json`` records the SHA-256 of each draft as written, which is how an edit is
told from a draft of an earlier version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from letterforge.build.outputs import file_sha256, make_output_folder, remove_file, replace_file
from letterforge.deliver.letters import outgoing_letters, ready_or_raise
from letterforge.deliver.message import as_bytes, compose
from letterforge.errors import Finding, Location, OutputError
from letterforge.errors import relative_path as shown_path
from letterforge.workspace.paths import BUILD_DIR

OUTBOX_DIR = "outbox"
WRITTEN_RECORD = ".written.json"


@dataclass
class OutboxResult:
    """What ``outbox`` did, campaign by campaign, and what it warns about."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def summary(self, root: Path) -> str:
        parts = [f"{len(self.written)} written", f"{len(self.unchanged)} up to date"]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return f"outbox: {', '.join(parts)}"


def write_outbox(
    root: Path, *, campaigns: tuple[str, ...] = (), only: tuple[str, ...] = ()
) -> OutboxResult:
    """Write the draft of every letter of ``campaigns`` (all when none is named), or only of
    those to ``only``.

    Raises:
        Problems: the workspace has errors, or a letter is not built, out of date, or changed
            since it was built: then no draft is written.
        DeliveryError: letterforge.yaml has no ``delivery:`` section.
    """
    found = outgoing_letters(root, campaigns=campaigns, only=only)
    ready_or_raise(found.letters)
    result = OutboxResult()
    for letter in found.without_email:
        result.warnings.append(letter.campaign.without_email(letter.recipient))
    for campaign in found.campaigns:
        folder = root / BUILD_DIR / campaign / OUTBOX_DIR
        letters = [letter for letter in found.letters if letter.campaign.name == campaign]
        written = _read_record(folder)
        if letters:
            try:
                make_output_folder(folder, root)
            except OSError as err:
                raise OutputError(f"{shown_path(folder, root)}: {err.strerror}") from err
        for letter in letters:
            data = as_bytes(compose(letter, found.delivery))
            _put(folder / f"{letter.id}.eml", data, written, root, result)
        if not only:
            ids = {letter.id for letter in letters}
            for stale in [name for name in written if name not in ids]:
                _remove(folder / f"{stale}.eml", written, root, result)
        if written or (folder / WRITTEN_RECORD).exists():
            replace_file(folder / WRITTEN_RECORD, _record_bytes(written))
    return result


def _put(
    path: Path, data: bytes, written: dict[str, str], root: Path, result: OutboxResult
) -> None:
    """Write the draft ``path`` unless it is already ``data``, or someone edited it."""
    digest = hashlib.sha256(data).hexdigest()
    recipient = path.stem
    current = file_sha256(path) if path.is_file() else None
    if current == digest:
        result.unchanged.append(path)
    elif current is None or current == written.get(recipient):
        replace_file(path, data)
        result.written.append(path)
    else:
        result.warnings.append(
            Finding(
                Location(shown_path(path, root)),
                "kept: edited since letterforge wrote it; delete it to have it written again",
                "warning",
            )
        )
        return
    written[recipient] = digest


def _remove(path: Path, written: dict[str, str], root: Path, result: OutboxResult) -> None:
    """Remove the draft of a recipient who left the campaign, unless someone edited it."""
    recipient = path.stem
    if path.is_file() and file_sha256(path) != written[recipient]:
        result.warnings.append(
            Finding(
                Location(shown_path(path, root)),
                "kept: its recipient has no letter now, but it was edited; delete it yourself",
                "warning",
            )
        )
    elif path.is_file():
        remove_file(path, path.parent)
        result.removed.append(path)
    del written[recipient]


def _read_record(folder: Path) -> dict[str, str]:
    """The drafts as last written, recipient → SHA-256; a damaged record counts as none,
    which only makes every existing draft count as edited and kept."""
    try:
        values = json.loads((folder / WRITTEN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(values, dict):
        return {}
    return {key: value for key, value in values.items() if isinstance(value, str)}


def _record_bytes(written: dict[str, str]) -> bytes:
    return (json.dumps(dict(sorted(written.items())), indent=1) + "\n").encode("utf-8")
