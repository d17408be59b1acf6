"""The same inputs give the same bytes: two copies of a workspace, built at different times,
write byte-identical DOCX and PDF files, review pages, mail-out lists and thumbnails (dates
come from the campaign, never the clock)."""

from __future__ import annotations

import hashlib
import time
import zipfile
from pathlib import Path

from tests.conftest import copy_example, is_letter, run
from tests.test_images import add_images


def digests(build: Path) -> dict[str, str]:
    """Every file's SHA-256 but the manifests', which record when each file was written."""
    return {
        str(path.relative_to(build)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(build.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def test_copies_built_apart_in_time_and_in_other_processes_are_identical(tmp_path: Path) -> None:
    copies = [copy_example(tmp_path / name) for name in ("first", "second")]
    for workspace in copies:
        add_images(workspace)  # the SVG logo's PNG fallback must be stable too
    first = run(copies[0], "build", "--jobs", "1")
    assert first.exit_code == 0, first.output
    time.sleep(2.1)  # zip times count in steps of two seconds
    second = run(copies[1], "build", "--jobs", "2")  # in worker processes
    assert second.exit_code == 0, second.output
    built = [digests(workspace / "build") for workspace in copies]
    assert sum(1 for name in built[0] if is_letter(copies[0] / "build" / name)) == 16
    assert len(built[0]) == 16 + 8 + 2 * 2  # a thumbnail per PDF; a page and a list each
    assert built[0] == built[1]


def test_docx_entries_are_dated_from_the_campaign(built_example: Path) -> None:
    path = built_example / "build/essential-services-2020/en/romo.docx"
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    assert entries[0].filename == "[Content_Types].xml"
    assert {entry.date_time for entry in entries} == {(2020, 4, 21, 0, 0, 0)}
