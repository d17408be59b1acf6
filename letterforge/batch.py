"""Writing documents, in worker processes or in this one.

WeasyPrint is not safe to fork, so workers are spawned: each starts a fresh interpreter,
imports the writers once, and keeps one PDF writer and one Word writer (with the theme's
parsed stylesheet, its fonts and its Word styles) for every document it writes.

A worker writes into the build's staging folder and answers with what it wrote; only the
main process renames files into place, so neither an interrupted nor a failed build leaves a
half-written file where a reader would look. Workers ignore Ctrl-C: the main process decides
when to stop, and waits for them.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import signal
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from letterforge.document import Document
from letterforge.errors import LetterforgeError
from letterforge.folders import Format
from letterforge.manifest import file_sha256
from letterforge.model import PdfStandard
from letterforge.review import THUMBNAIL_SUFFIX, write_thumbnail
from letterforge.theme import Theme


@dataclass(frozen=True)
class WriteJob:
    """One document to write in some formats. The document waits in the staging folder, in
    ``<key>.job``, so that the main process can render letters ahead of the writers without
    holding them in memory; ``key`` also names the files the job writes."""

    key: str
    formats: tuple[Format, ...]

    def document_path(self, staging: Path) -> Path:
        return staging / f"{self.key}.job"


def queue_document(
    staging: Path, key: str, document: Document, formats: tuple[Format, ...]
) -> WriteJob:
    """Put ``document`` in the staging folder, for a writer to take."""
    job = WriteJob(key, formats)
    job.document_path(staging).write_bytes(pickle.dumps(document, pickle.HIGHEST_PROTOCOL))
    return job


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
    """What a job wrote, and the formats it failed to write, with why."""

    key: str
    staged: tuple[Staged, ...]
    failures: tuple[tuple[Format, str], ...]


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
        staged: list[Staged] = []
        failures: list[tuple[Format, str]] = []
        queued = job.document_path(self.staging)
        document = pickle.loads(queued.read_bytes())  # written by queue_document, in this build
        queued.unlink()
        for fmt in job.formats:
            path = self.staging / f"{job.key}.{fmt}"
            thumbnail = pages = None
            try:
                self._writer(fmt).write(document, path)
                if fmt == "pdf":
                    thumbnail = self.staging / f"{job.key}{THUMBNAIL_SUFFIX}"
                    pages = write_thumbnail(path, thumbnail)
            except LetterforgeError as err:
                failures.append((fmt, err.message))
                continue
            except Exception as err:  # a library's own failure: report it with the letter
                failures.append((fmt, f"{type(err).__name__}: {err}"))
                continue
            staged.append(Staged(fmt, path, file_sha256(path), pages, thumbnail))
        return JobOutcome(job.key, tuple(staged), tuple(failures))

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


_process_writers: Writers | None = None


def _start_worker(theme: Theme, standard: PdfStandard, staging: Path) -> None:
    global _process_writers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _process_writers = Writers(theme, standard, staging)
    # Laying out a letter allocates hundreds of thousands of objects, which reference
    # counting frees; the cycle collector, run every 700 allocations, mostly walks the
    # libraries' own long-lived objects. Collecting less often wrote a PDF and a DOCX in
    # 97 ms instead of 104 ms (the steadiest of three alternating rounds of 40 letters).
    gc.set_threshold(50_000, 50, 100)


def _run_in_worker(job: WriteJob) -> JobOutcome:
    assert _process_writers is not None  # set by _start_worker
    return _process_writers.run(job)


class _InProcess(Executor):
    """Runs each job at once, here: for small builds, where starting a worker (a second
    or so to import WeasyPrint) costs more than it saves."""

    def __init__(self, writers: Writers) -> None:
        self.writers = writers

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(self.writers.run(*args))
        except BaseException as err:
            future.set_exception(err)
            raise
        return future


def run_job(executor: Executor, job: WriteJob) -> Future[JobOutcome]:
    """Start writing ``job`` with ``executor`` (from :func:`writing_executor`)."""
    return executor.submit(_run_in_worker, job)


def writing_executor(workers: int, theme: Theme, standard: PdfStandard, staging: Path) -> Executor:
    """An executor of write jobs: ``workers`` spawned processes, or this process for one."""
    if workers <= 1:
        return _InProcess(Writers(theme, standard, staging))
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(theme, standard, staging),
    )
