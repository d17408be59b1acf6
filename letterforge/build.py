"""Check the workspace, then write every letter the check rendered.

Every letter is rendered into the document model (by the check) before the first file is
written, so a mistake in any input stops the build with ``build/`` untouched. Each file is
written under a temporary name and renamed into place, so no reader ever sees half a file.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from letterforge.assets import ASSET_DIR
from letterforge.check import Inspection, inspect_workspace
from letterforge.document import Document
from letterforge.errors import Finding, OutputError, Problems, relative_path
from letterforge.model import Settings
from letterforge.theme import Theme, workspace_theme
from letterforge.workspace import ResolvedCampaign

Format = Literal["pdf", "docx"]
BUNDLE_DIR = "bundle"


@dataclass(frozen=True)
class PlannedDocument:
    """One document to write, in every requested format, at ``build/<stem>.<format>``."""

    stem: str
    document: Document


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, per campaign, and the warnings its check found."""

    written: dict[str, list[Path]]
    warnings: list[Finding]


def build(
    root: Path,
    *,
    campaigns: Iterable[str] = (),
    formats: Iterable[Format] = (),
    languages: Iterable[str] = (),
    only: Iterable[str] = (),
) -> BuildResult:
    """Check the workspace at ``root``, then render the named campaigns into ``build/``.

    Args:
        root: the workspace folder.
        campaigns: campaign names; empty means every campaign.
        formats: ``pdf`` and/or ``docx``; empty means the workspace's formats.
        languages: only these language versions (bundles need every language, so they are
            skipped when this narrows a campaign).
        only: only the letters to these recipient ids.

    Raises:
        Problems: every error the check found; nothing is written then.
    """
    inspection = inspect_workspace(root, campaigns=campaigns, languages=languages, only=only)
    if inspection.errors:
        raise Problems(inspection.errors)
    workspace = inspection.workspace
    assert workspace is not None  # a workspace that failed to load is an error
    chosen_formats = list(dict.fromkeys(formats)) or list(workspace.settings.formats)
    settings = workspace.settings
    assets = workspace.root / ASSET_DIR
    theme = workspace_theme(settings.theme, settings.page_size, asset_root=assets)
    plans = {
        campaign.name: plan_documents(inspection, campaign) for campaign in inspection.campaigns
    }
    # Before writing anything: no output folder may be a link out of the workspace.
    for documents in plans.values():
        for planned in documents:
            make_output_folder(
                (workspace.build_dir / planned.stem).parent, workspace.root, create=False
            )
    writers = {fmt: _writer(fmt, settings) for fmt in chosen_formats}
    written: dict[str, list[Path]] = {}
    for campaign in inspection.campaigns:
        paths = written.setdefault(campaign.name, [])
        for planned in plans[campaign.name]:
            for fmt in chosen_formats:
                target = workspace.build_dir / f"{planned.stem}.{fmt}"
                _write_atomically(target, writers[fmt], planned.document, theme, workspace.root)
                paths.append(target)
    return BuildResult(written, inspection.warnings)


def plan_documents(inspection: Inspection, campaign: ResolvedCampaign) -> list[PlannedDocument]:
    """The documents of one campaign, from the letters the inspection rendered."""
    documents = []
    for recipient in campaign.recipients:
        person_id = recipient.person.id
        languages = campaign.languages_for(recipient)
        letters = [
            inspection.letters[key]
            for lang in languages
            if (key := (campaign.name, person_id, lang)) in inspection.letters
        ]
        for letter in letters:
            documents.append(
                PlannedDocument(
                    f"{campaign.name}/{letter.lang}/{person_id}",
                    Document((letter,), created=campaign.campaign.date),
                )
            )
        if campaign.campaign.bundle and len(letters) == len(languages) > 1:
            documents.append(
                PlannedDocument(
                    f"{campaign.name}/{BUNDLE_DIR}/{person_id}",
                    Document(tuple(letters), created=campaign.campaign.date),
                )
            )
    return documents


Writer = Callable[[Document, Path, Theme], None]


def _writer(fmt: Format, settings: Settings) -> Writer:
    # Imported here: each writer pulls in a heavy library that --help and check never need.
    if fmt == "pdf":
        from letterforge.writers.pdf import write_pdf

        return functools.partial(write_pdf, standard=settings.pdf_standard)
    from letterforge.writers.docx import write_docx

    return write_docx


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
                f"{relative_path(current, root)} is a symbolic link: letterforge writes only "
                "into real folders inside build/; remove the link"
            )
        if not current.exists():
            if not create:
                return
            current.mkdir()
        elif not current.is_dir():
            raise OutputError(f"{relative_path(current, root)} is a file, not a folder")


def _write_atomically(
    target: Path, writer: Writer, document: Document, theme: Theme, root: Path
) -> None:
    """Write to a temporary file next to ``target``, then rename it into place."""
    shown = relative_path(target, root)
    try:
        make_output_folder(target.parent, root)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        os.close(handle)
    except OSError as err:
        raise OutputError(f"cannot write {shown}: {err.strerror}") from err
    try:
        writer(document, Path(temporary), theme)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as err:
        raise OutputError(f"cannot write {shown}: {err.strerror}") from err
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
