"""The naive baseline: every letter of a workspace written the simplest way, in one process.

For each letter, a fresh WeasyPrint HTML document with its own stylesheet and font
configuration, and a fresh python-docx document with its styles defined anew: no reuse, no
workers, no manifest. Letters are rendered exactly as ``letterforge build`` renders them, so
the difference with a build is what batching adds.

    python -m benchmarks.naive WORKSPACE OUTPUT
"""

from __future__ import annotations

import sys
from pathlib import Path

from letterforge.check.rules import Linter
from letterforge.compose import Composer
from letterforge.document import Document
from letterforge.writers.docx import write_docx
from letterforge.writers.pdf import write_pdf


def write_naively(root: Path, output: Path) -> int:
    """Write every letter of the workspace at ``root`` into ``output``; return the file count."""
    composer = Composer.open(root, rules=Linter())  # checked as a build checks
    workspace = composer.workspace
    assert workspace is not None and not composer.errors, composer.errors
    theme = workspace.theme
    written = 0
    for campaign in composer.renderable:
        for recipient, versions in composer.letters(campaign):
            for lang, letter in versions.items():
                document = Document((letter,), created=campaign.campaign.date)
                folder = output / campaign.name / lang
                folder.mkdir(parents=True, exist_ok=True)
                write_pdf(document, folder / f"{recipient.person.id}.pdf", theme)
                write_docx(document, folder / f"{recipient.person.id}.docx", theme)
                written += 2
    return written


if __name__ == "__main__":
    print(write_naively(Path(sys.argv[1]), Path(sys.argv[2])))
