"""The command line as users run it: narrowing a build, listing, entry points, internal errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import flat, is_letter, pdf_pages, run

CAMPAIGN = "essential-services-2020"
BIN = Path(sys.executable).parent


def files_in(workspace: Path) -> list[str]:
    """The letters in build/, without the campaigns' manifests."""
    build = workspace / "build"
    return sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if is_letter(p))


def test_format_lang_and_only_narrow_a_build(example: Path) -> None:
    result = run(example, "build", CAMPAIGN, "--format", "pdf", "--lang", "es", "--only", "romo")
    assert result.exit_code == 0, result.output
    # A bundle needs every language, so narrowing by language leaves it out.
    assert files_in(example) == [f"{CAMPAIGN}/es-MX/romo.pdf"]
    assert result.stdout == f"{CAMPAIGN}: 1 file in build/{CAMPAIGN}/\n"


def test_verbose_lists_files_and_quiet_prints_nothing(example: Path) -> None:
    verbose = run(example, "build", CAMPAIGN, "-v", "--format", "docx")
    assert verbose.stdout.splitlines() == [
        f"build/{CAMPAIGN}/en/romo.docx",
        f"build/{CAMPAIGN}/es-MX/romo.docx",
        f"build/{CAMPAIGN}/bundle/romo.docx",
        f"{CAMPAIGN}: 3 files in build/{CAMPAIGN}/",
    ]
    quiet = run(example, "build", CAMPAIGN, "-q", "--format", "docx")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_rebuild_replaces_files_and_leaves_no_temporary_files(example: Path) -> None:
    assert run(example, "build", CAMPAIGN, "--format", "pdf").exit_code == 0
    assert run(example, "build", CAMPAIGN, "--format", "pdf").exit_code == 0
    assert files_in(example) == [
        f"{CAMPAIGN}/bundle/romo.pdf",
        f"{CAMPAIGN}/en/romo.pdf",
        f"{CAMPAIGN}/es-MX/romo.pdf",
    ]


def test_list_shows_campaigns_people_and_templates(example: Path) -> None:
    result = run(example, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "Campaigns:",
        f"  {CAMPAIGN}  2020-04-21  [en, es-MX, bundle]  to: romo",
    ]
    assert "  lopez-gatell     Hugo López-Gatell Ramírez  [federal, health]" in lines
    assert lines[-3:] == [
        "Templates:",
        "  essential-services  [en, es]",
        "  usmca-review  [en, es, fr]",
    ]


def test_workspace_is_found_from_a_subfolder(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from letterforge.cli import cli

    monkeypatch.chdir(example / "templates")
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Campaigns:\n")


def test_internal_errors_are_one_line_unless_debug(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letterforge.build.plan

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(letterforge.build.plan, "plan_documents", broken)
    result = run(example, "build")
    assert result.exit_code == 1
    assert result.stderr == (
        "internal error: RuntimeError: simulated bug (rerun with --debug to see the traceback)\n"
    )
    with pytest.raises(RuntimeError, match="simulated bug"):
        run(example, "--debug", "build")


def test_installed_command_builds_the_example(example: Path) -> None:
    completed = subprocess.run(
        [str(BIN / "letterforge"), "build", CAMPAIGN, "--format", "pdf", "--lang", "en"],
        cwd=example,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == f"{CAMPAIGN}: 1 file in build/{CAMPAIGN}/\n"
    text = flat("\n".join(pdf_pages(example / "build" / CAMPAIGN / "en" / "romo.pdf")))
    assert "Dear Mr. Romo:" in text


def test_installed_command_reports_errors_without_a_traceback(example: Path) -> None:
    (example / "campaigns" / f"{CAMPAIGN}.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    completed = subprocess.run(
        [str(BIN / "letterforge"), "build"],
        cwd=example,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr == (
        f"campaigns/{CAMPAIGN}.yaml:2:1: error: invalid YAML: did not find expected ',' or ']'\n"
    )


def test_python_dash_m_works(example: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "letterforge", "-C", str(example), "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Campaigns:\n")


def test_usage_errors_exit_2(example: Path) -> None:
    result = run(example, "build", "--format", "odt")
    assert result.exit_code == 2


def test_a_campaign_or_format_named_twice_is_built_once(example: Path) -> None:
    settings = example / "letterforge.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "formats: [pdf, docx]", "formats: [docx, docx]"
        ),
        encoding="utf-8",
    )
    result = run(example, "build", CAMPAIGN, CAMPAIGN)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{CAMPAIGN}: 3 files in build/{CAMPAIGN}/\n"
