"""One PDF at a time, in one process: WeasyPrint alone against WeasyPrint with the memo.

Two writers in the same process, one with the line memo (``writers/pdf_memo.py``) and one
without, take turns letter by letter over the synthetic workspace's letters, so that a busy
machine slows both alike. Each letter's two PDFs must be byte-identical.

    python -m benchmarks.pdf_bench --recipients 60
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import make_workspace
from letterforge.check.rules import Linter
from letterforge.compose import Composer
from letterforge.document import Document
from letterforge.theme import Theme
from letterforge.writers.pdf import PdfWriter
from letterforge.writers.stack_room import in_stack_room


def letters(root: Path) -> tuple[Theme, list[Document]]:
    """The synthetic workspace's theme, and its letters, one document per recipient and
    language."""
    composer = Composer.open(root, rules=Linter())
    assert composer.workspace is not None and not composer.errors, composer.errors
    documents = []
    for campaign in composer.renderable:
        for _, versions in composer.letters(campaign):
            for letter in versions.values():
                documents.append(Document((letter,), created=campaign.campaign.date))
    return composer.workspace.theme, documents


def measure(recipients: int, rounds: int) -> dict[str, float]:
    """Median milliseconds per PDF without and with the memo, and their ratio."""
    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder) / "workspace", recipients)
        theme, documents = letters(root)
        plain, memo = PdfWriter(theme, memo=False), PdfWriter(theme)
        assert memo.memo is not None, "the memo is off here: see letterforge doctor"
        times: dict[str, list[float]] = {"plain": [], "memo": []}
        for _ in range(rounds):
            for number, document in enumerate(documents):
                outputs = {}
                order = ("plain", "memo") if number % 2 else ("memo", "plain")
                for name in order:
                    writer = plain if name == "plain" else memo
                    path = Path(folder) / f"{name}.pdf"
                    start = time.perf_counter()
                    in_stack_room(writer.write, document, path)  # as a build's workers write
                    times[name].append(time.perf_counter() - start)
                    outputs[name] = path.read_bytes()
                assert outputs["plain"] == outputs["memo"], f"letter {number} differs"
    # The first letters warm both writers (fonts, stylesheet) and fill the memo: both
    # medians are over all letters, as a batch pays for them.
    plain_ms = statistics.median(times["plain"]) * 1000
    memo_ms = statistics.median(times["memo"]) * 1000
    return {"plain": plain_ms, "memo": memo_ms, "ratio": memo_ms / plain_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args()
    result = measure(options.recipients, options.rounds)
    print(
        f"a PDF, median of {options.recipients * 2 * options.rounds} letters in one process: "
        f"{result['plain']:.1f} ms without the memo, {result['memo']:.1f} ms with it "
        f"(ratio {result['ratio']:.2f})"
    )


if __name__ == "__main__":
    main()
