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

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from letterforge.build.manifest import Manifest, WorkspaceInputs
from letterforge.build.outputs import MAIL_OUT_LIST, REVIEW_PAGE, STAGING_DIR
from letterforge.build.record import record, tools_unchanged
from letterforge.build.result import BuildProgress, BuildResult, CampaignOutcome
from letterforge.build.stop import Stop, StopRequest
from letterforge.errors import Problems
from letterforge.workspace.paths import BUILD_DIR, Format, campaign_names, reading_from

if TYPE_CHECKING:
    from letterforge.build.plan import CampaignPlan
    from letterforge.build.workers import WritingPool
    from letterforge.build.write import Writing
    from letterforge.compose import Composer, Rules


class _Silent:
    def waiting(self) -> None:
        pass

    def planned(self, files: int) -> None:
        pass

    def written(self, files: int) -> None:
        pass


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
    rules: Callable[[], Rules] | None = None,
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
        rules: makes what checks the workspace besides loading and rendering it (the
            linter's rules); called only once the build has something to do, so that a
            build with nothing to do imports no rendering library.

    Raises:
        Problems: every error the check found; nothing is written then.
        Interrupted: Ctrl-C stopped the build.
    """
    request = _Request(
        names=list(dict.fromkeys(campaigns)),
        formats=list(dict.fromkeys(formats)),
        languages=list(languages),
        only=list(only),
        jobs=jobs,
        force=force,
    )
    progress = progress or _Silent()
    with _build_lock(root, progress):
        _clear_staging(root)
        inputs = WorkspaceInputs.read(root)  # read once: the quick check and fingerprints
        if not (force or request.narrowed):
            unchanged = _nothing_to_do(root, request.names, request.formats, inputs.digest)
            if unchanged is not None:
                return unchanged
        with reading_from(root, inputs.contents):  # render from the bytes fingerprinted
            composer = _load(root, request, rules)
            assert composer.workspace is not None  # a workspace that failed to load is an error
            settings = composer.workspace.settings
            request.formats = request.formats or list(settings.formats)
            result = BuildResult({})
            plans = _plan(root, composer, inputs, result, request)
            for plan in plans.values():
                plan.emailed = settings.delivery is not None
            stop = StopRequest()
            with stop.listening():
                writing = _write(root, composer, plans, result, request, stop, progress)
                # A signal from here on waits for the record, which takes a moment: the files
                # are all written, and they are recorded whole.
                tools_unchanged(plans, result)
                result.warnings = [*composer.warnings, *result.warnings]
                try:
                    record(
                        root,
                        plans,
                        inputs.digest,
                        complete=not request.narrowed,
                        formats=request.formats,
                        settings_formats=list(settings.formats),
                    )
                except OSError as err:
                    raise writing.file_error(err) from None
        return result


@dataclass
class _Request:
    """What a build was asked to do."""

    names: list[str]  # campaigns; empty means every campaign
    formats: list[Format]  # empty means the workspace's
    languages: list[str]
    only: list[str]
    jobs: int | None
    force: bool

    @property
    def narrowed(self) -> bool:
        """Whether the build writes only some languages or recipients."""
        return bool(self.languages or self.only)


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


def _nothing_to_do(
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


def _load(root: Path, request: _Request, rules: Callable[[], Rules] | None) -> Composer:
    """Load, resolve and check the workspace; the letters are rendered later, only those
    to write."""
    from letterforge.compose import Composer

    composer = Composer.open(
        root,
        campaigns=request.names,
        languages=request.languages,
        only=request.only,
        rules=rules() if rules is not None else None,
    )
    if composer.errors:
        raise Problems(composer.errors)
    return composer


def _plan(
    root: Path,
    composer: Composer,
    inputs: WorkspaceInputs,
    result: BuildResult,
    request: _Request,
) -> dict[str, CampaignPlan]:
    from letterforge.build.plan import plan_campaigns

    return plan_campaigns(
        root,
        composer.campaigns,
        inputs,
        result,
        formats=request.formats,
        languages=request.languages,
        only=request.only,
        force=request.force,
    )


def _write(
    root: Path,
    composer: Composer,
    plans: dict[str, CampaignPlan],
    result: BuildResult,
    request: _Request,
    stop: StopRequest,
    progress: BuildProgress,
) -> Writing:
    """Render and write the documents the plans say to write, stopping cleanly on a signal
    or a file system error that every letter would meet."""
    from letterforge.build.write import Writing

    assert composer.workspace is not None  # loaded
    to_write = [fmts for plan in plans.values() for _, fmts in plan.writes]
    documents = sum(1 for fmts in to_write if fmts)
    progress.planned(sum(len(fmts) for fmts in to_write))
    writing = Writing(root, plans, result, force=request.force, stop=stop, progress=progress)
    pool: WritingPool | None = None
    try:
        try:
            if documents:
                pool = writing.open_pool(composer.workspace, documents, request.jobs)
            writing.write(composer, pool, request.languages, request.only)
        except Stop:
            writing.wind_down(pool)
            if writing.fault is not None:
                raise writing.fault from None
            raise stop.interrupted(result.count("written")) from None
    finally:
        if pool is not None:
            pool.close(wait=0 if stop.hurry else 10)
        writing.remove_staging()
    for plan in plans.values():  # workers finish in any order
        plan.outcome.written.sort(key=writing.positions.__getitem__)
    return writing
