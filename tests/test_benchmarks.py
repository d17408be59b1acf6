"""The benchmarks still run against today's code: they are not run by the tests (they take
minutes), so a change of the library's interface must not break them unseen."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, make_workspace


def test_every_benchmark_module_imports() -> None:
    for path in sorted((REPO / "benchmarks").glob("*.py")):
        importlib.import_module(f"benchmarks.{path.stem}")


def test_the_naive_baseline_writes_every_letter(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "workspace", {})
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.naive", str(workspace), str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "2\n"
    assert sorted(path.name for path in (tmp_path / "out/note/en").iterdir()) == [
        "ana.docx",
        "ana.pdf",
    ]
