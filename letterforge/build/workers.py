"""Writing documents, in worker processes or in this one.

WeasyPrint is not safe to fork, so workers are spawned: each starts a fresh interpreter,
imports the writers once, and keeps one PDF writer and one Word writer (with the theme's
parsed stylesheet, its fonts and its Word styles) for every document it writes.

A worker writes into the build's own staging folder and answers with what it wrote; only the
main process renames files into place, so neither an interrupted nor a failed build leaves a
half-written file where a reader would look.

Each worker has a pipe of its own, so the build knows which documents each one holds:

- a worker that dies (killed, out of memory, a crash in a library) costs the document it was
  writing, which is reported with its recipient and language; the documents queued behind it
  go to a new worker, and the build goes on;
- a worker reads its next job from the pipe, so when the build's process is gone (``kill -9``)
  the pipe closes and the worker exits instead of waiting forever;
- workers ignore Ctrl-C, SIGTERM and SIGHUP, which a terminal or a CI runner sends to the
  whole process group: the main process decides when to stop, lets them finish the document
  in hand, and then closes their pipes.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import signal
import time
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

from letterforge.build.outputs import THUMBNAIL_SUFFIX, file_sha256, is_build_wide
from letterforge.build.stop import STOP_SIGNALS
from letterforge.document import Document
from letterforge.errors import LetterforgeError
from letterforge.theme import Theme
from letterforge.workspace.paths import Format, PdfStandard
from letterforge.writers.stack_room import in_stack_room

# Documents handed to each worker at a time: the next one waits in its pipe, so that the worker
# never idles while the main process renders letters. The others wait in the staging folder,
# so that a campaign of any size takes the same memory.
QUEUED_PER_WORKER = 2
# A document takes well under a second; a worker on one for this long is stuck in a library.
DOCUMENT_SECONDS = 300
# Made in the staging folder when the build stops: workers then write nothing more.
STOP_FILE = "stop"


@dataclass(frozen=True)
class WriteJob:
    """One document to write in some formats.

    The document waits in the staging folder, in ``<key>.job``, so that the main process can
    render letters ahead of the writers without holding them in memory. ``key`` is unique in
    the build and names the files the job writes; ``output`` names the document the job is
    for (``<campaign>/<stem>``), and is stored with it, so that a job file can never be taken
    for another's.
    """

    key: int
    output: str
    formats: tuple[Format, ...]

    def document_path(self, staging: Path) -> Path:
        return staging / f"{self.key}.job"


def queue_document(staging: Path, job: WriteJob, document: Document) -> None:
    """Put ``document`` in the staging folder, for a writer to take as ``job``."""
    data = pickle.dumps((job.output, document), pickle.HIGHEST_PROTOCOL)
    job.document_path(staging).write_bytes(data)


# The first page drawn at 0.4 of its size in points: 245 pixels across a US Letter page,
# sharp at the 122 CSS pixels the page shows it at on a high-density screen.
THUMBNAIL_SCALE = 0.4
# JPEG, since it is quick to make: 0.5 ms a page, where WebP took 10 ms and PNG 8 ms, which
# cost a batch of 1,000 letters 8 seconds. At this quality, text edges stay clean.
THUMBNAIL_QUALITY = 85


def write_thumbnail(pdf: Path, thumbnail: Path) -> int:
    """Draw the first page of ``pdf`` into ``thumbnail`` (JPEG); return the PDF's page count."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = len(document)
        bitmap = document[0].render(scale=THUMBNAIL_SCALE)
        bitmap.to_pil().convert("RGB").save(thumbnail, format="JPEG", quality=THUMBNAIL_QUALITY)
    finally:
        document.close()
    return pages


@dataclass(frozen=True)
class Staged:
    """A file a job wrote into the staging folder; for a PDF, also its page count and the
    picture of its first page."""

    format: Format
    path: Path
    sha256: str
    pages: int | None = None
    thumbnail: Path | None = None


@dataclass(frozen=True)
class JobOutcome:
    """What a job wrote, and the formats it failed to write, with why: the one way a job's
    failure comes back, whether a writer failed or the worker writing it died. ``fault`` is
    a file system error that every other job would meet too (a full disk): the build stops."""

    job: WriteJob
    staged: tuple[Staged, ...]
    failures: tuple[tuple[Format, str], ...]
    fault: OSError | None = None

    @classmethod
    def failed(cls, job: WriteJob, reason: str) -> JobOutcome:
        """Nothing of ``job`` written, for ``reason``."""
        return cls(job, (), tuple((fmt, reason) for fmt in job.formats))


class _Writer(Protocol):
    def write(self, document: Document, path: Path) -> None: ...


class Writers:
    """The writers of one process, made when first needed and kept for every job."""

    def __init__(self, theme: Theme, standard: PdfStandard, staging: Path) -> None:
        self.theme = theme
        self.standard = standard
        self.staging = staging
        self._writers: dict[Format, _Writer] = {}

    def run(self, job: WriteJob) -> JobOutcome:
        """Write ``job``'s document in each of its formats; a format that fails is reported,
        and the others are still written."""
        # Its own stack chunk, mapped once: see writers/stack_room.py.
        return in_stack_room(self._run, job)

    def _run(self, job: WriteJob) -> JobOutcome:
        queued = job.document_path(self.staging)
        try:
            output, document = pickle.loads(queued.read_bytes())  # queue_document's, this build
            queued.unlink()
        except OSError as err:
            if is_build_wide(err, self.staging):
                return JobOutcome(job, (), (), fault=_plain(err))
            reason = f"its staged copy {queued.name} could not be read: {err.strerror or err}"
            return JobOutcome.failed(job, reason)
        if output != job.output:  # never write one recipient's letter under another's name
            reason = f"its staged copy {queued.name} holds the letter {output}"
            return JobOutcome.failed(job, reason)
        staged: list[Staged] = []
        failures: list[tuple[Format, str]] = []
        for fmt in job.formats:
            path = self.staging / f"{job.key}.{fmt}"
            thumbnail = pages = None
            try:
                self._writer(fmt).write(document, path)
                if fmt == "pdf":
                    thumbnail = self.staging / f"{job.key}{THUMBNAIL_SUFFIX}"
                    pages = write_thumbnail(path, thumbnail)
                sha256 = file_sha256(path)
            except LetterforgeError as err:
                failures.append((fmt, err.message))
                continue
            except OSError as err:
                if is_build_wide(err, self.staging):
                    return JobOutcome(job, (), (), fault=_plain(err))
                failures.append((fmt, f"{err.strerror or err}"))
                continue
            except Exception as err:  # a library's own failure: report it with the letter
                failures.append((fmt, f"{type(err).__name__}: {err}"))
                continue
            staged.append(Staged(fmt, path, sha256, pages, thumbnail))
        return JobOutcome(job, tuple(staged), tuple(failures))

    def _writer(self, fmt: Format) -> _Writer:
        # Imported here: each writer pulls in a heavy library that a no-op build never needs.
        if fmt not in self._writers:
            if fmt == "pdf":
                from letterforge.writers.pdf import PdfWriter

                self._writers[fmt] = PdfWriter(self.theme, self.standard)
            else:
                from letterforge.writers.docx import DocxWriter

                self._writers[fmt] = DocxWriter(self.theme)
        return self._writers[fmt]


def _plain(err: OSError) -> OSError:
    """``err`` without its traceback and chained errors, to send back to the build."""
    return OSError(err.errno, err.strerror, err.filename)


class WritingPool(Protocol):
    """Where documents are written: worker processes, or this process."""

    def free(self) -> int:
        """How many more jobs it takes now."""

    def submit(self, job: WriteJob) -> None:
        """Start writing ``job``."""

    def collect(self, timeout: float) -> Sequence[JobOutcome]:
        """The jobs finished since the last call, waiting up to ``timeout`` seconds for one."""

    def held(self) -> int:
        """How many jobs it holds, written or not, that :meth:`collect` has not returned."""

    def stop(self) -> None:
        """Write no more documents: the jobs it holds that no worker has started come back
        from :meth:`collect` with nothing written."""

    def close(self, wait: float = 60) -> None:
        """Let the workers go, once they finish the document in hand; a worker still busy
        after ``wait`` seconds is killed."""


class InProcessPool:
    """Writes each job at once, here: for small builds, where starting a worker (a second or
    so to import WeasyPrint) costs more than it saves."""

    def __init__(self, theme: Theme, standard: PdfStandard, staging: Path) -> None:
        self.writers = Writers(theme, standard, staging)
        self.done: list[JobOutcome] = []

    def free(self) -> int:
        return 0 if self.done else 1  # one job, then collect(): a stop is seen between jobs

    def submit(self, job: WriteJob) -> None:
        self.done.append(self.writers.run(job))

    def collect(self, timeout: float) -> Sequence[JobOutcome]:
        done, self.done = self.done, []
        return done

    def held(self) -> int:
        return len(self.done)

    def stop(self) -> None:
        pass

    def close(self, wait: float = 60) -> None:
        self.done.clear()


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    # Sent, in the order it takes them, each with whether the pipe took it (a dead worker's
    # does not: such a job goes to another worker, not reported lost).
    jobs: deque[tuple[WriteJob, bool]] = field(default_factory=deque)
    since: float = field(default_factory=time.monotonic)  # when it started on the first job


class ProcessPool:
    """``workers`` spawned processes, each taking jobs from a pipe of its own."""

    def __init__(self, workers: int, theme: Theme, standard: PdfStandard, staging: Path) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.staging = staging
        self.arguments = (theme, standard, staging)
        self.workers = [self._start() for _ in range(workers)]

    def _start(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_serve, args=(theirs, *self.arguments), name="letterforge writer", daemon=True
        )
        # The new interpreter inherits blocked signals: a Ctrl-C to the process group while it
        # starts waits until it ignores them (in _serve), instead of printing a traceback.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        theirs.close()  # the worker's end lives in the worker only: its exit closes the pipe
        return _Worker(process, ours)

    def free(self) -> int:
        return sum(QUEUED_PER_WORKER - len(worker.jobs) for worker in self.workers)

    def held(self) -> int:
        return sum(len(worker.jobs) for worker in self.workers)

    def submit(self, job: WriteJob) -> None:
        worker = min(self.workers, key=lambda worker: len(worker.jobs))
        if not worker.jobs:
            worker.since = time.monotonic()
        try:
            worker.connection.send(job)
        except OSError:  # the worker is gone; collect() finds out and passes the job on
            worker.jobs.append((job, False))
        else:
            worker.jobs.append((job, True))

    def collect(self, timeout: float) -> Sequence[JobOutcome]:
        busy = [worker for worker in self.workers if worker.jobs]
        if not busy:
            return []
        waiting = [worker.connection for worker in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waiting, timeout))
        finished: list[JobOutcome] = []
        for worker in busy:
            if worker.connection in ready:
                try:
                    while worker.jobs and worker.connection.poll():
                        outcome = worker.connection.recv()
                        worker.jobs.popleft()
                        worker.since = time.monotonic()
                        finished.append(outcome)
                    continue
                except (EOFError, OSError):
                    pass  # the worker died: its sentinel says so
            if worker.process.sentinel in ready or not worker.process.is_alive():
                finished.extend(self._replace(worker))
            elif time.monotonic() - worker.since > DOCUMENT_SECONDS:
                worker.process.kill()  # stuck in a library: the build must not wait forever
                stuck = f"the worker process writing it took more than {DOCUMENT_SECONDS} s"
                finished.extend(self._replace(worker, stuck))
        return finished

    def _replace(self, dead: _Worker, reason: str | None = None) -> list[JobOutcome]:
        """Report the job a dead worker was writing; give the ones behind it to a new worker."""
        dead.process.join()
        dead.connection.close()
        reason = reason or _death(dead.process.exitcode)
        lost = []
        if dead.jobs and dead.jobs[0][1]:  # it had the job: it died writing it
            lost.append(JobOutcome.failed(dead.jobs.popleft()[0], reason))
        index = self.workers.index(dead)
        self.workers[index] = self._start()
        for job, _ in dead.jobs:
            self.submit(job)
        return lost

    def stop(self) -> None:
        # A file, not a semaphore, which would need one more process to track it.
        with suppress(OSError):  # build/ is gone: so are the documents to write
            (self.staging / STOP_FILE).touch()

    def close(self, wait: float = 60) -> None:
        for worker in self.workers:
            worker.connection.close()  # the worker finishes its document, then exits
        deadline = time.monotonic() + wait
        for worker in self.workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():  # stuck in a library: nothing it holds is wanted
                worker.process.kill()
                worker.process.join()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the worker process writing it was killed ({name})"
    return f"the worker process writing it stopped (exit code {exitcode})"


def _serve(connection: Connection, theme: Theme, standard: PdfStandard, staging: Path) -> None:
    """A worker: write each job the pipe brings, answer with its outcome, and exit when the
    pipe closes (the build is done, stopped, or killed). Once the build is stopping, jobs
    are answered unwritten."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the build at start
    # Laying out a letter allocates hundreds of thousands of objects, which reference
    # counting frees; the cycle collector, run every 700 allocations, mostly walks the
    # libraries' own long-lived objects. Collecting less often wrote a PDF and a DOCX in
    # 97 ms instead of 104 ms (the steadiest of three alternating rounds of 40 letters).
    gc.set_threshold(50_000, 50, 100)
    writers = Writers(theme, standard, staging)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        stopping = (staging / STOP_FILE).exists()
        outcome = JobOutcome(job, (), ()) if stopping else writers.run(job)
        try:
            connection.send(outcome)
        except OSError:  # the build is gone
            return


def writing_pool(workers: int, theme: Theme, standard: PdfStandard, staging: Path) -> WritingPool:
    """A pool of ``workers`` spawned processes, or this process for one."""
    if workers <= 1:
        return InProcessPool(theme, standard, staging)
    return ProcessPool(workers, theme, standard, staging)
