"""Mistakes on the command line: exact messages, exit codes, and nothing written.

Mistakes in workspace files are the corpus in ``tests/bad_inputs/`` (test_bad_inputs.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run

CAMPAIGNS = "campaigns: essential-services-2020, usmca-review-2025"


def assert_refused(example: Path, args: list[str], message: str) -> None:
    """The command fails with exactly ``message`` on stderr, exit 1, and writes nothing."""
    result = run(example, *args)
    assert result.exit_code == 1
    assert result.stderr == message
    assert result.stdout == ""
    assert not (example / "build").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["build", "no-such-campaign"],
            f"error: no campaign named 'no-such-campaign'; {CAMPAIGNS}",
        ),
        (
            ["build", "essential-services"],
            "error: no campaign named 'essential-services' "
            f"(did you mean 'essential-services-2020'?); {CAMPAIGNS}",
        ),
        (
            ["build", "essential-services-2020", "--lang", "fr"],
            "error: --lang fr: no chosen campaign has letters in French (fr); they have letters "
            "in en, es-MX",
        ),
        (
            ["build", "--lang", "fr-FR"],
            "error: --lang fr-FR: no chosen campaign has letters in French (fr-FR); they have "
            "letters in en, en-CA, en-US, es-MX, fr-CA",
        ),
        (
            ["build", "usmca-review-2025", "--only", "greer", "--lang", "es"],
            "error: --only greer --lang es: no letter is both; greer gets no letter in es",
        ),
        (
            ["build", "../campaigns/essential-services-2020"],
            "error: no campaign named '../campaigns/essential-services-2020' "
            f"(did you mean 'essential-services-2020'?); {CAMPAIGNS}",
        ),
        (
            ["build", "--only", "alcocer"],
            "error: --only alcocer: no chosen campaign writes to 'alcocer'",
        ),
    ],
)
def test_command_line_mistakes(example: Path, args: list[str], expected: str) -> None:
    assert_refused(example, args, expected + "\n")


def test_workspace_option_names_the_workspace_folder_itself(example: Path) -> None:
    result = run(example / "templates", "build")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: --workspace {example / 'templates'}: no letterforge.yaml there\n"
    )


def test_outside_a_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from letterforge.cli import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no letterforge.yaml in {tmp_path.resolve()} or any folder above it: "
        "run letterforge inside a workspace, or pass --workspace DIR\n"
    )
