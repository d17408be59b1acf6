"""Check the workspace, then write the letters whose inputs changed since they were written.

A build:

1. takes the workspace's build lock, so that a second build at the same time waits;
2. stops at once when no input file changed since a complete build and every file is still
   as written (it then parses no YAML and imports no rendering library);
3. checks the workspace; nothing is written when the check finds an error;
4. plans every document and fingerprints what each file is made from; a file whose
   fingerprint the manifest holds, and which is still as written, is skipped, and the files
   of letters whose recipient or language left the campaign are removed;
5. renders the other letters one recipient at a time (finishing the check) and writes them in
   worker processes, into a staging folder inside ``build/``. Files are renamed into place
   once every letter has passed the check, and from then on as soon as they are written;
6. records each campaign's manifest (:mod:`letterforge.manifest`).

Ctrl-C stops a build cleanly: the workers finish the document in hand, what passed the check
is renamed into place and recorded, the staging folder is removed, and the next build writes
the rest. A document that fails to write is reported with its recipient and language, and
the rest of the batch is still written.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Protocol

from letterforge.errors import Finding, LetterforgeError, Location, OutputError, Problems
from letterforge.errors import relative_path as shown_path
from letterforge.folders import BUILD_DIR, FORMATS, SETTINGS_FILE, Format, campaign_names
from letterforge.manifest import MANIFEST_NAME, Manifest, OutputRecord, WorkspaceInputs, digest
from letterforge.review import MAIL_OUT_LIST, REVIEW_PAGE, thumbnail_name, write_review

if TYPE_CHECKING:
    from letterforge.batch import JobOutcome, WriteJob
    from letterforge.check import Inspection
    from letterforge.workspace import PersonRecord, ResolvedCampaign, Workspace

BUNDLE_DIR = "bundle"
STAGING_DIR = ".staging"
# Starting a worker (a fresh interpreter importing WeasyPrint) costs about as much as writing
# this many documents: smaller builds get fewer workers, the smallest none.
DOCUMENTS_PER_WORKER = 8
# Documents handed to each worker at a time: enough to keep it busy. The others wait in the
# staging folder, so that a campaign of any size takes the same memory.
QUEUED_PER_WORKER = 4
MANIFEST_INTERVAL = 2.0  # seconds between manifest saves during a long build


class BuildProgress(Protocol):
    """What a build tells whoever shows its progress."""

    def waiting(self) -> None:
        """Another build of the workspace is running; this one waits for it."""

    def planned(self, files: int) -> None:
        """``files`` files are to be written."""

    def written(self, files: int) -> None:
        """``files`` more files were written (or failed)."""


class _Silent:
    def waiting(self) -> None:
        pass

    def planned(self, files: int) -> None:
        pass

    def written(self, files: int) -> None:
        pass


class Interrupted(LetterforgeError):
    """The build was stopped with Ctrl-C; what it wrote is complete and recorded."""

    exit_code = 130


@dataclass
class CampaignOutcome:
    """The files of one campaign: written now, already up to date, or removed as stale."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)


@dataclass
class BuildResult:
    """What a build did, per campaign; the warnings its check found; the files it could not
    write (each a finding with the recipient and language)."""

    campaigns: dict[str, CampaignOutcome]
    warnings: list[Finding] = field(default_factory=list)
    failures: list[Finding] = field(default_factory=list)


def build(
    root: Path,
    *,
    campaigns: Iterable[str] = (),
    formats: Iterable[Format] = (),
    languages: Iterable[str] = (),
    only: Iterable[str] = (),
    jobs: int | None = None,
    force: bool = False,
    progress: BuildProgress | None = None,
) -> BuildResult:
    """Check the workspace at ``root``, then write the named campaigns' letters into
    ``build/``, skipping the files that are up to date.

    Args:
        root: the workspace folder.
        campaigns: campaign names; empty means every campaign.
        formats: ``pdf`` and/or ``docx``; empty means the workspace's formats.
        languages: only these language versions (bundles need every language, so they are
            skipped when this narrows a campaign).
        only: only the letters to these recipient ids.
        jobs: at most this many worker processes; ``None`` means one per core, and fewer
            for small builds. With 1, everything happens in this process.
        force: write every file, up to date or not.
        progress: told how the build goes (for a progress bar).

    Raises:
        Problems: every error the check found; nothing is written then.
        Interrupted: Ctrl-C stopped the build.
    """
    progress = progress or _Silent()
    names = list(dict.fromkeys(campaigns))
    wanted_formats: list[Format] = list(dict.fromkeys(formats))
    languages, only = list(languages), list(only)
    with _build_lock(root, progress):
        inputs = WorkspaceInputs.read(root)  # read once: the quick check and fingerprints
        if not (force or languages or only):
            unchanged = _unchanged(root, names, wanted_formats, inputs.digest)
            if unchanged is not None:
                return unchanged
        return _Build(
            root,
            inputs=inputs,
            names=names,
            formats=wanted_formats,
            languages=languages,
            only=only,
            jobs=jobs,
            force=force,
            progress=progress,
        ).run()


@contextmanager
def _build_lock(root: Path, progress: BuildProgress) -> Iterator[None]:
    """Hold the workspace's build lock: a lock on ``letterforge.yaml`` itself, so a failed
    build leaves no lock file behind, and the lock ends with the process however it ends."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; builds there must not overlap
        yield
        return
    with open(root / SETTINGS_FILE, "rb") as settings:
        try:
            fcntl.flock(settings, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress.waiting()
            fcntl.flock(settings, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(settings, fcntl.LOCK_UN)


def _unchanged(
    root: Path, names: list[str], formats: list[Format], inputs: str
) -> BuildResult | None:
    """The result of a build with nothing to do, when no input changed since a complete
    build of each campaign and all its files are as written; ``None`` otherwise."""
    names = names or campaign_names(root)
    if not names:
        return None
    result = BuildResult({})
    for name in names:
        folder = root / BUILD_DIR / name
        manifest = Manifest.read(folder)
        wanted = formats or manifest.default_formats
        if not wanted or not manifest.up_to_date(folder, inputs, wanted):
            return None
        if not all((folder / name).is_file() for name in (REVIEW_PAGE, MAIL_OUT_LIST)):
            return None
        result.campaigns[name] = CampaignOutcome(
            unchanged=[
                folder / output
                for output in sorted(manifest.outputs)
                if output.rsplit(".", 1)[-1] in wanted
            ]
        )
    return result


@dataclass(frozen=True)
class PlannedDocument:
    """One document of a campaign: a letter, or a recipient's bundle of every language."""

    campaign: str
    stem: str  # inside build/<campaign>/: en/romo, bundle/romo
    recipient: str
    languages: tuple[str, ...]


def plan_documents(
    campaign: ResolvedCampaign, *, languages: Iterable[str] = (), only: Iterable[str] = ()
) -> list[PlannedDocument]:
    """The documents of ``campaign``: a letter per recipient and language, and a bundle of
    each recipient's languages when the campaign asks for bundles and none is left out."""
    from letterforge.check import narrowed

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
        if campaign.campaign.bundle and len(chosen) == len(every) > 1:
            documents.append(
                PlannedDocument(campaign.name, f"{BUNDLE_DIR}/{person_id}", person_id, chosen)
            )
    return documents


class _Stop(Exception):
    """Ctrl-C arrived; raised where the build can stop cleanly."""


class _Build:
    """One build past the quick check: check, plan, write, record."""

    def __init__(
        self,
        root: Path,
        *,
        inputs: WorkspaceInputs,
        names: list[str],
        formats: list[Format],
        languages: list[str],
        only: list[str],
        jobs: int | None,
        force: bool,
        progress: BuildProgress,
    ) -> None:
        self.root = root
        self.inputs = inputs
        self.build_dir = root / BUILD_DIR
        self.staging = self.build_dir / STAGING_DIR
        self.names = names
        self.requested_formats = formats
        self.languages = languages
        self.only = only
        self.jobs = jobs
        self.force = force
        self.progress = progress
        self.result = BuildResult({})
        self.manifests: dict[str, Manifest] = {}
        self.jobs_by_key: dict[str, tuple[PlannedDocument, dict[Format, str]]] = {}
        self.held: list[JobOutcome] = []  # written before the check had finished
        self.backlog: deque[WriteJob] = deque()  # documents rendered, waiting for a writer
        self.checked = False
        self.stop_requested = False
        self.created_build_dir = not self.build_dir.exists()
        self.last_manifest_save = time.monotonic()
        self.stale: dict[str, list[str]] = {}  # per campaign, files of letters that left it
        self.documents: dict[str, list[PlannedDocument]] = {}  # per campaign, all of them
        self.fingerprints: dict[str, dict[str, str]] = {}  # per campaign, each file's, now
        self.positions: dict[Path, tuple[int, str]] = {}  # each file written: its job, format
        self.workers = 1
        self.campaigns: dict[str, ResolvedCampaign] = {}

    def run(self) -> BuildResult:
        from letterforge.check import inspect_workspace

        inspection = inspect_workspace(
            self.root,
            campaigns=self.names,
            languages=self.languages,
            only=self.only,
            render=False,
        )
        if inspection.errors:
            raise Problems(inspection.errors)
        workspace = inspection.workspace
        assert workspace is not None  # a workspace that failed to load is an error
        self.campaigns = {campaign.name: campaign for campaign in inspection.campaigns}
        settings = workspace.settings
        formats: list[Format] = self.requested_formats or list(settings.formats)
        plans = self._plan(inspection, formats)
        documents = sum(1 for plan in plans.values() for _, fmts in plan if fmts)
        files = sum(len(fmts) for plan in plans.values() for _, fmts in plan)
        self.progress.planned(files)
        previous = signal.getsignal(signal.SIGINT)
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread:
            signal.signal(signal.SIGINT, self._request_stop)
        executor: Executor | None = None
        pending: set[Future[JobOutcome]] = set()
        try:
            if documents:
                executor = self._executor(workspace, documents)
            try:
                self._write(inspection, plans, executor, pending)
                self._finish(inspection, executor, pending)
            except _Stop:
                self._wind_down(executor, pending)
                raise Interrupted(
                    f"interrupted: {self._count('written')} files written and recorded; "
                    "run the build again to write the rest"
                ) from None
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(self.staging, ignore_errors=True)
            if in_main_thread:
                signal.signal(signal.SIGINT, previous)
        self.result.warnings = inspection.warnings
        for outcome in self.result.campaigns.values():  # workers finish in any order
            outcome.written.sort(key=self.positions.__getitem__)
        self._record(
            complete=not (self.languages or self.only),
            formats=formats,
            settings_formats=list(settings.formats),
        )
        return self.result

    # Planning

    def _plan(
        self, inspection: Inspection, formats: list[Format]
    ) -> dict[str, list[tuple[PlannedDocument, dict[Format, str]]]]:
        """Per campaign, each document with the fingerprints of the formats to write."""
        base = self.inputs.digest_of((SETTINGS_FILE, "templates", "locales", "assets"))
        plans: dict[str, list[tuple[PlannedDocument, dict[Format, str]]]] = {}
        for campaign in inspection.campaigns:
            folder = self.build_dir / campaign.name
            make_output_folder(folder, self.root, create=False)
            manifest = self.manifests[campaign.name] = Manifest.read(folder)
            outcome = self.result.campaigns[campaign.name] = CampaignOutcome()
            shared = digest(
                base,
                self.inputs.hashes[f"campaigns/{campaign.name}.yaml"],
                *sorted(_person_data(record) for record in (*campaign.cc, *campaign.signatories)),
            )
            people = {record.person.id: _person_data(record) for record in campaign.recipients}
            every = self.documents[campaign.name] = plan_documents(campaign)
            # What every file of the campaign would be made from now, in either format: the
            # review page marks the files a narrowed build left out of date.
            current = self.fingerprints[campaign.name] = {
                f"{planned.stem}.{fmt}": digest(
                    shared, people[planned.recipient], f"{planned.stem}.{fmt}"
                )
                for planned in every
                for fmt in FORMATS
            }
            self.stale[campaign.name] = [name for name in manifest.outputs if name not in current]
            plan = plans[campaign.name] = []
            for planned in plan_documents(campaign, languages=self.languages, only=self.only):
                # Before writing anything: no output folder may be a link out of the workspace.
                make_output_folder((folder / planned.stem).parent, self.root, create=False)
                to_write: dict[Format, str] = {}
                for fmt in formats:
                    name = f"{planned.stem}.{fmt}"
                    fingerprint = current[name]
                    record = manifest.outputs.get(name)
                    if (
                        not self.force
                        and record is not None
                        and record.fingerprint == fingerprint
                        and record.in_place(folder, name)
                    ):
                        outcome.unchanged.append(folder / name)
                    else:
                        to_write[fmt] = fingerprint
                plan.append((planned, to_write))
        return plans

    # Writing

    def _executor(self, workspace: Workspace, documents: int) -> Executor:
        """Worker processes for ``documents`` documents, or this process for a few."""
        from letterforge.batch import writing_executor

        if self.jobs is None:
            workers = min(os.cpu_count() or 1, math.ceil(documents / DOCUMENTS_PER_WORKER))
        else:
            workers = min(self.jobs, documents)
        self.workers = max(1, workers)
        make_output_folder(self.staging, self.root)  # refuses a link, before anything else
        shutil.rmtree(self.staging)  # what a killed build left, or a repository committed
        self.staging.mkdir()
        return writing_executor(
            self.workers, workspace.theme, workspace.settings.pdf_standard, self.staging
        )

    def _write(
        self,
        inspection: Inspection,
        plans: dict[str, list[tuple[PlannedDocument, dict[Format, str]]]],
        executor: Executor | None,
        pending: set[Future[JobOutcome]],
    ) -> None:
        """Render the letters to write, one recipient at a time, finishing the check as soon
        as possible; each document waits in the staging folder for a worker, and workers
        start on them at once."""
        from letterforge.batch import queue_document
        from letterforge.check import render_letters
        from letterforge.document import Document

        for campaign in inspection.campaigns:
            by_recipient: dict[str, list[tuple[PlannedDocument, dict[Format, str]]]] = {}
            for planned, fmts in plans[campaign.name]:
                if fmts:
                    by_recipient.setdefault(planned.recipient, []).append((planned, fmts))
            if not by_recipient:
                continue
            letters = render_letters(
                inspection,
                campaign,
                languages=self.languages,
                only=self.only,
                recipients=by_recipient.keys(),
            )
            for recipient, versions in letters:
                self._check_stop()
                for planned, fmts in by_recipient[recipient.person.id]:
                    if not all(lang in versions for lang in planned.languages):
                        continue  # the check reports why; nothing will be written
                    key = str(len(self.jobs_by_key))
                    self.jobs_by_key[key] = (planned, fmts)
                    document = Document(
                        tuple(versions[lang] for lang in planned.languages),
                        created=campaign.campaign.date,
                    )
                    self.backlog.append(queue_document(self.staging, key, document, tuple(fmts)))
                # Workers write while letters are rendered; in this process, writing waits
                # for the check, so that Ctrl-C loses nothing that was written.
                if executor is not None and self.workers > 1:
                    self._hand_out(executor, pending)
                    self._collect(pending, block=False)

    def _hand_out(self, executor: Executor, pending: set[Future[JobOutcome]]) -> None:
        """Give the executor documents from the backlog, a few per worker at a time."""
        from letterforge.batch import run_job

        while self.backlog and len(pending) < self.workers * QUEUED_PER_WORKER:
            pending.add(run_job(executor, self.backlog.popleft()))

    def _finish(
        self,
        inspection: Inspection,
        executor: Executor | None,
        pending: set[Future[JobOutcome]],
    ) -> None:
        """Once every letter is rendered: stop on check errors, else put files in place as
        they are written."""
        if inspection.errors:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            self._discard()
            raise Problems(inspection.errors)
        self.checked = True
        self._remove_stale()
        for outcome in self.held:
            self._commit(outcome)
        self.held.clear()
        while self.backlog or pending:
            assert executor is not None  # there is something to write
            self._hand_out(executor, pending)
            self._collect(pending)

    def _collect(self, pending: set[Future[JobOutcome]], *, block: bool = True) -> None:
        """Take in the jobs that are done (waiting a moment for one when ``block``)."""
        done, _ = wait(pending, timeout=0.2 if block else 0, return_when=FIRST_COMPLETED)
        for future in done:
            pending.discard(future)
            outcome = future.result()
            if self.checked:
                self._commit(outcome)
            else:
                self.held.append(outcome)
        self._check_stop()
        if self.checked and time.monotonic() - self.last_manifest_save > MANIFEST_INTERVAL:
            self._save_manifests()

    def _commit(self, outcome: JobOutcome) -> None:
        """Rename what a job wrote into place and record it; report what it failed to write."""
        planned, fingerprints = self.jobs_by_key.pop(outcome.key)
        folder = self.build_dir / planned.campaign
        manifest = self.manifests[planned.campaign]
        result = self.result.campaigns[planned.campaign]
        for staged in outcome.staged:
            name = f"{planned.stem}.{staged.format}"
            target = folder / name
            thumbnail = None
            try:
                # The thumbnail first: once the letter is in place, it is recorded.
                if staged.thumbnail is not None:
                    thumbnail = thumbnail_name(planned.stem)
                    make_output_folder((folder / thumbnail).parent, self.root)
                    os.replace(staged.thumbnail, folder / thumbnail)
                make_output_folder(target.parent, self.root)
                os.replace(staged.path, target)
                status = target.stat()
            except (OSError, OutputError) as err:
                # Whatever is there now is not what the manifest says: the next build writes it.
                manifest.outputs.pop(name, None)
                message = err.message if isinstance(err, OutputError) else err.strerror or str(err)
                self._fail(planned, target, f"cannot write it: {message}")
                continue
            manifest.outputs[name] = OutputRecord(
                recipient=planned.recipient,
                languages=list(planned.languages),
                fingerprint=fingerprints[staged.format],
                size=status.st_size,
                mtime_ns=status.st_mtime_ns,
                sha256=staged.sha256,
                pages=staged.pages,
                thumbnail=thumbnail,
            )
            result.written.append(target)
            self.positions[target] = (int(outcome.key), staged.format)
        for fmt, message in outcome.failures:
            self._fail(planned, folder / f"{planned.stem}.{fmt}", message)
        self.progress.written(len(outcome.staged) + len(outcome.failures))

    def _fail(self, planned: PlannedDocument, target: Path, message: str) -> None:
        from letterforge.locale import language_name

        languages = " and ".join(language_name(lang) for lang in planned.languages)
        self.result.campaigns[planned.campaign].failed.append(target)
        self.result.failures.append(
            Finding(
                Location(shown_path(target, self.root)),
                f"the letter to {planned.recipient} in {languages} was not written: {message}",
            )
        )

    def _remove_stale(self) -> None:
        """Remove the files of letters whose recipient or language left the campaign."""
        for name, stale in self.stale.items():
            folder = self.build_dir / name
            manifest = self.manifests[name]
            for output in stale:
                target = folder / output
                record = manifest.outputs[output]
                if record.thumbnail is not None:  # drawn by the build, nobody's work
                    _remove_file(folder / record.thumbnail, folder)
                if record.matches(target):
                    _remove_file(target, folder)
                    self.result.campaigns[name].removed.append(target)
                # A file changed since it was written is someone's work: kept, not tracked.
                del manifest.outputs[output]

    # Stopping

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested = True

    def _check_stop(self) -> None:
        if self.stop_requested:
            raise _Stop

    def _wind_down(self, executor: Executor | None, pending: set[Future[JobOutcome]]) -> None:
        """After Ctrl-C: let the workers finish the document in hand, keep what passed the
        check, and leave a manifest that lists exactly the files that exist."""
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if not self.checked:
            self._discard()
            return
        for future in pending:
            if future.done() and not future.cancelled():
                self._commit(future.result())
        for manifest in self.manifests.values():
            manifest.inputs = None
        self._save_manifests(review=True)

    def _discard(self) -> None:
        """Forget everything written before the check finished: nothing is put in place."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.created_build_dir and self.build_dir.is_dir() and not any(self.build_dir.iterdir()):
            self.build_dir.rmdir()

    # Recording

    def _record(
        self, *, complete: bool, formats: list[Format], settings_formats: list[str]
    ) -> None:
        """Save each campaign's manifest. A build that wrote or found up to date every file of
        a campaign marks it complete, so the next build can stop at the quick check."""
        inputs = self.inputs.digest
        for name, manifest in self.manifests.items():
            failed = bool(self.result.campaigns[name].failed)
            if complete and not failed:
                # Formats complete for these same inputs before stay complete.
                before = manifest.formats if manifest.inputs == inputs else []
                manifest.inputs = inputs
                manifest.formats = sorted({*before, *formats})
                manifest.default_formats = list(settings_formats)
            elif manifest.inputs != inputs or failed:
                manifest.inputs = None
        self._save_manifests(review=True)

    def _save_manifests(self, *, review: bool = False) -> None:
        """Save each campaign's manifest and, at the end of a build, its review page and
        mail-out list, which describe the files the manifest lists."""
        for name, manifest in self.manifests.items():
            folder = self.build_dir / name
            if manifest.outputs or (folder / MANIFEST_NAME).exists():
                make_output_folder(folder, self.root)
                manifest.write(folder)
                if review:
                    write_review(
                        folder,
                        self.campaigns[name],
                        manifest,
                        self.documents[name],
                        self.fingerprints[name],
                    )
        self.last_manifest_save = time.monotonic()

    def _count(self, kind: str) -> int:
        return sum(len(getattr(outcome, kind)) for outcome in self.result.campaigns.values())


def _remove_file(path: Path, folder: Path) -> None:
    """Remove ``path``, and the folders inside ``folder`` that this empties."""
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != folder and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _person_data(record: PersonRecord) -> str:
    """A person's roster entry as canonical JSON: what a letter uses of them."""
    import json

    return json.dumps(record.person.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


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


def summary(campaign: str, outcome: CampaignOutcome) -> str:
    """``essential-services-2020: 16 files in build/essential-services-2020/`` and, unless the
    build wrote them all, what it did: ``2 written, 14 up to date, 1 removed``."""
    files = len(outcome.written) + len(outcome.unchanged)
    line = f"{campaign}: {files} file{'s' * (files != 1)} in {BUILD_DIR}/{campaign}/"
    if not (outcome.unchanged or outcome.removed or outcome.failed):
        return line
    if not (outcome.written or outcome.removed or outcome.failed):
        return f"{line}, all up to date"
    counts = [
        (len(outcome.written), "written"),
        (len(outcome.unchanged), "up to date"),
        (len(outcome.removed), "removed"),
        (len(outcome.failed), "not written"),
    ]
    return f"{line}: " + ", ".join(f"{count} {what}" for count, what in counts if count)
