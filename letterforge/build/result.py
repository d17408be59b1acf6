"""What a build tells as it goes, and what it did: per campaign, the files written, up to
date, kept as edited, removed and not written; the warnings to show; and the one-line summary
of each campaign."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from letterforge.build.outputs import aside_name
from letterforge.errors import Finding, Location
from letterforge.errors import relative_path as shown_path
from letterforge.workspace.paths import BUILD_DIR


class BuildProgress(Protocol):
    """What a build tells whoever shows its progress."""

    def waiting(self) -> None:
        """Another build of the workspace is running; this one waits for it."""

    def planned(self, files: int) -> None:
        """``files`` files are to be written."""

    def written(self, files: int) -> None:
        """``files`` more files were written (or failed)."""


@dataclass
class CampaignOutcome:
    """The files of one campaign: written now, already up to date, or removed as stale."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # edited by someone since written: kept


@dataclass
class BuildResult:
    """What a build did, per campaign; the warnings its check found; the files it could not
    write (each a finding with the recipient and language)."""

    campaigns: dict[str, CampaignOutcome]
    warnings: list[Finding] = field(default_factory=list)
    failures: list[Finding] = field(default_factory=list)

    def warn(self, root: Path, path: Path, message: str) -> None:
        """Add a warning about a file of ``build/``."""
        self.warnings.append(Finding(Location(shown_path(path, root)), message, "warning"))

    def keep_edited(self, root: Path, campaign: str, target: Path) -> None:
        """Keep a file someone edited since the build wrote it, and say so."""
        self.campaigns[campaign].kept.append(target)
        self.warn(
            root,
            target,
            "edited since letterforge wrote it; kept (--force replaces it, keeping the "
            f"edited copy as {aside_name(target).name})",
        )

    def count(self, kind: str) -> int:
        """How many files of every campaign are ``written``, ``failed``…"""
        return sum(len(getattr(outcome, kind)) for outcome in self.campaigns.values())


def summary(campaign: str, outcome: CampaignOutcome) -> str:
    """``essential-services-2020: 16 files in build/essential-services-2020/`` and, unless the
    build wrote them all, what it did: ``2 written, 14 up to date, 1 removed``."""
    files = len(outcome.written) + len(outcome.unchanged) + len(outcome.kept)
    line = f"{campaign}: {files} file{'s' * (files != 1)} in {BUILD_DIR}/{campaign}/"
    if not (outcome.unchanged or outcome.removed or outcome.failed or outcome.kept):
        return line
    if not (outcome.written or outcome.removed or outcome.failed or outcome.kept):
        return f"{line}, all up to date"
    counts = [
        (len(outcome.written), "written"),
        (len(outcome.unchanged), "up to date"),
        (len(outcome.kept), "kept as edited"),
        (len(outcome.removed), "removed"),
        (len(outcome.failed), "not written"),
    ]
    return f"{line}: " + ", ".join(f"{count} {what}" for count, what in counts if count)
