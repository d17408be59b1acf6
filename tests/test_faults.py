"""Builds under faults, run as users run them: the installed ``letterforge`` in its own process,
stopped by real signals, racing a second build and an editor, its worker killed, its disk full.

Whatever happens, every letter in ``build/`` must be the letter its path names (read back from
the file), the manifest must describe the files that are there, and the next build must write
what is missing and say "up to date" only of files made from the inputs as they are now.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.synthetic import make_workspace
from tests.test_batch_safety import letters

LETTERFORGE = str(Path(sys.executable).parent / "letterforge")
CAMPAIGN = "states"
MARKER = "Zebra clause"  # a sentence added to a template, then taken out again
TEMPLATE = Path("templates/states/letter.en.md.j2")
LAST_SENTENCE = "wherever it may prove useful."
# The synthetic roster names each official's office in the title of the address block.
OFFICE = re.compile(r"\((office|oficina) (\d+)\)")


def start(workspace: Path, *args: str, **options: object) -> subprocess.Popen[str]:
    """``letterforge build ARGS`` in a session of its own, as a terminal or CI runner starts
    it: signals can go to the build alone or to its whole process group."""
    return subprocess.Popen(
        [LETTERFORGE, "build", *args],
        cwd=workspace,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **options,  # type: ignore[call-overload]
    )


def build(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LETTERFORGE, "build", *args], cwd=workspace, capture_output=True, text=True, timeout=300
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def workers_of(pid: int) -> list[int]:
    """The worker processes of the build ``pid`` (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(path)
        try:
            return "".join(page.get_textpage().get_text_range() for page in document)
        finally:
            document.close()
    import docx

    return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)


def assert_every_letter_is_its_own(workspace: Path) -> dict[str, str]:
    """Every letter in the campaign's folder holds the letter its path names, by recipient and
    language read back from the file, and the manifest lists each with its true SHA-256.
    Returns each letter's text, by path."""
    folder = workspace / "build" / CAMPAIGN
    manifest = json.loads((folder / "manifest.json").read_text())
    texts = {}
    for path in sorted(folder.glob("*/*")):
        if path.suffix not in (".pdf", ".docx"):
            continue
        name = path.relative_to(folder).as_posix()
        text = texts[name] = text_of(path)
        offices = set(OFFICE.findall(text))
        lang, number = name.split("/")[0], int(path.stem.rsplit("-", 1)[1])
        assert offices == {("office" if lang == "en" else "oficina", str(number))}, name
        record = manifest["outputs"].get(name)
        if record is not None:
            assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
    return texts


def finishing(total: int, in_place: int) -> str:
    """What a build says when it writes the rest of a campaign whose ``in_place`` files were
    written and recorded before."""
    if in_place == total:
        return f"{CAMPAIGN}: {total} files in build/{CAMPAIGN}/, all up to date\n"
    return (
        f"{CAMPAIGN}: {total} files in build/{CAMPAIGN}/: {total - in_place} written, "
        f"{in_place} up to date\n"
    )


def add_marker(workspace: Path) -> None:
    template = workspace / TEMPLATE
    text = template.read_text()
    template.write_text(text.replace(LAST_SENTENCE, f"{LAST_SENTENCE} {MARKER}."))


def remove_marker(workspace: Path) -> None:
    template = workspace / TEMPLATE
    template.write_text(template.read_text().replace(f" {MARKER}.", ""))


def replace_settings(workspace: Path) -> None:
    """Save letterforge.yaml as vim, JetBrains IDEs and git do: a new file renamed over it."""
    settings = workspace / "letterforge.yaml"
    temporary = workspace / "letterforge.yaml.new"
    temporary.write_bytes(settings.read_bytes())
    os.replace(temporary, settings)


# Two builds at once


def test_a_build_after_letterforge_yaml_is_saved_still_waits_for_the_first(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=16)
    first = start(workspace, "--jobs", "2", "--force")
    wait_for(lambda: (workspace / "build" / ".staging").exists(), first)
    replace_settings(workspace)
    second = start(workspace, "--force", "--lang", "es")
    _, first_errors = first.communicate(timeout=300)
    _, second_errors = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), first_errors + second_errors
    assert "waiting for another build" in second_errors
    texts = assert_every_letter_is_its_own(workspace)
    assert len(texts) == 64
    again = build(workspace)
    assert again.stdout == f"{CAMPAIGN}: 64 files in build/{CAMPAIGN}/, all up to date\n"


def test_racing_builds_editors_and_git_never_file_a_letter_under_another_name(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=6)
    for round in range(5):
        builds = [start(workspace, "--jobs", "2", *(["--force"] if round % 2 else []))]
        time.sleep(0.3)
        add_marker(workspace)
        replace_settings(workspace)
        builds.append(start(workspace, "--jobs", "2", "--lang", ["en", "es"][round % 2]))
        time.sleep(0.3 + 0.3 * round)
        remove_marker(workspace)
        replace_settings(workspace)
        for process in builds:
            _, errors = process.communicate(timeout=300)
            assert process.returncode == 0, errors
        assert_every_letter_is_its_own(workspace)
    # The template is as it was: the next build brings every letter back to it.
    final = build(workspace)
    assert final.returncode == 0, final.stderr
    texts = assert_every_letter_is_its_own(workspace)
    assert len(texts) == 24
    assert not [name for name, text in texts.items() if MARKER in text]
    again = build(workspace)
    assert again.stdout == f"{CAMPAIGN}: 24 files in build/{CAMPAIGN}/, all up to date\n"


# Killed, and edited meanwhile


def test_a_build_killed_after_saving_its_manifest_leaves_no_undone_text_up_to_date(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=40)
    assert build(workspace, "--jobs", "2").returncode == 0
    manifest = workspace / "build" / CAMPAIGN / "manifest.json"
    saved = manifest.stat().st_mtime_ns
    add_marker(workspace)
    process = start(workspace, "--jobs", "2")
    english = sorted((workspace / "build" / CAMPAIGN / "en").iterdir())

    def saved_after_rewriting() -> bool:
        """Whether the build saved its manifest after it put letters with the new sentence in
        place."""
        latest = manifest.stat().st_mtime_ns
        return sum(1 for path in english if saved < path.stat().st_mtime_ns < latest) >= 4

    # Killed (with its workers, as a CI runner's timeout does) after such a save.
    wait_for(saved_after_rewriting, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    remove_marker(workspace)
    again = build(workspace, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert "all up to date" not in again.stdout
    texts = assert_every_letter_is_its_own(workspace)
    assert len(texts) == 160
    assert not [name for name, text in texts.items() if MARKER in text]
    folder = workspace / "build" / CAMPAIGN
    rows = (folder / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 81  # the heading and a row per letter, as the files are now


def test_a_template_edited_during_a_build_and_then_undone_is_not_kept_up_to_date(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=2)
    # A big directory that the campaign does not write to: reading it takes a second or two,
    # long after the build looked at the files.
    directory = "".join(
        f"  - id: staff-{number}\n    name: {{given: Ana, family: Ruiz}}\n"
        for number in range(12_000)
    )
    (workspace / "recipients" / "directory.yaml").write_text(f"people:\n{directory}")
    process = start(workspace, "--format", "docx")
    time.sleep(0.8)
    add_marker(workspace)
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    remove_marker(workspace)
    again = build(workspace, "--format", "docx")
    assert again.returncode == 0, again.stderr
    texts = assert_every_letter_is_its_own(workspace)
    assert not [name for name, text in texts.items() if MARKER in text]


# Signals


@pytest.mark.parametrize(
    ("number", "to_group", "code", "said"),
    [(signal.SIGTERM, True, 143, "by SIGTERM"), (signal.SIGHUP, False, 129, "by SIGHUP")],
    ids=["SIGTERM to the process group", "SIGHUP"],
)
def test_sigterm_and_sighup_stop_as_cleanly_as_ctrl_c(
    tmp_path: Path, number: signal.Signals, to_group: bool, code: int, said: str
) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=20)
    process = start(workspace, "--jobs", "2")
    wait_for(lambda: len(letters(workspace)) >= 10, process)
    workers = workers_of(process.pid)
    assert len(workers) == 2
    if to_group:
        os.killpg(process.pid, number)  # a CI runner cancelling the job
    else:
        process.send_signal(number)  # the terminal closed
    _, errors = process.communicate(timeout=120)
    assert process.returncode == code, errors
    assert errors.startswith(f"error: interrupted {said}: "), errors
    written = letters(workspace)
    assert 10 <= len(written) < 80
    folder = workspace / "build" / CAMPAIGN
    assert not (workspace / "build" / ".staging").exists()
    assert not list(folder.glob(".*"))  # no journal, no temporary file
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {f"{CAMPAIGN}/{name}" for name in manifest["outputs"]} == written
    assert (folder / "index.html").is_file()
    assert len((folder / "manifest.csv").read_text().splitlines()) > 1
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    again = build(workspace)
    assert again.stdout == finishing(80, len(written))
    assert_every_letter_is_its_own(workspace)


def test_a_build_in_one_process_stops_at_ctrl_c_between_letters(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=20)
    process = start(workspace, "--jobs", "1")
    wait_for(lambda: len(letters(workspace)) >= 4, process)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert len(letters(workspace)) < 40


def test_a_second_ctrl_c_does_not_wait_for_a_stuck_worker(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=20)
    process = start(workspace, "--jobs", "2")
    wait_for(lambda: len(letters(workspace)) >= 4, process)
    workers = workers_of(process.pid)
    os.kill(workers[0], signal.SIGSTOP)  # stuck in a library
    process.send_signal(signal.SIGINT)
    time.sleep(1)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert time.monotonic() - started < 15
    time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)


def test_the_workers_of_a_killed_build_exit(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=12)
    process = start(workspace, "--jobs", "2")
    wait_for(lambda: len(letters(workspace)) >= 4, process)
    workers = workers_of(process.pid)
    assert len(workers) == 2
    process.kill()  # the build alone: its workers are left without it
    process.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    # What the killed build put in place is recorded: nothing is taken for someone's edit.
    again = build(workspace)
    assert again.returncode == 0, again.stderr
    assert "edited" not in again.stderr
    assert_every_letter_is_its_own(workspace)


def test_a_dead_worker_costs_only_the_letter_it_was_writing(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=30)
    process = start(workspace, "--jobs", "2")
    wait_for(lambda: len(letters(workspace)) >= 10, process)
    os.kill(workers_of(process.pid)[0], signal.SIGKILL)
    out, errors = process.communicate(timeout=300)
    assert process.returncode == 1, errors
    lines = errors.splitlines()
    assert 1 <= len(lines) <= 2, errors  # one document, in one or two formats
    pattern = re.compile(
        rf"build/{CAMPAIGN}/(en|es)/official-(\d{{5}})\.(pdf|docx): error: the letter to "
        r"official-\2 in (English|Spanish) \((en|es)\) was not written: the worker process "
        r"writing it was killed \(SIGKILL\)"
    )
    assert all(pattern.fullmatch(line) for line in lines), errors
    assert f"{120 - len(lines)} written, {len(lines)} not written" in out
    assert_every_letter_is_its_own(workspace)
    again = build(workspace, "-v")
    assert again.returncode == 0, again.stderr
    lost = sorted(line.split(":")[0] for line in lines)
    assert sorted(again.stdout.splitlines()[:-1]) == lost


# The file system fails


def mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "1200k")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_stops_the_build_with_one_line_and_the_next_build_finishes(
    small_disk: Path,
) -> None:
    workspace = make_workspace(small_disk / "states", recipients=40)
    result = build(workspace, "--jobs", "2")
    assert result.returncode == 1
    assert result.stderr == "build/: error: cannot write: No space left on device\n"
    written = letters(workspace)
    assert written
    assert not (workspace / "build" / ".staging").exists()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = build(workspace, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert again.stdout == finishing(160, len(written))
    assert_every_letter_is_its_own(workspace)


def test_a_file_size_limit_stops_the_build_with_one_line_and_the_next_build_finishes(
    tmp_path: Path,
) -> None:
    # Letters of 17 KB fit under the limit; the campaign's manifest, 45 KB, does not.
    workspace = make_workspace(tmp_path / "states", recipients=30)
    limited = subprocess.run(
        ["bash", "-c", f"ulimit -f 36 && exec {LETTERFORGE} build --jobs 2"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert limited.returncode == 1
    assert re.fullmatch(
        rf"build/{CAMPAIGN}/(manifest\.json|\.manifest\.journal|index\.html): error: "
        r"cannot write: File too large\n",
        limited.stderr,
    ), limited.stderr
    written = letters(workspace)
    assert written
    folder = workspace / "build" / CAMPAIGN
    assert not [path.name for path in folder.glob(".manifest.json.*")]  # nothing half-written
    again = build(workspace, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert again.stdout == finishing(120, len(written))
    assert_every_letter_is_its_own(workspace)


def test_a_read_only_build_folder_is_one_line_and_nothing_changes(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "states", recipients=2)
    mount_tmpfs(workspace / "build", "16m")
    try:
        assert build(workspace).returncode == 0
        add_marker(workspace)
        subprocess.run(["mount", "-o", "remount,ro", str(workspace / "build")], check=True)
        result = build(workspace)
        assert result.returncode == 1
        assert result.stderr == "build/: error: cannot write: Read-only file system\n"
    finally:
        subprocess.run(["umount", "-l", str(workspace / "build")], check=False)


def test_build_folder_removed_during_the_build(tmp_path: Path) -> None:
    import shutil

    workspace = make_workspace(tmp_path / "states", recipients=30)
    process = start(workspace, "--jobs", "2")
    wait_for(lambda: len(letters(workspace)) >= 6, process)
    shutil.rmtree(workspace / "build", ignore_errors=True)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 1
    assert errors == "build/: error: was removed while the build was writing: run the build again\n"
    again = build(workspace, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert_every_letter_is_its_own(workspace)
    assert len(letters(workspace)) == 120
