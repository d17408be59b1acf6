"""A joint letter's letterhead: a campaign's ``sender`` may list several organizations, each
shown side by side with its address or website, so that the recipient can reply to each."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx

from tests.conftest import REPO, make_workspace, run

JOINT = """\
title: Joint statement
date: 2025-07-01
template: note
to: [ana]
from: [sam]
sender:
  - name: AMITI
    address: [Ciudad de México]
    website: www.amiti.org.mx
  - name: Information Technology Industry Council
    short_name: ITI
    address: [700 K Street NW, Suite 600, "Washington, DC 20001"]
    website: www.itic.org
  - name: TECHNATION
    address: [Canada]
    email: info@technation.example
"""


def test_each_association_stands_side_by_side_on_the_letterhead(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path / "workspace",
        {
            "campaigns/note.yaml": JOINT,
            "templates/note/letter.en.md.j2": "We write jointly, as {{ sender.name }}.\n",
        },
    )
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    pdf = workspace / "build/note/en/ana.pdf"
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # One line holds the three names, and the next lines each association's own.
    first = next(line for line in layout if line.strip())
    # (the long name wraps in its column)
    assert first.split() == ["AMITI", "Information", "Technology", "TECHNATION"]
    assert "www.amiti.org.mx" in "\n".join(layout[:6])
    assert "info@technation.example" in "\n".join(layout[:6])
    # In Word, a borderless table of one row, a column each.
    word = docx.Document(str(workspace / "build/note/en/ana.docx"))
    (table,) = word.tables
    assert [cell.text for cell in table.rows[0].cells] == [
        "AMITI\nCiudad de México\nwww.amiti.org.mx",
        "Information Technology Industry Council\n700 K Street NW\nSuite 600\n"
        "Washington, DC 20001\nwww.itic.org",
        "TECHNATION\nCanada\ninfo@technation.example",
    ]
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Letter Letterhead"
    # Templates see the associations together: their short names joined.
    body = [p.text for p in word.paragraphs if p.style.name == "Letter Body"]
    assert body == ["We write jointly, as AMITI · ITI · TECHNATION."]
    # And the documents' author is the same.
    assert word.core_properties.author == "AMITI · ITI · TECHNATION"


def test_the_readme_shows_this_letterhead() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "```yaml\n" + JOINT[JOINT.index("sender:") :] + "```" in readme


def test_a_mistake_in_one_association_is_at_its_line(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path / "workspace",
        {
            "campaigns/note.yaml": JOINT.replace(
                "  - name: TECHNATION\n", "  - nombre: TECHNATION\n"
            )
        },
    )
    result = run(workspace, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "campaigns/note.yaml:14:5: error: unknown key 'nombre' (did you mean 'name'?)",
    ]
