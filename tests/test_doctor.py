"""`letterforge doctor` reports what a build renders with, and fails when the theme's font or
the fast font subsetter is missing (make test installs both)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from letterforge.cli import cli
from tests.conftest import replace_in, run


def test_doctor_reports_the_rendering_stack_and_the_themes_fonts(example: Path) -> None:
    result = run(example, "doctor")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"weasyprint {metadata.version('weasyprint')}" in lines[1]
    assert lines[2].startswith("system: Pango 1.")
    assert "font subsetter: HarfBuzz (fast)" in lines
    assert "  Caladea: installed" in lines
    assert "  Cambria: not installed" in lines  # a font Word has; the PDF needs none but the first


def test_doctor_fails_when_the_themes_first_font_is_missing(example: Path) -> None:
    replace_in(
        example / "letterforge.yaml",
        "page_size: letter",
        "page_size: letter\ntheme:\n  fonts: [No Such Font, Caladea]",
    )
    result = run(example, "doctor")
    assert result.exit_code == 1
    assert "  No Such Font: not installed" in result.stdout.splitlines()
    assert result.stderr == (
        "problem: the theme's first font, No Such Font, is not installed, so Caladea is used "
        "instead: install it (fc-list lists the fonts there are), or name an installed font "
        "first in theme.fonts\n"
    )


def test_doctor_outside_a_workspace_checks_the_built_in_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # tmp_path has no letterforge.yaml, nor any folder above it
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "fonts of the theme (built-in):" in result.stdout


def test_doctor_names_the_font_package_a_rosters_names_need(example: Path) -> None:
    from letterforge.fonts import undrawable

    if undrawable("王小明") != ["王", "小", "明"]:
        pytest.skip("a Chinese font is installed here")
    replace_in(example / "recipients" / "mexico-federal.yaml", "given: Alfonso", "given: 王小明")
    result = run(example, "doctor")
    assert result.exit_code == 1
    assert (
        "characters of the rosters no installed font has: 王 小 明 (recipients/mexico-federal.yaml)"
        in result.stdout.splitlines()
    )
    assert result.stderr == (
        "problem: no installed font has 王 小 明, so PDFs show empty boxes for them: install "
        "fonts-noto-cjk (apt-get install fonts-noto-cjk)\n"
    )
