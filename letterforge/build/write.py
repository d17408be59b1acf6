"""The write phase of a build: render the letters to write one recipient at a time (which
finishes the check), queue each document in the build's staging folder for a worker, and put
each file a worker wrote into place, recording it in the campaign's journal first.

Nothing is put in place before every letter has passed the check; from then on, each file is
as soon as it is written. A stop (a signal, or a file system error every letter would meet)
winds down: the workers finish the document in hand, what passed the check is put in place
and recorded, and the manifests say that the campaigns are not complete.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import tempfile
import time
from collections import deque
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from letterforge.build.manifest import MANIFEST_NAME, OutputRecord, journal
from letterforge.build.outputs import (
    MAIL_OUT_LIST,
    REVIEW_PAGE,
    STAGING_DIR,
    aside_name,
    file_sha256,
    is_build_wide,
    make_output_folder,
    remove_file,
    thumbnail_name,
)
from letterforge.build.plan import CampaignPlan, PlannedDocument
from letterforge.build.record import save_manifests
from letterforge.build.result import BuildProgress, BuildResult
from letterforge.build.stop import Stop, StopRequest
from letterforge.errors import Finding, Location, OutputError, Problems
from letterforge.errors import relative_path as shown_path
from letterforge.workspace.paths import BUILD_DIR, Format

if TYPE_CHECKING:
    from letterforge.build.workers import JobOutcome, WriteJob, WritingPool
    from letterforge.compose import Composer
    from letterforge.workspace.loader import Workspace

# Starting a worker (a fresh interpreter importing WeasyPrint) costs about as much as writing
# this many documents: smaller builds get fewer workers, the smallest none.
DOCUMENTS_PER_WORKER = 8
MANIFEST_INTERVAL = 2.0  # seconds between manifest saves during a long build
# After a stop, how long the workers may take to finish the documents in hand (a second
# Ctrl-C stops waiting).
WIND_DOWN_SECONDS = 30


class Writing:
    """The documents of one build on their way from the renderer, through the workers, into
    ``build/``."""

    def __init__(
        self,
        root: Path,
        plans: dict[str, CampaignPlan],
        result: BuildResult,
        *,
        force: bool,
        stop: StopRequest,
        progress: BuildProgress,
    ) -> None:
        self.root = root
        self.build_dir = root / BUILD_DIR
        self.plans = plans
        self.result = result
        self.force = force
        self.stop = stop
        self.progress = progress
        self.created_build_dir = not self.build_dir.exists()
        self.staging: Path | None = None  # this build's own, inside build/.staging/
        self.workers = 1
        # Each document handed to a writer, by its job's key: what it is, and the fingerprint
        # of each format to write.
        self.queued: dict[int, tuple[PlannedDocument, dict[Format, str]]] = {}
        self.keys = itertools.count()
        self.backlog: deque[WriteJob] = deque()  # documents rendered, waiting for a writer
        self.held: list[JobOutcome] = []  # written before the check had finished
        self.checked = False
        self.positions: dict[Path, tuple[int, str]] = {}  # each file written: its job, format
        self.fault: OutputError | None = None  # the file system error that stopped the build
        self.last_manifest_save = time.monotonic()

    def open_pool(self, workspace: Workspace, documents: int, jobs: int | None) -> WritingPool:
        """Worker processes for ``documents`` documents (at most ``jobs``; ``None``: one per
        core, fewer for small builds), or this process for a few."""
        from letterforge.build.workers import writing_pool

        if jobs is None:
            workers = min(os.cpu_count() or 1, math.ceil(documents / DOCUMENTS_PER_WORKER))
        else:
            workers = min(jobs, documents)
        self.workers = max(1, workers)
        staging = self.build_dir / STAGING_DIR
        try:
            # Refuses a link; what a killed build left there is gone already (_clear_staging).
            make_output_folder(staging, self.root)
            self.staging = Path(tempfile.mkdtemp(dir=staging))
        except OSError as err:
            raise self.file_error(err) from None
        return writing_pool(
            self.workers, workspace.theme, workspace.settings.pdf_standard, self.staging
        )

    def write(
        self, composer: Composer, pool: WritingPool | None, languages: list[str], only: list[str]
    ) -> None:
        """Render and write every document the plans say to write."""
        self._render(composer, pool, languages, only)
        self._finish(composer, pool)

    def _render(
        self, composer: Composer, pool: WritingPool | None, languages: list[str], only: list[str]
    ) -> None:
        """Render the letters to write, one recipient at a time, finishing the check as soon
        as possible; each document waits in the staging folder for a worker, and workers
        start on them at once."""
        from letterforge.build.workers import WriteJob, queue_document
        from letterforge.document import Document

        for plan in self.plans.values():
            by_recipient: dict[str, list[tuple[PlannedDocument, dict[Format, str]]]] = {}
            for planned, fmts in plan.writes:
                if fmts:
                    by_recipient.setdefault(planned.recipient, []).append((planned, fmts))
            if not by_recipient:
                continue
            letters = composer.letters(
                plan.campaign, languages=languages, only=only, recipients=by_recipient.keys()
            )
            for recipient, versions in letters:
                self.stop.check()
                for planned, fmts in by_recipient[recipient.person.id]:
                    if not all(lang in versions for lang in planned.languages):
                        continue  # the check reports why; nothing will be written
                    assert self.staging is not None  # made with the pool
                    job = WriteJob(next(self.keys), planned.output, tuple(fmts))
                    document = Document(
                        tuple(versions[lang] for lang in planned.languages),
                        created=plan.campaign.campaign.date,
                    )
                    try:
                        queue_document(self.staging, job, document)
                    except OSError as err:
                        self.stop_for(err)
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

    def _finish(self, composer: Composer, pool: WritingPool | None) -> None:
        """Once every letter is rendered: stop on check errors, else put files in place as
        they are written."""
        if composer.errors:
            if pool is not None:
                pool.stop()
                pool.close()
            self.discard()
            raise Problems(composer.errors)
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
        for plan in self.plans.values():
            manifest = plan.manifest
            plan.previous_inputs = manifest.inputs
            manifest.inputs = None
            changing = plan.stale or any(
                planned.campaign == plan.name for planned, _ in self.queued.values()
            )
            if changing:
                try:
                    for page in (REVIEW_PAGE, MAIL_OUT_LIST):
                        (plan.folder / page).unlink(missing_ok=True)
                    if (plan.folder / MANIFEST_NAME).exists():
                        manifest.write(plan.folder)
                except OSError as err:
                    self.stop_for(err)
        self.last_manifest_save = time.monotonic()

    def _collect(self, pool: WritingPool, *, block: bool = True) -> None:
        """Take in the jobs that are done (waiting a moment for one when ``block``)."""
        for outcome in pool.collect(0.2 if block else 0):
            if self.checked:
                self._take(outcome)
            else:
                self.held.append(outcome)
        self.stop.check()
        if self.checked and time.monotonic() - self.last_manifest_save > MANIFEST_INTERVAL:
            try:
                self._save_manifests(review=False)
            except OSError as err:
                self.stop_for(err)

    def _take(self, outcome: JobOutcome) -> None:
        """Put what a job wrote into place, or report what it could not write."""
        if outcome.fault is not None:
            self.queued.pop(outcome.job.key)
            self.stop_for(outcome.fault)
        try:
            self._commit(outcome)
        except OSError as err:
            self.stop_for(err)

    def _commit(self, outcome: JobOutcome) -> None:
        """Rename what a job wrote into place and record it; report what it failed to write."""
        planned, fingerprints = self.queued.pop(outcome.job.key)
        assert outcome.job.output == planned.output  # the worker checked its job file
        plan = self.plans[planned.campaign]
        for staged in outcome.staged:
            name = f"{planned.stem}.{staged.format}"
            target = plan.folder / name
            if not self._make_room(plan, name, staged.sha256):
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
                    make_output_folder((plan.folder / record.thumbnail).parent, self.root)
                    os.replace(staged.thumbnail, plan.folder / record.thumbnail)
                make_output_folder(target.parent, self.root)
                journal(plan.folder, name, record)
                os.replace(staged.path, target)
            except (OSError, OutputError) as err:
                if isinstance(err, OSError) and is_build_wide(err, self.staging):
                    raise
                # Whatever is there now is not what the manifest says: the next build writes it.
                plan.manifest.outputs.pop(name, None)
                message = err.message if isinstance(err, OutputError) else err.strerror or str(err)
                self._fail(planned, target, f"cannot write it: {message}")
                continue
            plan.manifest.outputs[name] = record
            plan.outcome.written.append(target)
            self.positions[target] = (outcome.job.key, staged.format)
        for fmt, message in outcome.failures:
            self._fail(planned, plan.folder / f"{planned.stem}.{fmt}", message)
        self.progress.written(len(outcome.staged) + len(outcome.failures))

    def _make_room(self, plan: CampaignPlan, name: str, sha256: str) -> bool:
        """Whether the new file ``name`` (of this ``sha256``) may take its place.

        A file someone edited since it was written (even while this build ran) is kept; with
        ``--force``, it is saved beside under another name first. So is a file the manifest
        has no record of (it was lost, or not to be trusted) unless it is the very file to be
        written: nobody can tell whose work it is.
        """
        record = plan.manifest.outputs.get(name)
        target = plan.folder / name
        if record is None:
            if not target.is_file() or file_sha256(target) == sha256:
                return True
            why = "not recorded as written by letterforge (its manifest entry was lost)"
            kept = "the file that was there"
        elif record.state(target) != "edited":
            return True
        elif not self.force:
            self.result.keep_edited(self.root, plan.name, target)
            return False
        else:
            why, kept = "edited since letterforge wrote it", "the edited copy"
        aside = aside_name(target)
        os.rename(target, aside)
        self.result.warn(self.root, target, f"{why}; replaced, and {kept} is kept as {aside.name}")
        return True

    def _fail(self, planned: PlannedDocument, target: Path, message: str) -> None:
        from letterforge.workspace.conventions import language_name

        languages = " and ".join(language_name(lang) for lang in planned.languages)
        self.plans[planned.campaign].outcome.failed.append(target)
        self.result.failures.append(
            Finding(
                Location(shown_path(target, self.root)),
                f"the letter to {planned.recipient} in {languages} was not written: {message}",
            )
        )

    def _remove_stale(self) -> None:
        """Remove the files of letters whose recipient or language left the campaign."""
        for plan in self.plans.values():
            for output in plan.stale:
                target = plan.folder / output
                record = plan.manifest.outputs[output]
                try:
                    if record.thumbnail is not None:  # drawn by the build, nobody's work
                        remove_file(plan.folder / record.thumbnail, plan.folder)
                    if record.matches(target):
                        remove_file(target, plan.folder)
                        plan.outcome.removed.append(target)
                    elif target.exists():  # someone's work: kept, no longer tracked
                        self.result.warn(
                            self.root,
                            target,
                            "edited since letterforge wrote it; kept, though its letter is no "
                            "longer part of the campaign",
                        )
                except OSError as err:
                    self.stop_for(err)
                del plan.manifest.outputs[output]

    # Stopping

    def stop_for(self, err: OSError) -> None:
        """Stop the build for a file system error that the next letters would meet too."""
        self.fault = self.file_error(err)
        raise Stop

    def file_error(self, err: OSError) -> OutputError:
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

    def wind_down(self, pool: WritingPool | None) -> None:
        """After a stop: let the workers finish the document in hand, keep what passed the
        check, and leave a manifest that lists exactly the files that exist."""
        if pool is not None:
            pool.stop()
            deadline = time.monotonic() + WIND_DOWN_SECONDS
            while pool.held() and time.monotonic() < deadline and not self.stop.hurry:
                for outcome in pool.collect(0.2):
                    self.held.append(outcome)
            pool.close(wait=0)
        if not self.checked:
            self.discard()
            return
        for outcome in self.held:
            if self.fault is None:
                with suppress(Stop):  # self.fault is set then: the rest stays unwritten
                    self._take(outcome)
        self.held.clear()
        self.remove_staging()  # before saving: on a full disk, this makes room
        for plan in self.plans.values():
            plan.manifest.inputs = None
        try:
            self._save_manifests(review=True)
        except OSError as err:
            if self.fault is None:
                self.fault = self.file_error(err)

    def discard(self) -> None:
        """Forget everything written before the check finished: nothing is put in place."""
        self.remove_staging()
        if self.created_build_dir and self.build_dir.is_dir() and not any(self.build_dir.iterdir()):
            self.build_dir.rmdir()

    def remove_staging(self) -> None:
        if self.staging is None:
            return
        shutil.rmtree(self.staging, ignore_errors=True)
        with suppress(OSError):  # build/.staging, unless another build's is in it
            self.staging.parent.rmdir()
        self.staging = None

    def _save_manifests(self, *, review: bool) -> None:
        save_manifests(self.root, self.plans, review=review)
        self.last_manifest_save = time.monotonic()
