"""``letterforge preview``: one letter, rendered as a build would render it, without writing it.

The workspace is checked as for a build, but only the one letter is rendered, so a preview
comes back in well under a second; its text goes to the terminal, or a self-contained HTML
page (theme CSS inline, images as ``data:`` URLs) goes to ``build/<campaign>/preview/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from letterforge.compose import Composer, Rules
from letterforge.document import Document
from letterforge.errors import ConfigError, Problems
from letterforge.theme import Theme
from letterforge.workspace.conventions import language_name
from letterforge.workspace.languages import narrowed
from letterforge.workspace.paths import BUILD_DIR

PREVIEW_DIR = "preview"


@dataclass(frozen=True)
class Preview:
    """One letter, and whom it is to."""

    campaign: str
    recipient: str
    document: Document
    theme: Theme


def preview_letter(
    root: Path,
    campaign: str,
    *,
    to: str | None = None,
    lang: str | None = None,
    rules: Rules | None = None,
) -> Preview:
    """The letter of ``campaign`` to ``to`` (default: its first recipient) in ``lang``
    (default: the first language they get), checked by ``rules`` as a build checks it.

    Raises:
        Problems: the check found errors in the workspace or in this letter.
    """
    composer = Composer.open(
        root, campaigns=[campaign], languages=[lang] if lang else [], rules=rules
    )
    if composer.errors:
        raise Problems(composer.errors)
    assert composer.workspace is not None  # a workspace that failed to load is an error
    resolved = composer.renderable[0]
    recipient = next(
        (person for person in resolved.recipients if to in (None, person.person.id)), None
    )
    if recipient is None:
        ids = ", ".join(person.person.id for person in resolved.recipients)
        raise ConfigError(f"--to {to}: {campaign} does not write to {to!r}; it writes to {ids}")
    offered = resolved.languages_for(recipient)
    matching = narrowed(offered, [lang] if lang else [])
    if lang is None or lang in matching:
        chosen = lang or offered[0]
    elif len(matching) == 1:  # --lang fr for someone who gets fr-CA
        chosen = matching[0]
    else:  # none, or several (--lang en for en-US and en-CA letters)
        raise ConfigError(
            f"--lang {lang}: {recipient.person.id} gets letters in "
            f"{', '.join(language_name(each) for each in offered)}; name one of them"
        )
    letters = composer.letters(resolved, languages=[chosen], recipients=[recipient.person.id])
    _, versions = next(letters)  # the one recipient's letter
    if composer.errors:
        raise Problems(composer.errors)
    document = Document((versions[chosen],), created=resolved.campaign.date)
    return Preview(campaign, recipient.person.id, document, composer.workspace.theme)


def write_preview_html(root: Path, preview: Preview) -> Path:
    """Write the letter as one self-contained HTML page, in
    ``build/<campaign>/preview/<lang>/<recipient>.html``; return where."""
    from letterforge.build.outputs import make_output_folder
    from letterforge.writers.html import letter_pages_html

    document = preview.document
    folder = root / BUILD_DIR / preview.campaign / PREVIEW_DIR / document.lang
    make_output_folder(folder, root)
    path = folder / f"{preview.recipient}.html"
    path.write_text(letter_pages_html(document, preview.theme)[0], encoding="utf-8")
    return path
