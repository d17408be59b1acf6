"""This checkout's build against another revision's, measured in the same run, taking turns.

    python -m benchmarks.compare 36c0925                      # 500 recipients, 3 runs each
    python -m benchmarks.compare HEAD~3 --recipients 50 --runs 5

For a change that must not make builds slower: the other revision's ``letterforge`` package is
exported (``git archive``) into a temporary folder and run with the same Python and libraries,
on the benchmark's synthetic workspace (``synthetic.py``). Each run builds into an empty
``build/`` with one revision, then the other, the first of the two alternating from run to run,
so that a machine that gets busier slows both alike; then a no-op rebuild of each. Every figure
is a median; the ratio is this checkout's time over the other's.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import REPOSITORY, make_workspace


def export(revision: str, folder: Path) -> Path:
    """The ``letterforge`` package at ``revision``, written into ``folder``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "letterforge"],
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def build_seconds(source: Path, workspace: Path) -> float:
    """Seconds ``letterforge build -q`` of the package in ``source`` took in ``workspace``."""
    environment = {**os.environ, "PYTHONPATH": str(source)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "letterforge", "build", "-q"],
        cwd=workspace,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the revision to compare with (a commit, a tag, HEAD~1)")
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="letterforge-compare-") as scratch:
        folder = Path(scratch)
        sources = {
            "this checkout": REPOSITORY,
            options.revision: export(options.revision, folder / "other"),
        }
        template = make_workspace(folder / "template", options.recipients)
        full: dict[str, list[float]] = {name: [] for name in sources}
        noop: dict[str, list[float]] = {name: [] for name in sources}
        for run in range(options.runs):
            order = list(sources) if run % 2 == 0 else list(reversed(sources))
            for name in order:
                workspace = folder / "workspace"
                shutil.rmtree(workspace, ignore_errors=True)
                shutil.copytree(template, workspace)
                full[name].append(build_seconds(sources[name], workspace))
                noop[name].append(build_seconds(sources[name], workspace))
                print(
                    f"run {run + 1}: {name}: {full[name][-1]:.2f} s, no-op {noop[name][-1]:.2f} s"
                )
        print(f"\n{options.recipients} recipients x 2 languages, both formats, {options.runs} runs")
        for label, times in (("full build", full), ("no-op rebuild", noop)):
            medians = {name: statistics.median(values) for name, values in times.items()}
            ratio = medians["this checkout"] / medians[options.revision]
            figures = ", ".join(f"{name} {value:.2f} s" for name, value in medians.items())
            print(f"{label:<14} {figures}: ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
