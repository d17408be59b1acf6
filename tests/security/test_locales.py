"""Untrusted locale files: read like rosters, and unable to make a letter grow without end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import docx_paragraphs, make_workspace, run
from tests.security.test_rosters import assert_refused

LOCALE = "locales/en.yaml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'salutation:\n  any: ["Dear {honorific.__class__}:"]\n',
            "salutation.any[0]: unknown placeholder {honorific.__class__} (it can use {honorific}, "
            "{given}, {family}, {surname}, {full_name}, {title}, {office})",
        ),
        (
            'salutation:\n  any: ["Dear {surname:>999999999}:"]\n',
            "salutation.any[0]: write the placeholder as {surname}, with no format after it",
        ),
        (
            'labels:\n  page: "Page {page!r:>99999999}"\n',
            "labels.page: write the placeholder as {page}, with no format after it",
        ),
        (
            'closing:\n  single: "Yours {0.__init__.__globals__}"\n',
            "closing.single: unknown placeholder {0.__init__.__globals__} (it can use "
            "{salutation})",
        ),
        (
            'typography:\n  quotes: ["' + "x" * 1000 + '", "b", "c", "d"]\n',
            "typography.quotes[0]: String should have at most 3 characters",
        ),
    ],
    ids=["attribute", "width", "conversion", "globals", "huge quote mark"],
)
def test_locale_patterns_cannot_reach_python_or_grow_a_letter(
    tmp_path: Path, text: str, message: str
) -> None:
    workspace = make_workspace(tmp_path, {LOCALE: text})
    findings = run(workspace, "check", "-q").stdout.splitlines()
    assert len(findings) == 1, findings
    assert findings[0].startswith(f"{LOCALE}:2:")
    assert findings[0].endswith(f": error: {message}")
    assert_refused(workspace, *findings)


def test_a_locale_file_linked_from_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("labels:\n  cc: 'stolen:'\n", encoding="utf-8")
    workspace = make_workspace(tmp_path / "ws", {})
    (workspace / "locales").mkdir()
    (workspace / LOCALE).symlink_to(outside)
    assert_refused(
        workspace,
        f"{LOCALE}: error: is a link that leads outside the workspace, or not a regular file",
    )


def test_hostile_text_in_quotes_is_set_in_time_proportional_to_it(tmp_path: Path) -> None:
    # 100,000 quotes and apostrophes in one paragraph: typography is one pass over the text.
    body = ("\"a\" 'b' l'c : ? " * 8000) + "\n"
    workspace = make_workspace(
        tmp_path,
        {
            "letterforge.yaml": "sender:\n  name: Example Association\nlanguages: [fr]\n",
            "recipients/people.yaml": (
                "people:\n  - id: ana\n    name: {given: Ana, family: Ruiz}\n    gender: f\n"
                "  - id: sam\n    name: {given: Sam, family: Lee}\n"
            ),
            "templates/note/letter.fr.md.j2": body,
        },
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    text = dict(docx_paragraphs(workspace / "build/note/fr/ana.docx"))["Letter Body"]
    assert text.startswith("«\u202fa\u202f» “b” l’c\u00a0:\u202f? «\u202fa")
