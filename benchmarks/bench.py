"""How fast letterforge builds a batch, against the code before the line memo and a naive
baseline, measured in the same run.

    python -m benchmarks.bench                 # 500 recipients x 2 languages, 3 runs
    python -m benchmarks.bench --recipients 50 --runs 3
    python -m benchmarks.bench --memory        # also peak memory, 1,000 against 10,000 letters

Every figure is a median over runs of the installed ``letterforge`` command (or of the other
contenders), each in a fresh process. The full build takes turns with the same build by the
package as it was before the line memo (``BEFORE_MEMO``, exported with ``git archive``; where
the history is missing, this checkout with ``LETTERFORGE_PDF_MEMO=off``) and with the naive
baseline (``benchmarks/naive.py``), so that a busy machine slows all alike. Then one process
writes PDFs with and without the memo, letter by letter (``benchmarks/pdf_bench.py``).
Machines are shared and noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import pdf_bench
from benchmarks.compare import build_seconds, export
from benchmarks.synthetic import REPOSITORY, make_workspace, recipient_yaml

LETTERFORGE = str(Path(sys.executable).parent / "letterforge")
# The last commit before issue 20 (the line memo, DOCX runs in one piece, WeasyPrint's
# libraries loaded without a compiler): the full build's yardstick.
BEFORE_MEMO = "0ff8219"


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds ``command`` took; it must succeed."""
    started = time.perf_counter()
    environment = {**os.environ, **env} if env else None
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started


def before_memo(scratch: Path) -> tuple[str, Callable[[Path], float]]:
    """The full build's yardstick: its name, and how long it takes to build a workspace."""
    try:
        source = export(BEFORE_MEMO, scratch / "before-memo")
    except subprocess.CalledProcessError:  # a shallow clone: the same code, the memo off
        memo_off = {"LETTERFORGE_PDF_MEMO": "off"}
        return "memo switched off", lambda root: timed([LETTERFORGE, "build", "-q"], root, memo_off)
    return f"before the memo ({BEFORE_MEMO})", lambda root: build_seconds(source, root)


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    times = [measure() for _ in range(runs)]
    return statistics.median(times), times


def show(label: str, seconds: float, times: list[float], target: str = "") -> None:
    spread = ", ".join(f"{value:.2f}" for value in times)
    print(f"{label:<28} {seconds:8.2f} s   (runs: {spread}){'   ' + target if target else ''}")


MEMORY_PROBE = """
import resource, sys
from pathlib import Path
from letterforge.build.run import build
from letterforge.check.rules import Linter
build(Path(sys.argv[1]), rules=Linter)  # as the command runs it
main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(main, worker)
"""


def peak_memory(root: Path) -> tuple[int, int]:
    """Peak resident memory, in MiB, of a build's main process and of its largest worker."""
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(root)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    )
    main, worker = (int(value) // 1024 for value in probe.stdout.split())
    return main, worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also 1,000 vs 10,000 letters")
    options = parser.parse_args()
    recipients, runs = options.recipients, options.runs
    letters = recipients * 2
    with tempfile.TemporaryDirectory(prefix="letterforge-bench-") as scratch:
        root = make_workspace(Path(scratch) / "workspace", recipients)
        print(
            f"letterforge benchmark: {recipients} recipients x 2 languages = {letters} PDF + "
            f"{letters} DOCX; {runs} runs; {os.cpu_count()} cores"
        )

        def full_build() -> float:
            shutil.rmtree(root / "build", ignore_errors=True)
            return timed([LETTERFORGE, "build", "-q"], root)

        old_name, old_build_seconds = before_memo(Path(scratch))

        def old_build() -> float:
            shutil.rmtree(root / "build", ignore_errors=True)
            return old_build_seconds(root)

        def naive() -> float:
            output = Path(scratch) / "naive"
            shutil.rmtree(output, ignore_errors=True)
            return timed(
                [sys.executable, "-m", "benchmarks.naive", str(root), str(output)], REPOSITORY
            )

        build_times: list[float] = []
        old_times: list[float] = []
        naive_times: list[float] = []
        for run in range(runs):  # taking turns, so that noise hits all
            turns = [(build_times, full_build), (old_times, old_build)]
            for times, measure in turns if run % 2 == 0 else reversed(turns):
                times.append(measure())
            naive_times.append(naive())
        full_build()  # the last build may be the yardstick's: the no-op below must be one
        build_median = statistics.median(build_times)
        old_median = statistics.median(old_times)
        naive_median = statistics.median(naive_times)
        show("full build", build_median, build_times, "target: at most 40 s for 1,000 + 1,000")
        show(f"full build, {old_name}", old_median, old_times)
        ratio = build_median / old_median
        print(f"{'  ratio to it':<28} {ratio:8.2f}     target: at most 0.75")
        show("naive baseline", naive_median, naive_times)
        print(f"{'speed-up':<28} {naive_median / build_median:8.2f} x   target: at least 2.5 x")

        pdf = pdf_bench.measure(min(recipients, 60), rounds=1)
        print(
            f"{'a PDF, in one process':<28} {pdf['memo']:8.1f} ms  without the memo "
            f"{pdf['plain']:.1f} ms, ratio {pdf['ratio']:.2f}   target: at most 40 ms where "
            "it takes 65 ms without"
        )

        no_op, no_op_times = median_of(
            max(runs, 5), lambda: timed([LETTERFORGE, "build", "-q"], root)
        )
        show("no-op rebuild", no_op, no_op_times, "target: under 1 s")

        roster = root / "recipients" / "states.yaml"
        original = roster.read_text(encoding="utf-8")
        edits = 0

        def edit_one() -> float:
            nonlocal edits
            edits += 1
            entry = recipient_yaml(7)
            edited = entry.replace("(office 7)", f"(office 7, edit {edits})")
            roster.write_text(original.replace(entry, edited), encoding="utf-8")
            return timed([LETTERFORGE, "build", "-q"], root)

        one, one_times = median_of(runs, edit_one)
        listing = subprocess.run(
            [LETTERFORGE, "build", "-v", "--force", "--only", "official-00007"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        rewritten = [line for line in listing.stdout.splitlines() if line.startswith("build/")]
        show("edit one recipient", one, one_times, f"rewrites {len(rewritten)} files")

        help_median, help_times = median_of(
            max(runs, 10), lambda: timed([LETTERFORGE, "--help"], root)
        )
        show("letterforge --help", help_median, help_times, "target: under 0.15 s")
        check_median, check_times = median_of(
            max(runs, 5), lambda: timed([LETTERFORGE, "check", "-q"], REPOSITORY)
        )
        show("check (the example)", check_median, check_times, "target: under 1 s")
        check_big, check_big_times = median_of(
            runs, lambda: timed([LETTERFORGE, "check", "-q"], root)
        )
        show(f"check ({letters} letters)", check_big, check_big_times)

        if options.memory:
            peaks = {}
            for count in (500, 5000):
                workspace = make_workspace(Path(scratch) / f"memory-{count}", count)
                peaks[count] = peak_memory(workspace)
                shutil.rmtree(workspace)
                main_mib, worker_mib = peaks[count]
                print(
                    f"{'peak memory, ' + str(count * 2) + ' letters':<28} main {main_mib} MiB, "
                    f"largest worker {worker_mib} MiB, together {main_mib + worker_mib} MiB"
                )
            ratio = sum(peaks[5000]) / sum(peaks[500])
            print(f"{'memory, 10,000 / 1,000':<28} {ratio:8.2f} x   target: at most 1.2 x")


if __name__ == "__main__":
    main()
