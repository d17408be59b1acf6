"""The record and review phases of a build: each campaign's manifest, saved with what the
build wrote, and its review page and mail-out list, which describe the files it lists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from letterforge.build import manifest as manifests
from letterforge.build.manifest import MANIFEST_NAME, WorkspaceInputs
from letterforge.build.outputs import make_output_folder
from letterforge.build.plan import CampaignPlan, fingerprints, plan_documents
from letterforge.build.result import BuildResult
from letterforge.build.review import write_review
from letterforge.errors import Finding
from letterforge.workspace.paths import BUILD_DIR, Format
from letterforge.workspace.sent_log import LetterState, log_path, read_states

if TYPE_CHECKING:
    from letterforge.workspace.resolve import ResolvedCampaign


def record(
    root: Path,
    plans: dict[str, CampaignPlan],
    inputs: str,
    *,
    complete: bool,
    formats: list[Format],
    settings_formats: list[str],
) -> None:
    """Save each campaign's manifest, review page and mail-out list. A build that wrote or
    found up to date every file of a campaign marks it complete for ``inputs`` (their
    digest), so the next build can stop at the quick check."""
    for plan in plans.values():
        manifest, outcome = plan.manifest, plan.outcome
        previous = plan.previous_inputs
        if outcome.failed or outcome.kept or plan.incomplete:
            manifest.inputs = None
        elif complete:
            # Formats complete for these same inputs before stay complete.
            before = manifest.formats if previous == inputs else []
            manifest.inputs = inputs
            manifest.formats = sorted({*before, *formats})
            manifest.default_formats = list(settings_formats)
        else:
            manifest.inputs = previous if previous == inputs else None
    save_manifests(root, plans, review=True)


def save_manifests(root: Path, plans: dict[str, CampaignPlan], *, review: bool) -> None:
    """Save each campaign's manifest and, at the end of a build, its review page and
    mail-out list, which describe the files the manifest lists."""
    if not (root / BUILD_DIR).is_dir():  # removed under the build: nothing left to describe
        return
    for plan in plans.values():
        folder = plan.folder
        if plan.manifest.outputs or (folder / MANIFEST_NAME).exists():
            make_output_folder(folder, root)
            plan.manifest.write(folder)
            if review:
                write_review(
                    folder,
                    plan.campaign,
                    plan.manifest,
                    plan.documents,
                    plan.fingerprints,
                    edited=[path.relative_to(folder).as_posix() for path in plan.outcome.kept],
                    delivery=_delivery(root, plan),
                )


def refresh_review(root: Path, campaign: ResolvedCampaign, inputs: WorkspaceInputs) -> None:
    """Write the review page and mail-out list of ``campaign`` again, as they are now, for
    what ``send`` changed: who was sent what. Nothing else of the build is touched."""
    folder = root / BUILD_DIR / campaign.name
    manifest = manifests.Manifest.read(folder)
    if not manifest.outputs:
        return
    documents = plan_documents(campaign)
    edited = [
        name for name, output in manifest.outputs.items() if output.state(folder / name) == "edited"
    ]
    write_review(
        folder,
        campaign,
        manifest,
        documents,
        fingerprints(campaign, documents, inputs),
        edited=edited,
        delivery=read_states(root, campaign.name) or {},
    )


def _delivery(root: Path, plan: CampaignPlan) -> dict[str, LetterState] | None:
    """What was sent of the campaign, when its letters go by email (or went: a log exists)."""
    if plan.emailed or log_path(root, plan.name).exists():
        return read_states(root, plan.name) or {}
    return None


def tools_unchanged(plans: dict[str, CampaignPlan], result: BuildResult) -> None:
    """Make sure that letters written while letterforge, a rendering library or the fonts
    changed are not recorded as made by either version: the next build writes them again."""
    before = manifests.tool_versions()
    clear = getattr(manifests.tool_versions, "cache_clear", None)
    if clear is None:
        return
    clear()
    if manifests.tool_versions() == before:
        return
    for plan in plans.values():
        records = plan.manifest.outputs
        for path in plan.outcome.written:
            records[path.relative_to(plan.folder).as_posix()].fingerprint = "0" * 64
        if plan.outcome.written:
            plan.incomplete = True
    result.warnings.append(
        Finding(
            None,
            "letterforge, a rendering library or the installed fonts changed during the "
            "build: the letters written will be written again by the next build",
            severity="warning",
        )
    )
