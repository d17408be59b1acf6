"""The plan of a build, one :class:`CampaignPlan` per campaign: its documents (a letter per
recipient and language, and each recipient's bundle of every language when the campaign asks
for bundles), what each file is made from (its fingerprint), and which files to write."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from letterforge.build.manifest import (
    JOURNAL_NAME,
    MANIFEST_NAME,
    Manifest,
    WorkspaceInputs,
    digest,
)
from letterforge.build.outputs import BUNDLE_DIR, MAIL_OUT_LIST, REVIEW_PAGE, make_output_folder
from letterforge.build.result import BuildResult, CampaignOutcome
from letterforge.errors import Location, OutputError
from letterforge.errors import relative_path as shown_path
from letterforge.workspace.paths import BUILD_DIR, FORMATS, SETTINGS_FILE, Format

if TYPE_CHECKING:
    from letterforge.workspace.loader import PersonRecord
    from letterforge.workspace.resolve import ResolvedCampaign


@dataclass(frozen=True)
class PlannedDocument:
    """One document of a campaign: a letter, or a recipient's bundle of every language."""

    campaign: str
    stem: str  # inside build/<campaign>/: en/romo, bundle/romo
    recipient: str
    languages: tuple[str, ...]

    @property
    def output(self) -> str:
        """The document's name in build/: ``<campaign>/<stem>``, without a format."""
        return f"{self.campaign}/{self.stem}"


def plan_documents(
    campaign: ResolvedCampaign, *, languages: Iterable[str] = (), only: Iterable[str] = ()
) -> list[PlannedDocument]:
    """The documents of ``campaign``: a letter per recipient and language, and a bundle of
    each recipient's languages when the campaign asks for bundles and none is left out."""
    # Here, not at the top: a build with nothing to do imports neither pydantic nor YAML.
    from letterforge.workspace.languages import narrowed

    languages, only = list(languages), list(only)
    documents = []
    for recipient in campaign.recipients:
        person_id = recipient.person.id
        if only and person_id not in only:
            continue
        every = campaign.languages_for(recipient)
        chosen = tuple(narrowed(every, languages))
        for lang in chosen:
            documents.append(
                PlannedDocument(campaign.name, f"{lang}/{person_id}", person_id, (lang,))
            )
        if campaign.bundle_for(recipient) and len(chosen) == len(every) > 1:
            documents.append(
                PlannedDocument(campaign.name, f"{BUNDLE_DIR}/{person_id}", person_id, chosen)
            )
    return documents


@dataclass
class CampaignPlan:
    """One campaign in a build: its folder and manifest, every document it has and what each
    file would be made from now, the documents to write, and what became of its files."""

    campaign: ResolvedCampaign
    folder: Path  # build/<campaign>/
    manifest: Manifest
    outcome: CampaignOutcome
    # Every document of the campaign, and each file's fingerprint as the inputs are now, in
    # either format: the review page marks the files a narrowed build left out of date.
    documents: list[PlannedDocument]
    fingerprints: dict[str, str]
    stale: list[str]  # the files of letters whose recipient or language left the campaign
    # The documents this build writes (narrowed by --lang and --only), each with the
    # fingerprint of every format to write; a document with none is up to date.
    writes: list[tuple[PlannedDocument, dict[Format, str]]] = field(default_factory=list)
    previous_inputs: str | None = None  # what the manifest said before the build wrote
    incomplete: bool = False  # its files may not match the inputs: the next build looks again
    emailed: bool = False  # the workspace delivers by email: the review shows who was sent what

    @property
    def name(self) -> str:
        return self.campaign.name


def plan_campaigns(
    root: Path,
    campaigns: list[ResolvedCampaign],
    inputs: WorkspaceInputs,
    result: BuildResult,
    *,
    formats: list[Format],
    languages: list[str],
    only: list[str],
    force: bool,
) -> dict[str, CampaignPlan]:
    """Plan each campaign: read its manifest, fingerprint every file, and decide which files
    to write, which are up to date, which are kept as edited, and which are stale.

    Nothing is written, but every folder on the way is checked first: no output folder may
    be a link out of the workspace, and no file the build keeps may be a folder.
    """
    plans = {}
    for campaign in campaigns:
        plan = plans[campaign.name] = _open_campaign(root, campaign, result)
        plan.fingerprints = fingerprints(campaign, plan.documents, inputs)
        plan.stale = [name for name in plan.manifest.outputs if name not in plan.fingerprints]
        for name in plan.stale:  # removed later: no folder on the way may lead elsewhere
            for kept in (name, plan.manifest.outputs[name].thumbnail):
                if kept is not None:
                    make_output_folder((plan.folder / kept).parent, root, create=False)
        for planned in plan_documents(campaign, languages=languages, only=only):
            # Before writing anything: no output folder may be a link out of the workspace.
            make_output_folder((plan.folder / planned.stem).parent, root, create=False)
            plan.writes.append((planned, _to_write(root, plan, planned, formats, force, result)))
    return plans


def fingerprints(
    campaign: ResolvedCampaign, documents: Iterable[PlannedDocument], inputs: WorkspaceInputs
) -> dict[str, str]:
    """The fingerprint of each file of ``documents`` in either format (``en/romo.pdf``): a
    digest of everything it is made from, as the workspace's ``inputs`` are now."""
    base = inputs.digest_of((SETTINGS_FILE, "templates", "locales", "assets"))
    # The campaign file without its to: list, whose entries each concern one recipient
    # (editing one recipient's entry rewrites only that recipient's letters), without
    # bundle:, which decides which documents there are, not what any of them says, and
    # without email:, which only the emails read.
    own = campaign.campaign.model_dump(
        mode="json", by_alias=True, exclude={"to", "bundle", "email"}
    )
    shared = digest(
        base,
        _canonical(own),
        *sorted(_person_data(record) for record in (*campaign.cc, *campaign.signatories)),
    )
    people = {record.person.id: _person_data(record) for record in campaign.recipients}
    return {
        f"{planned.stem}.{fmt}": digest(shared, people[planned.recipient], f"{planned.stem}.{fmt}")
        for planned in documents
        for fmt in FORMATS
    }


def _open_campaign(root: Path, campaign: ResolvedCampaign, result: BuildResult) -> CampaignPlan:
    """A campaign's plan with its folder checked and its manifest read."""
    folder = root / BUILD_DIR / campaign.name
    make_output_folder(folder, root, create=False)
    for name in (MANIFEST_NAME, JOURNAL_NAME, MAIL_OUT_LIST, REVIEW_PAGE):
        _must_be_a_file_or_nothing(folder / name, root)
        _remove_temporaries(folder, name)
    outcome = result.campaigns[campaign.name] = CampaignOutcome()
    manifest = Manifest.read(folder)
    return CampaignPlan(
        campaign,
        folder,
        manifest,
        outcome,
        documents=plan_documents(campaign),
        fingerprints={},
        stale=[],
        previous_inputs=manifest.inputs,
    )


def _to_write(
    root: Path,
    plan: CampaignPlan,
    planned: PlannedDocument,
    formats: list[Format],
    force: bool,
    result: BuildResult,
) -> dict[Format, str]:
    """The formats of ``planned`` to write, with their fingerprints: the others are up to
    date, or edited by someone and kept."""
    to_write: dict[Format, str] = {}
    for fmt in formats:
        name = f"{planned.stem}.{fmt}"
        fingerprint = plan.fingerprints[name]
        record = plan.manifest.outputs.get(name)
        target = plan.folder / name
        state = record.state(target) if record is not None else "missing"
        if state == "edited" and not force:
            result.keep_edited(root, plan.name, target)
        elif (
            not force
            and record is not None
            and state == "written"
            and record.fingerprint == fingerprint
            and (record.thumbnail is None or (plan.folder / record.thumbnail).is_file())
        ):
            plan.outcome.unchanged.append(target)
        else:
            to_write[fmt] = fingerprint
    return to_write


def _remove_temporaries(folder: Path, name: str) -> None:
    """Remove what a killed build left of writing ``name`` whole (``.index.html.x8a2k``)."""
    if folder.is_dir():
        for leftover in folder.glob(f".{name}.*"):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink(missing_ok=True)


def _must_be_a_file_or_nothing(path: Path, root: Path) -> None:
    """Refuse, before anything is written, a folder or a link where the build keeps a file."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(
            "is not a file: letterforge keeps its own file there; remove it",
            Location(shown_path(path, root)),
        )


def _person_data(record: PersonRecord) -> str:
    """What a letter uses of a person, as canonical JSON: their roster entry, the office they
    hold on the letter's date, and the campaign's facts for their letter."""
    return _canonical(
        {
            "person": record.person.model_dump(mode="json"),
            "role": record.role,
            "campaign_data": [layer.data for layer in record.campaign_data],
        }
    )


def _canonical(value: object) -> str:
    """``value`` as canonical JSON (dates as ISO text)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
