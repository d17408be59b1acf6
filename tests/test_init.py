"""``letterforge init``: a new workspace that builds and checks cleanly as it is, and the
pre-commit hook this repository offers to workspaces."""

from __future__ import annotations

import datetime
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from letterforge.cli import cli
from tests.conftest import (
    REPO,
    commit_all,
    documented_commands,
    docx_paragraphs,
    flat,
    git,
    pdf_pages,
    run,
)


def test_init_makes_a_workspace_that_builds_and_checks_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a clean folder, no workspace above it
    result = CliRunner().invoke(cli, ["init", "letters"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == [
        "letters/.gitignore",
        "letters/README.md",
        "letters/campaigns/first-letter.yaml",
        "letters/letterforge.yaml",
        "letters/recipients/people.yaml",
        "letters/templates/letter/letter.en.md.j2",
        "letters/templates/letter/letter.es.md.j2",
    ]
    assert result.stderr == "next: cd letters && letterforge build\n"
    workspace = tmp_path / "letters"
    assert (workspace / ".gitignore").read_text() == "build/\n"
    campaign = yaml.safe_load((workspace / "campaigns/first-letter.yaml").read_text())
    today = datetime.date.today()
    assert campaign["date"] == today
    checked = run(workspace, "check", "--strict")
    assert (checked.exit_code, checked.stdout) == (0, ""), checked.output
    built = run(workspace, "build")
    assert built.stdout == "first-letter: 6 files in build/first-letter/\n"
    english = flat(" ".join(pdf_pages(workspace / "build/first-letter/en/garcia.pdf")))
    assert "Dear Ms. García Ortiz:" in english
    assert f"{today:%B} {today.day}, {today.year}" in english
    spanish = [text for _, text in docx_paragraphs(workspace / "build/first-letter/es/garcia.docx")]
    assert "Estimada Lic. García Ortiz:" in spanish


def test_init_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("our own notes\n")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path}/README.md already exists: letterforge init writes a new workspace "
        "and never replaces a file; choose an empty folder\n"
    )
    assert [path.name for path in tmp_path.iterdir()] == ["README.md"]
    assert (tmp_path / "README.md").read_text() == "our own notes\n"


def test_the_pre_commit_hook_runs_check_on_workspace_files(example: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["letterforge-check"]
    hook = hooks[0]
    files = re.compile(hook["files"])
    assert files.search("recipients/mexico-federal.yaml")
    assert files.search("templates/usmca-review/letter.fr.md.j2")
    assert not files.search("build/essential-services-2020/en/romo.pdf")
    # The hook's command, as pre-commit runs it, in a workspace with and without a mistake.
    command = [str(Path(sys.executable).parent / shlex.split(hook["entry"])[0])]
    command += shlex.split(hook["entry"])[1:]
    clean = subprocess.run(command, cwd=example, capture_output=True, text=True)
    assert (clean.returncode, clean.stdout) == (0, ""), clean.stderr
    (example / "campaigns/essential-services-2020.yaml").write_text("title: [\n")
    broken = subprocess.run(command, cwd=example, capture_output=True, text=True)
    assert broken.returncode == 1
    assert broken.stdout.startswith("campaigns/essential-services-2020.yaml:")


def test_the_workspace_readme_commands_run_in_a_new_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "letters"
    assert run(tmp_path, "init", str(workspace)).exit_code == 0
    git(workspace, "init", "-q")
    commit_all(workspace, "A new workspace")
    readme = (workspace / "README.md").read_text(encoding="utf-8")
    commands = documented_commands(readme, "")
    assert len(commands) == 5
    for arguments in commands:
        result = run(workspace, *arguments)
        assert result.exit_code == 0, (arguments, result.output)
    assert (workspace / "build/first-letter/index.html").is_file()


def test_the_new_settings_say_when_to_name_a_region(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "letters")])
    assert result.exit_code == 0, result.output
    settings = (tmp_path / "letters/letterforge.yaml").read_text(encoding="utf-8")
    assert "es-MX for letters to Mexico" in settings
