"""The bad-input corpus: every mistake a user can make, with the exact lines letterforge prints.

Each file in ``tests/bad_inputs/`` edits a fresh copy of the example workspace and says what
``letterforge check`` must print, one line per finding. The same case is then run through
``letterforge build``: for errors it must print the same lines on stderr, exit 1 and leave
``build/`` untouched; for warnings (``warning: true``) check exits 0, ``check --strict`` exits 1,
and build still writes the letters, printing the warnings.

A case file holds:

    about: what the mistake is
    edit:                       # applied in order to the example workspace
      - file: PATH
        replace: OLD            # ... with: NEW (OLD must be in the file)
      - file: PATH
        write: TEXT             # the whole file (created if missing)
      - file: PATH
        write_hex: "63 61 66 e9"  # bytes, for text that is not UTF-8
      - file: PATH
        delete: true
      - file: PATH
        symlink: TARGET
    args: [...]                 # optional: more arguments for check and build
    warning: true               # optional: the findings are warnings
    unless_a_font_has: TEXT     # optional: skip the case on a machine with a font for TEXT
    expect: [LINE, ...]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from letterforge import fonts
from tests.conftest import REPO, copy_example, replace_in, run

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(CORPUS.glob("*.yaml"))


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) <= {"about", "edit", "args", "warning", "unless_a_font_has", "expect"}, path
    return case


def apply(workspace: Path, edits: list[dict[str, Any]]) -> None:
    for edit in edits:
        target = workspace / edit["file"]
        if "replace" in edit:
            replace_in(target, edit["replace"], edit["with"])
        elif "write" in edit:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(edit["write"], encoding="utf-8")
        elif "write_hex" in edit:
            target.write_bytes(bytes.fromhex(edit["write_hex"]))
        elif edit.get("delete"):
            target.unlink()
        elif "symlink" in edit:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(edit["symlink"])
        else:
            raise AssertionError(f"unknown edit {edit}")


def test_the_corpus_is_large_and_every_case_is_distinct() -> None:
    cases = [load_case(path) for path in CASES]
    assert len(cases) >= 40
    expectations = [tuple(case["expect"]) for case in cases]
    assert len(set(expectations)) == len(expectations)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_check_and_build_report_the_mistake(tmp_path: Path, path: Path) -> None:
    case = load_case(path)
    needed = case.get("unless_a_font_has", "")
    if needed and fonts.undrawable(needed) != list(dict.fromkeys(needed)):
        pytest.skip(f"a font installed here draws some of {needed}")
    workspace = copy_example(tmp_path / "workspace")
    apply(workspace, case["edit"])
    args = case.get("args", [])
    expected = "".join(line + "\n" for line in case["expect"])

    checked = run(workspace, "check", "-q", *args)
    assert checked.stdout == expected
    assert checked.exit_code == (0 if case.get("warning") else 1)

    built = run(workspace, "build", "-q" if not case.get("warning") else "-v", *args)
    if case.get("warning"):
        assert run(workspace, "check", "--strict", "-q", *args).exit_code == 1
        assert built.exit_code == 0, built.output
        assert built.stderr == expected
    else:
        assert built.exit_code == 1
        assert built.stderr == expected
        assert built.stdout == ""
        assert not (workspace / "build").exists()


def test_json_findings_carry_path_line_column_and_severity(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / "workspace")
    apply(workspace, load_case(CORPUS / "unknown-recipient-id.yaml")["edit"])
    result = run(workspace, "check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "errors": 1,
        "warnings": 0,
        "letters": 4,  # the other campaign's letters are still checked
        "findings": [
            {
                "path": "campaigns/essential-services-2020.yaml",
                "line": 9,
                "column": 15,
                "severity": "error",
                "message": "cc[1]: no person with id 'lopez-gatel' in recipients/ "
                "(did you mean 'lopez-gatell'?)",
            }
        ],
    }


def test_the_example_workspace_is_clean() -> None:
    result = run(REPO, "check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "checked 2 campaigns, 6 letters: no problems\n"
