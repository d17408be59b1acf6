"""A batch build stopped with Ctrl-C, and two builds of one workspace at the same time, run as
users run them: the installed ``letterforge`` command in its own process."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.synthetic import make_workspace
from tests.conftest import copy_example, is_letter, pdf_pages
from tests.test_review import read_mail_out_list

LETTERFORGE = str(Path(sys.executable).parent / "letterforge")


def letters(workspace: Path) -> set[str]:
    """The letters in place (not those still in the build's staging folder)."""
    build = workspace / "build"
    return {
        path.relative_to(build).as_posix() for path in build.glob("[!.]*/**/*") if is_letter(path)
    }


def test_ctrl_c_stops_cleanly_and_the_next_build_finishes_the_rest(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=25)  # 50 letters, 100 files
    build = subprocess.Popen(
        [LETTERFORGE, "build", "--jobs", "2"],
        cwd=workspace,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(letters(workspace)) < 10 and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, stderr
    assert stderr.startswith("error: interrupted: "), stderr
    assert "run the build again to write the rest" in stderr
    written = letters(workspace)
    assert 10 <= len(written) < 100
    # No staging folder, no temporary file; the manifest lists exactly the files there are,
    # each as it is on disk.
    leftovers = [
        path.name
        for path in (workspace / "build").rglob("*")
        if path.name.startswith(".") or path.name.endswith(".tmp")
    ]
    assert leftovers == []
    folder = workspace / "build" / "states"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {f"states/{name}" for name in manifest["outputs"]} == written
    for name, record in manifest["outputs"].items():
        assert record["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    # So do the review page and the mail-out list.
    rows = read_mail_out_list(folder)
    listed = {f"states/{row[fmt]}" for row in rows for fmt in ("pdf", "docx") if row[fmt]}
    assert listed == written
    page = (folder / "index.html").read_text()
    assert all(f'href="{row["pdf"]}"' in page for row in rows if row["pdf"])
    # The next build writes the rest, and only the rest.
    again = subprocess.run(
        [LETTERFORGE, "build", "--jobs", "2"], cwd=workspace, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout == (
        f"states: 100 files in build/states/: {100 - len(written)} written, "
        f"{len(written)} up to date\n"
    )
    assert len(letters(workspace)) == 100
    assert "Dear Mr. García García:" in pdf_pages(folder / "en" / "official-00000.pdf")[0]


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / "workspace")
    builds = [
        subprocess.Popen(
            [LETTERFORGE, "build"],
            cwd=workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(build.wait(timeout=120), *build.communicate()) for build in builds]
    assert [code for code, _, _ in results] == [0, 0]
    # One waited for the other, then found its work done.
    waited = [result for result in results if "waiting for another build" in result[2]]
    assert len(waited) == 1
    assert waited[0][1].splitlines() == [
        "essential-services-2020: 6 files in build/essential-services-2020/, all up to date",
        "usmca-review-2025: 10 files in build/usmca-review-2025/, all up to date",
    ]
    assert len(letters(workspace)) == 16
    for path in (workspace / "build").rglob("*.pdf"):
        assert pdf_pages(path)  # every PDF whole and readable
