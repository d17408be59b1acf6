"""Plan a build, render every letter, then write the files.

Every letter is rendered into the document model before the first file is written, so a
mistake in any input stops the build with ``build/`` untouched. Each file is written under a
temporary name and renamed into place, so no reader ever sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from letterforge.document import Document
from letterforge.errors import ConfigError, OutputError, relative_path
from letterforge.model import language_name
from letterforge.render import LetterRenderer, LetterSource
from letterforge.theme import Theme, default_theme
from letterforge.workspace import ResolvedCampaign, Workspace

Format = Literal["pdf", "docx"]
BUNDLE_DIR = "bundle"


@dataclass(frozen=True)
class PlannedDocument:
    """One document to write, in every requested format, at ``build/<stem>.<format>``."""

    stem: str
    document: Document


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, per campaign."""

    written: dict[str, list[Path]]


def build(
    workspace: Workspace,
    *,
    campaigns: Iterable[str] = (),
    formats: Iterable[Format] = (),
    languages: Iterable[str] = (),
    only: Iterable[str] = (),
) -> BuildResult:
    """Render the named campaigns (all when none are named) into ``build/``.

    Args:
        workspace: the loaded workspace.
        campaigns: campaign names; empty means every campaign.
        formats: ``pdf`` and/or ``docx``; empty means the workspace's formats.
        languages: only these language versions (bundles need every language, so they are
            skipped when this narrows a campaign).
        only: only the letters to these recipient ids.
    """
    chosen_formats = list(dict.fromkeys(formats)) or list(workspace.settings.formats)
    plans = plan_documents(
        workspace, campaigns=list(campaigns), languages=list(languages), only=list(only)
    )
    theme = default_theme(workspace.settings.page_size)
    written: dict[str, list[Path]] = {}
    for campaign, documents in plans.items():
        paths = written.setdefault(campaign, [])
        for planned in documents:
            for fmt in chosen_formats:
                target = workspace.build_dir / f"{planned.stem}.{fmt}"
                _write_atomically(target, planned.document, theme, fmt, workspace.root)
                paths.append(target)
    return BuildResult(written)


def plan_documents(
    workspace: Workspace,
    *,
    campaigns: list[str],
    languages: list[str],
    only: list[str],
) -> dict[str, list[PlannedDocument]]:
    """Render every requested letter into the document model, without writing anything."""
    names = list(dict.fromkeys(campaigns)) or workspace.campaign_names()
    if not names:
        raise ConfigError("there are no campaigns: add a file to campaigns/")
    resolved = [workspace.resolve(workspace.load_campaign(name)) for name in names]
    _check_narrowing(resolved, languages=languages, only=only)
    renderer = LetterRenderer(workspace)
    plans: dict[str, list[PlannedDocument]] = {}
    for campaign in resolved:
        documents = plans.setdefault(campaign.name, [])
        chosen_languages = [
            lang for lang in campaign.languages if not languages or lang in languages
        ]
        for recipient in campaign.recipients:
            if only and recipient.person.id not in only:
                continue
            letters = [
                renderer.render(LetterSource(campaign, recipient, lang))
                for lang in chosen_languages
            ]
            for letter in letters:
                documents.append(
                    PlannedDocument(
                        f"{campaign.name}/{letter.lang}/{recipient.person.id}",
                        Document((letter,), created=campaign.campaign.date),
                    )
                )
            if campaign.campaign.bundle and len(letters) == len(campaign.languages) > 1:
                documents.append(
                    PlannedDocument(
                        f"{campaign.name}/{BUNDLE_DIR}/{recipient.person.id}",
                        Document(tuple(letters), created=campaign.campaign.date),
                    )
                )
    return plans


def _check_narrowing(
    campaigns: list[ResolvedCampaign], *, languages: list[str], only: list[str]
) -> None:
    offered = {lang for campaign in campaigns for lang in campaign.languages}
    for lang in languages:
        if lang not in offered:
            raise ConfigError(
                f"--lang {lang}: no chosen campaign is written in {language_name(lang)}; "
                f"they offer {', '.join(sorted(offered))}"
            )
    recipients = {person.person.id for campaign in campaigns for person in campaign.recipients}
    for person_id in only:
        if person_id not in recipients:
            raise ConfigError(f"--only {person_id}: no chosen campaign writes to {person_id!r}")


def _writer(fmt: Format) -> Callable[[Document, Path, Theme], None]:
    # Imported here: each writer pulls in a heavy library that --help and check never need.
    if fmt == "pdf":
        from letterforge.writers.pdf import write_pdf

        return write_pdf
    from letterforge.writers.docx import write_docx

    return write_docx


def _write_atomically(
    target: Path, document: Document, theme: Theme, fmt: Format, root: Path
) -> None:
    shown = relative_path(target, root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        os.close(handle)
    except OSError as err:
        raise OutputError(f"cannot write {shown}: {err.strerror}") from err
    try:
        _writer(fmt)(document, Path(temporary), theme)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as err:
        raise OutputError(f"cannot write {shown}: {err.strerror}") from err
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
