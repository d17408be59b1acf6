"""The documented GitHub Actions workflow (examples/github-actions/letters.yml): its shape, and
its letterforge steps run as GitHub would run them, with bash and the installed command, in a
clone with a pull request's branch checked out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO, commit_all, copy_example, git, replace_in

WORKFLOW = REPO / "examples/github-actions/letters.yml"
ESSENTIAL = "essential-services-2020"


def steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as true; GitHub reads it as "on".
    assert set(workflow[True]) == {"pull_request", "push"}
    [job] = workflow["jobs"].values()
    return list(job["steps"])


def test_the_workflow_checks_diffs_builds_and_uploads_the_letters() -> None:
    found = steps()
    assert found[0]["uses"] == "actions/checkout@v4"
    assert found[0]["with"]["fetch-depth"] == 0  # diff needs the base branch
    commands = [step.get("run", "") for step in found]
    order = [
        next(index for index, run in enumerate(commands) if needle in run)
        for needle in ("pip install", "letterforge check --strict", "letterforge diff", "build")
    ]
    assert order == sorted(order)
    upload = found[-1]
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert upload["with"]["path"] == "build/"


def run_step(step: dict[str, Any], workspace: Path, summary: Path, base: str) -> int:
    """Run a step's script as GitHub runs it: ``bash -e``, the step's env, the expressions
    filled in for a pull request into ``base``."""
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    for name, value in step.get("env", {}).items():
        environment[name] = value.replace("${{ github.base_ref }}", base)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=workspace,
        env=environment,
        capture_output=True,
        check=False,
    ).returncode


def test_the_workflow_steps_run_on_a_pull_request(tmp_path: Path) -> None:
    origin = copy_example(tmp_path / "origin")
    git(origin, "init", "-q", "-b", "main")
    commit_all(origin, "The letters")
    git(tmp_path, "clone", "-q", str(origin), "checkout")
    workspace = tmp_path / "checkout"
    git(workspace, "switch", "-q", "-c", "reword")
    replace_in(
        workspace / "templates/essential-services/letter.es.md.j2", "Nuestros", "Todos nuestros"
    )
    commit_all(workspace, "Reword the Spanish letter")
    summary = tmp_path / "summary.md"
    ours = [step for step in steps() if "letterforge" in step.get("run", "")]
    ours = [step for step in ours if "pip install" not in step["run"]]  # installed already
    assert [step["name"] for step in ours] == [
        "Check",
        "What this pull request changes in the letters",
        "Build",
    ]
    for step in ours:
        assert run_step(step, workspace, summary, "main") == 0, step["name"]
    assert summary.read_text().splitlines() == [
        "### Letters this pull request changes",
        f"    {ESSENTIAL}/es-MX/romo",
        "    1 of 6 letters differs between origin/main and working tree: 1 changed",
    ]
    assert (workspace / f"build/{ESSENTIAL}/index.html").is_file()
    # A base the letters cannot be compared with fails the step (diff's exit 2).
    assert run_step(ours[1], workspace, summary, "no-such-branch") != 0
