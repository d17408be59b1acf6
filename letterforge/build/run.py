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
   worker processes, into a staging folder of its own inside ``build/``. Files are renamed
   into place once every letter has passed the check, and from then on as soon as they are
   written; each is added to the campaign's journal first;
6. records each campaign's manifest (:mod:`letterforge.build.manifest`), its review page and its
   mail-out list.

Ctrl-C, SIGTERM and SIGHUP stop a build cleanly: the workers finish the document in hand,
what passed the check is renamed into place and recorded, the staging folder is removed, and
the next build writes the rest. A document that fails to write, or whose worker dies, is
reported with its recipient and language, and the rest of the batch is still written. A file
someone edited since the build wrote it is never replaced without ``--force``, and then only
after the edited copy is saved beside it.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Protocol

from letterforge.build.manifest import (
    JOURNAL_NAME,
    MANIFEST_NAME,
    Manifest,
    OutputRecord,
    WorkspaceInputs,
    digest,
    journal,
)
from letterforge.build.outputs import (
    MAIL_OUT_LIST,
    REVIEW_PAGE,
    STAGING_DIR,
    file_sha256,
    is_build_wide,
    make_output_folder,
    remove_file,
    thumbnail_name,
)
from letterforge.build.plan import PlannedDocument, plan_documents
from letterforge.build.review import write_review
from letterforge.errors import Finding, LetterforgeError, Location, OutputError, Problems
from letterforge.errors import relative_path as shown_path
from letterforge.workspace.paths import (
    BUILD_DIR,
    FORMATS,
    SETTINGS_FILE,
    Format,
    campaign_names,
    reading_from,
)

if TYPE_CHECKING:
    from letterforge.build.workers import JobOutcome, LostJob, WriteJob, WritingPool
    from letterforge.check.rules import Inspection
    from letterforge.workspace.loader import PersonRecord, ResolvedCampaign, Workspace

# Starting a worker (a fresh interpreter importing WeasyPrint) costs about as much as writing
# this many documents: smaller builds get fewer workers, the smallest none.
DOCUMENTS_PER_WORKER = 8
MANIFEST_INTERVAL = 2.0  # seconds between manifest saves during a long build
# After a stop, how long the workers may take to finish the documents in hand (a second
# Ctrl-C stops waiting).
WIND_DOWN_SECONDS = 30


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
    """The build was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP); what it wrote is complete
    and recorded. The exit code is the shells' for that signal: 130, 143, 129."""

    def __init__(self, message: str, signal_number: int) -> None:
        super().__init__(message, exit_code=128 + signal_number)


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
        _clear_staging(root)
        inputs = WorkspaceInputs.read(root)  # read once: the quick check and fingerprints
        if not (force or languages or only):
            unchanged = _unchanged(root, names, wanted_formats, inputs.digest)
            if unchanged is not None:
                return unchanged
        with reading_from(root, inputs.contents):  # render from the bytes fingerprinted
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
    """Hold the workspace's build lock: a lock on the workspace folder itself.

    Not on a file in it: editors and ``git checkout`` save a file by writing a new one and
    renaming it over the old, and a lock held on the old file would no longer keep a second
    build out. Nothing is created for the lock, so a failed build leaves nothing behind, and
    the lock ends with the process however it ends.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; builds there must not overlap
        yield
        return
    folder = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress.waiting()
            fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # releases the lock


def _clear_staging(root: Path) -> None:
    """Remove what a killed build left in ``build/.staging/`` (letters with the recipients'
    data): under the build lock, no other build is using it."""
    staging = root / BUILD_DIR / STAGING_DIR
    if staging.is_dir() and not staging.is_symlink() and not (root / BUILD_DIR).is_symlink():
        shutil.rmtree(staging, ignore_errors=True)


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


class _Stop(Exception):
    """A signal asked the build to stop, or the file system failed it: raised where the
    build can stop cleanly."""


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
        self.staging: Path | None = None  # this build's own, inside build/.staging/
        self.names = names
        self.requested_formats = formats
        self.languages = languages
        self.only = only
        self.jobs = jobs
        self.force = force
        self.progress = progress
        self.result = BuildResult({})
        self.manifests: dict[str, Manifest] = {}
        # Each document handed to a writer, by its job's key: what it is, and the fingerprint
        # of each format to write.
        self.queued: dict[int, tuple[PlannedDocument, dict[Format, str]]] = {}
        self.keys = itertools.count()
        self.held: list[JobOutcome | LostJob] = []  # written before the check had finished
        self.backlog: deque[WriteJob] = deque()  # documents rendered, waiting for a writer
        self.checked = False
        self.stop_signal: int | None = None
        self.hurry = False  # a second signal: the workers' documents in hand are not awaited
        self.incomplete: set[str] = set()  # campaigns whose files may not match the inputs
        self.fault: OutputError | None = None  # the file system error that stopped the build
        self.created_build_dir = not self.build_dir.exists()
        self.last_manifest_save = time.monotonic()
        self.stale: dict[str, list[str]] = {}  # per campaign, files of letters that left it
        self.documents: dict[str, list[PlannedDocument]] = {}  # per campaign, all of them
        self.fingerprints: dict[str, dict[str, str]] = {}  # per campaign, each file's, now
        self.previous_inputs: dict[str, str | None] = {}  # per campaign, before writing
        self.positions: dict[Path, tuple[int, str]] = {}  # each file written: its job, format
        self.workers = 1
        self.campaigns: dict[str, ResolvedCampaign] = {}

    def run(self) -> BuildResult:
        from letterforge.check.rules import inspect_workspace

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
        pool: WritingPool | None = None
        with self._stop_signals():
            try:
                try:
                    if documents:
                        pool = self._pool(workspace, documents)
                    self._write(inspection, plans, pool)
                    self._finish(inspection, pool)
                except _Stop:
                    self._wind_down(pool)
                    if self.fault is not None:
                        raise self.fault from None
                    assert self.stop_signal is not None  # a stop is a signal or a fault
                    raise Interrupted(
                        f"interrupted{_by(self.stop_signal)}: {self._count('written')} files "
                        "written and recorded; run the build again to write the rest",
                        self.stop_signal,
                    ) from None
            finally:
                if pool is not None:
                    pool.close(wait=0 if self.hurry else 10)
                self._remove_staging()
            # A signal from here on waits for the record, which takes a moment: the files
            # are all written, and they are recorded whole.
            self._tools_unchanged()
            self.result.warnings = [*inspection.warnings, *self.result.warnings]
            for outcome in self.result.campaigns.values():  # workers finish in any order
                outcome.written.sort(key=self.positions.__getitem__)
            try:
                self._record(
                    complete=not (self.languages or self.only),
                    formats=formats,
                    settings_formats=list(settings.formats),
                )
            except OSError as err:
                raise self._file_error(err) from None
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
            for name in (MANIFEST_NAME, JOURNAL_NAME, MAIL_OUT_LIST, REVIEW_PAGE):
                _must_be_a_file_or_nothing(folder / name, self.root)
                _remove_temporaries(folder, name)
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
            stale = self.stale[campaign.name] = [
                name for name in manifest.outputs if name not in current
            ]
            for name in stale:  # removed later: no folder on the way may lead elsewhere
                for kept in (name, manifest.outputs[name].thumbnail):
                    if kept is not None:
                        make_output_folder((folder / kept).parent, self.root, create=False)
            plan = plans[campaign.name] = []
            for planned in plan_documents(campaign, languages=self.languages, only=self.only):
                # Before writing anything: no output folder may be a link out of the workspace.
                make_output_folder((folder / planned.stem).parent, self.root, create=False)
                to_write: dict[Format, str] = {}
                for fmt in formats:
                    name = f"{planned.stem}.{fmt}"
                    fingerprint = current[name]
                    record = manifest.outputs.get(name)
                    state = record.state(folder / name) if record is not None else "missing"
                    if state == "edited" and not self.force:
                        self._keep_edited(campaign.name, folder / name)
                    elif (
                        not self.force
                        and record is not None
                        and state == "written"
                        and record.fingerprint == fingerprint
                        and (record.thumbnail is None or (folder / record.thumbnail).is_file())
                    ):
                        outcome.unchanged.append(folder / name)
                    else:
                        to_write[fmt] = fingerprint
                plan.append((planned, to_write))
        return plans

    def _keep_edited(self, campaign: str, target: Path) -> None:
        """Keep a file someone edited since the build wrote it, and say so."""
        self.result.campaigns[campaign].kept.append(target)
        self.result.warnings.append(
            Finding(
                Location(shown_path(target, self.root)),
                "edited since letterforge wrote it; kept (--force replaces it, keeping the "
                f"edited copy as {_aside_name(target).name})",
                severity="warning",
            )
        )

    # Writing

    def _pool(self, workspace: Workspace, documents: int) -> WritingPool:
        """Worker processes for ``documents`` documents, or this process for a few."""
        from letterforge.build.workers import writing_pool

        if self.jobs is None:
            workers = min(os.cpu_count() or 1, math.ceil(documents / DOCUMENTS_PER_WORKER))
        else:
            workers = min(self.jobs, documents)
        self.workers = max(1, workers)
        staging = self.build_dir / STAGING_DIR
        try:
            # Refuses a link; what a killed build left there is gone already (_clear_staging).
            make_output_folder(staging, self.root)
            self.staging = Path(tempfile.mkdtemp(dir=staging))
        except OSError as err:
            raise self._file_error(err) from None
        return writing_pool(
            self.workers, workspace.theme, workspace.settings.pdf_standard, self.staging
        )

    def _write(
        self,
        inspection: Inspection,
        plans: dict[str, list[tuple[PlannedDocument, dict[Format, str]]]],
        pool: WritingPool | None,
    ) -> None:
        """Render the letters to write, one recipient at a time, finishing the check as soon
        as possible; each document waits in the staging folder for a worker, and workers
        start on them at once."""
        from letterforge.build.workers import WriteJob, queue_document
        from letterforge.check.rules import render_letters
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
                    assert self.staging is not None  # made with the pool
                    job = WriteJob(next(self.keys), planned.output, tuple(fmts))
                    document = Document(
                        tuple(versions[lang] for lang in planned.languages),
                        created=campaign.campaign.date,
                    )
                    try:
                        queue_document(self.staging, job, document)
                    except OSError as err:
                        self._stop_for(err)
                    self.queued[job.key] = (planned, fmts)
                    self.backlog.append(job)
                # Workers write while letters are rendered; in this process, writing waits
                # for the check, so that Ctrl-C loses nothing that was written.
                if pool is not None and self.workers > 1:
                    self._hand_out(pool)
                    self._collect(pool, block=False)

    def _hand_out(self, pool: WritingPool) -> None:
        """Give the pool documents from the backlog, as many as it takes now."""
        while self.backlog and pool.free() > 0:
            pool.submit(self.backlog.popleft())

    def _finish(self, inspection: Inspection, pool: WritingPool | None) -> None:
        """Once every letter is rendered: stop on check errors, else put files in place as
        they are written."""
        if inspection.errors:
            if pool is not None:
                pool.stop()
                pool.close()
            self._discard()
            raise Problems(inspection.errors)
        self.checked = True
        self._begin_writing()
        self._remove_stale()
        for outcome in self.held:
            self._take(outcome)
        self.held.clear()
        while self.backlog or (pool is not None and pool.held()):
            assert pool is not None  # there is something to write
            self._hand_out(pool)
            self._collect(pool)

    def _begin_writing(self) -> None:
        """Before the first file of a campaign changes: its manifest no longer says that its
        files match the inputs, and its review page and mail-out list, which would describe
        files about to change, are removed until the build writes them anew."""
        for name, manifest in self.manifests.items():
            self.previous_inputs[name] = manifest.inputs
            manifest.inputs = None
            changing = self.stale[name] or any(
                planned.campaign == name for planned, _ in self.queued.values()
            )
            if changing:
                folder = self.build_dir / name
                try:
                    for page in (REVIEW_PAGE, MAIL_OUT_LIST):
                        (folder / page).unlink(missing_ok=True)
                    if (folder / MANIFEST_NAME).exists():
                        manifest.write(folder)
                except OSError as err:
                    self._stop_for(err)
        self.last_manifest_save = time.monotonic()

    def _collect(self, pool: WritingPool, *, block: bool = True) -> None:
        """Take in the jobs that are done (waiting a moment for one when ``block``)."""
        for outcome in pool.collect(0.2 if block else 0):
            if self.checked:
                self._take(outcome)
            else:
                self.held.append(outcome)
        self._check_stop()
        if self.checked and time.monotonic() - self.last_manifest_save > MANIFEST_INTERVAL:
            try:
                self._save_manifests()
            except OSError as err:
                self._stop_for(err)

    def _take(self, outcome: JobOutcome | LostJob) -> None:
        """Put what a job wrote into place, or report what it could not write."""
        from letterforge.build.workers import LostJob

        if isinstance(outcome, LostJob):
            planned, fingerprints = self.queued.pop(outcome.job.key)
            folder = self.build_dir / planned.campaign
            for fmt in fingerprints:
                self._fail(planned, folder / f"{planned.stem}.{fmt}", outcome.reason)
            self.progress.written(len(fingerprints))
            return
        if outcome.fault is not None:
            self.queued.pop(outcome.job.key)
            self._stop_for(outcome.fault)
        try:
            self._commit(outcome)
        except OSError as err:
            self._stop_for(err)

    def _commit(self, outcome: JobOutcome) -> None:
        """Rename what a job wrote into place and record it; report what it failed to write."""
        planned, fingerprints = self.queued.pop(outcome.job.key)
        assert outcome.job.output == planned.output  # the worker checked its job file
        folder = self.build_dir / planned.campaign
        manifest = self.manifests[planned.campaign]
        result = self.result.campaigns[planned.campaign]
        for staged in outcome.staged:
            name = f"{planned.stem}.{staged.format}"
            target = folder / name
            if not self._make_room(planned.campaign, name, staged.sha256):
                continue
            status = staged.path.stat()  # renaming keeps the file's size and time
            record = OutputRecord(
                recipient=planned.recipient,
                languages=list(planned.languages),
                fingerprint=fingerprints[staged.format],
                size=status.st_size,
                mtime_ns=status.st_mtime_ns,
                sha256=staged.sha256,
                pages=staged.pages,
                thumbnail=thumbnail_name(planned.stem) if staged.thumbnail else None,
            )
            try:
                # The thumbnail first: once the letter is in place, it is recorded.
                if staged.thumbnail is not None and record.thumbnail is not None:
                    make_output_folder((folder / record.thumbnail).parent, self.root)
                    os.replace(staged.thumbnail, folder / record.thumbnail)
                make_output_folder(target.parent, self.root)
                journal(folder, name, record)
                os.replace(staged.path, target)
            except (OSError, OutputError) as err:
                if isinstance(err, OSError) and is_build_wide(err, self.staging):
                    raise
                # Whatever is there now is not what the manifest says: the next build writes it.
                manifest.outputs.pop(name, None)
                message = err.message if isinstance(err, OutputError) else err.strerror or str(err)
                self._fail(planned, target, f"cannot write it: {message}")
                continue
            manifest.outputs[name] = record
            result.written.append(target)
            self.positions[target] = (outcome.job.key, staged.format)
        for fmt, message in outcome.failures:
            self._fail(planned, folder / f"{planned.stem}.{fmt}", message)
        self.progress.written(len(outcome.staged) + len(outcome.failures))

    def _make_room(self, campaign: str, name: str, sha256: str) -> bool:
        """Whether the new file ``name`` (of this ``sha256``) may take its place.

        A file someone edited since it was written (even while this build ran) is kept; with
        ``--force``, it is saved beside under another name first. So is a file the manifest
        has no record of (it was lost, or not to be trusted) unless it is the very file to be
        written: nobody can tell whose work it is.
        """
        folder = self.build_dir / campaign
        record = self.manifests[campaign].outputs.get(name)
        target = folder / name
        if record is None:
            if not target.is_file() or file_sha256(target) == sha256:
                return True
            why = "not recorded as written by letterforge (its manifest entry was lost)"
            kept = "the file that was there"
        elif record.state(target) != "edited":
            return True
        elif not self.force:
            self._keep_edited(campaign, target)
            return False
        else:
            why, kept = "edited since letterforge wrote it", "the edited copy"
        aside = _aside_name(target)
        os.rename(target, aside)
        self.result.warnings.append(
            Finding(
                Location(shown_path(target, self.root)),
                f"{why}; replaced, and {kept} is kept as {aside.name}",
                severity="warning",
            )
        )
        return True

    def _fail(self, planned: PlannedDocument, target: Path, message: str) -> None:
        from letterforge.workspace.conventions import language_name

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
                try:
                    if record.thumbnail is not None:  # drawn by the build, nobody's work
                        remove_file(folder / record.thumbnail, folder)
                    if record.matches(target):
                        remove_file(target, folder)
                        self.result.campaigns[name].removed.append(target)
                    elif target.exists():  # someone's work: kept, no longer tracked
                        self.result.warnings.append(
                            Finding(
                                Location(shown_path(target, self.root)),
                                "edited since letterforge wrote it; kept, though its letter "
                                "is no longer part of the campaign",
                                severity="warning",
                            )
                        )
                except OSError as err:
                    self._stop_for(err)
                del manifest.outputs[output]

    # Stopping

    @contextmanager
    def _stop_signals(self) -> Iterator[None]:
        """Ctrl-C, SIGTERM (a CI runner cancelling) and SIGHUP (a closed terminal) ask the
        build to stop where it can stop cleanly."""
        from letterforge.build.workers import STOP_SIGNALS

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
        for number in STOP_SIGNALS:
            signal.signal(number, self._request_stop)
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        else:  # asked again: stop waiting for the documents in hand
            self.hurry = True

    def _check_stop(self) -> None:
        if self.stop_signal is not None:
            raise _Stop

    def _stop_for(self, err: OSError) -> None:
        """Stop the build for a file system error that the next letters would meet too."""
        self.fault = self._file_error(err)
        raise _Stop

    def _file_error(self, err: OSError) -> OutputError:
        """One line for a file system error: the path, and the cause."""
        if self.staging is not None and not self.staging.is_dir():
            return OutputError(
                "was removed while the build was writing: run the build again",
                Location(f"{BUILD_DIR}/"),
            )
        path = Path(err.filename) if isinstance(err.filename, str) else None
        if path is None or path.is_relative_to(self.build_dir / STAGING_DIR):
            where = f"{BUILD_DIR}/"  # a file of the build's own, not one the user knows
        else:
            where = shown_path(path, self.root) + "/" * path.is_dir()
        return OutputError(f"cannot write: {err.strerror or err}", Location(where))

    def _wind_down(self, pool: WritingPool | None) -> None:
        """After a stop: let the workers finish the document in hand, keep what passed the
        check, and leave a manifest that lists exactly the files that exist."""
        if pool is not None:
            pool.stop()
            deadline = time.monotonic() + WIND_DOWN_SECONDS
            while pool.held() and time.monotonic() < deadline and not self.hurry:
                for outcome in pool.collect(0.2):
                    self.held.append(outcome)
            pool.close(wait=0)
        if not self.checked:
            self._discard()
            return
        for outcome in self.held:
            if self.fault is None:
                with suppress(_Stop):  # self.fault is set then: the rest stays unwritten
                    self._take(outcome)
        self.held.clear()
        self._remove_staging()  # before saving: on a full disk, this makes room
        for manifest in self.manifests.values():
            manifest.inputs = None
        try:
            self._save_manifests(review=True)
        except OSError as err:
            if self.fault is None:
                self.fault = self._file_error(err)

    def _discard(self) -> None:
        """Forget everything written before the check finished: nothing is put in place."""
        self._remove_staging()
        if self.created_build_dir and self.build_dir.is_dir() and not any(self.build_dir.iterdir()):
            self.build_dir.rmdir()

    def _remove_staging(self) -> None:
        if self.staging is None:
            return
        shutil.rmtree(self.staging, ignore_errors=True)
        with suppress(OSError):  # build/.staging, unless another build's is in it
            self.staging.parent.rmdir()
        self.staging = None

    # Recording

    def _record(
        self, *, complete: bool, formats: list[Format], settings_formats: list[str]
    ) -> None:
        """Save each campaign's manifest. A build that wrote or found up to date every file of
        a campaign marks it complete, so the next build can stop at the quick check."""
        inputs = self.inputs.digest
        for name, manifest in self.manifests.items():
            outcome = self.result.campaigns[name]
            previous = self.previous_inputs.get(name, manifest.inputs)
            if outcome.failed or outcome.kept or name in self.incomplete:
                manifest.inputs = None
            elif complete:
                # Formats complete for these same inputs before stay complete.
                before = manifest.formats if previous == inputs else []
                manifest.inputs = inputs
                manifest.formats = sorted({*before, *formats})
                manifest.default_formats = list(settings_formats)
            else:
                manifest.inputs = previous if previous == inputs else None
        self._save_manifests(review=True)

    def _save_manifests(self, *, review: bool = False) -> None:
        """Save each campaign's manifest and, at the end of a build, its review page and
        mail-out list, which describe the files the manifest lists."""
        if not self.build_dir.is_dir():  # removed under the build: nothing left to describe
            return
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
                        edited=[
                            path.relative_to(folder).as_posix()
                            for path in self.result.campaigns[name].kept
                        ],
                    )
        self.last_manifest_save = time.monotonic()

    def _tools_unchanged(self) -> None:
        """Make sure that letters written while letterforge, a rendering library or the
        fonts changed are not recorded as made by either version: the next build writes
        them again."""
        from letterforge.build import manifest

        before = manifest.tool_versions()
        clear = getattr(manifest.tool_versions, "cache_clear", None)
        if clear is None:
            return
        clear()
        if manifest.tool_versions() == before:
            return
        for name, outcome in self.result.campaigns.items():
            records = self.manifests[name].outputs
            folder = self.build_dir / name
            for path in outcome.written:
                records[path.relative_to(folder).as_posix()].fingerprint = "0" * 64
            if outcome.written:
                self.incomplete.add(name)
        self.result.warnings.append(
            Finding(
                None,
                "letterforge, a rendering library or the installed fonts changed during the "
                "build: the letters written will be written again by the next build",
                severity="warning",
            )
        )

    def _count(self, kind: str) -> int:
        return sum(len(getattr(outcome, kind)) for outcome in self.result.campaigns.values())


def _by(signal_number: int) -> str:
    """`` by SIGTERM`` for a signal other than Ctrl-C's."""
    if signal_number == signal.SIGINT:
        return ""
    return f" by {signal.Signals(signal_number).name}"


def _aside_name(target: Path) -> Path:
    """Where ``--force`` keeps an edited file it replaces: ``romo.edited.docx``, or
    ``romo.edited-2.docx`` when that is taken."""
    for number in itertools.count(1):
        mark = "edited" if number == 1 else f"edited-{number}"
        aside = target.with_name(f"{target.stem}.{mark}{target.suffix}")
        if not aside.exists():
            return aside
    raise AssertionError("unreachable")


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
    """A person's roster entry as canonical JSON: what a letter uses of them."""
    import json

    return json.dumps(record.person.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


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
