"""Letter templates → Markdown → document model, in a sandboxed Jinja environment.

A letter is rendered in two steps: the campaign's template for the language renders the body
prose, then the layout wraps it with letterhead, date, address, salutation, closing, signature
and CC list. Values from rosters and campaigns are Markdown-escaped on output, so a name such
as ``*Ana* & Co`` is printed as written; a campaign variable that is meant as Markdown is
passed through the ``markdown`` filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2

from letterforge.document import Block, Letter
from letterforge.errors import ConfigError, Location, TemplateError, did_you_mean
from letterforge.render.blame import COMPILE_ERRORS, RENDER_ERRORS, Blame
from letterforge.render.context import letter_context, missing_language
from letterforge.render.environment import MarkdownText, create_environment
from letterforge.render.markdown import MarkdownProblem, parse_letter
from letterforge.render.sandbox import RenderTimeout, render_limited, time_limit
from letterforge.render.typography import typeset_blocks, typeset_text
from letterforge.workspace.assets import AssetProblem, ImageFile, read_image
from letterforge.workspace.conventions import Conventions
from letterforge.workspace.languages import language_fallbacks
from letterforge.workspace.loader import CampaignRecord, PersonRecord, Workspace
from letterforge.workspace.resolve import ResolvedCampaign

# A body template with nothing in it would make letters with a salutation and no text.
EMPTY_TEMPLATE = "the template is empty: write the body of the letter in it"


def template_name(template: str, lang: str) -> str:
    """``essential-services``, ``es`` → ``essential-services/letter.es.md.j2``."""
    return f"{template}/letter.{lang}.md.j2"


def cover_note_name(template: str, lang: str) -> str:
    """``essential-services``, ``es`` → ``essential-services/email.es.md.j2``."""
    return f"{template}/email.{lang}.md.j2"


def template_language(template: jinja2.Template) -> str:
    """The language a letter template is written in, from its name: ``letter.es.md.j2`` → es."""
    return str(template.name).rsplit("/", 1)[-1].split(".")[1]


@dataclass(frozen=True)
class LetterSource:
    """Everything one language version of one letter is rendered from."""

    campaign: ResolvedCampaign
    recipient: PersonRecord
    lang: str


class LetterRenderer:
    """Renders letters of one workspace, reusing its Jinja environment and templates."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.environment = create_environment(workspace)
        self.blame = Blame(workspace, self.environment)
        self.images: dict[str, ImageFile | AssetProblem] = {}

    def image(self, name: str) -> ImageFile:
        """The checked image ``name``, read once for all the letters that show it."""
        if name not in self.images:
            try:
                self.images[name] = read_image(self.workspace.root, name)
            except AssetProblem as problem:
                self.images[name] = problem
        found = self.images[name]
        if isinstance(found, AssetProblem):
            raise found
        return found

    def render(self, source: LetterSource) -> Letter:
        """Render one letter into the document model."""
        conventions = self.workspace.locales.conventions(source.lang)
        context = self.context(source, conventions)
        body_template = self.body_template(source.campaign.record, source.lang)
        layout = self.layout(source.campaign.record)
        with time_limit():
            body = self._run(body_template, context)
            if not body.strip():
                raise TemplateError(
                    self._no_body(body_template, source), self.blame.location(body_template, None)
                )
            text = self._run(layout, {**context, "body": MarkdownText(body)})
            try:
                try:
                    blocks = parse_letter(text, self.image)
                except MarkdownProblem as problem:
                    raise self.blame.markdown_error(
                        problem, text, body, body_template, layout
                    ) from None
            except RenderTimeout as err:
                raise TemplateError(
                    f"{err} (reading its Markdown)", self.blame.location(body_template, None)
                ) from err
        self.blame.check_characters(blocks, body, body_template, layout)
        campaign = context["campaign"]
        typography = conventions.typography
        return Letter(
            lang=source.lang,
            blocks=typeset_blocks(blocks, typography),
            title=typeset_text(
                f"{campaign['title']} — {source.recipient.person.full_name}", typography
            ),
            subject=typeset_text(campaign["subject"] or campaign["title"], typography),
            author=typeset_text(context["sender"]["name"], typography),
        )

    def cover_note(self, source: LetterSource) -> tuple[Block, ...]:
        """The short note an email carries its letter with: the campaign's
        ``email.<lang>.md.j2`` when its template folder has one, else the built-in note."""
        record = source.campaign.record
        tags = language_fallbacks(source.lang)
        names = [cover_note_name(record.campaign.template, tag) for tag in tags]
        names += [f"_layouts/email.{tag}.md.j2" for tag in tags]
        template = self._template(
            names,
            missing=lambda: ConfigError(
                f"template: no cover note for emails in {missing_language(source.lang)}: "
                f"create templates/{names[len(tags) - 1]}",
                record.document.location(("template",)),
            ),
        )
        conventions = self.workspace.locales.conventions(source.lang)
        with time_limit():
            note = self._run(template, self.context(source, conventions))
            try:
                blocks = parse_letter(note)
            except MarkdownProblem as problem:
                raise TemplateError(
                    f"{problem} (in the cover note)", self.blame.location(template, None)
                ) from None
        if not blocks:
            raise TemplateError(
                "the cover note is empty: write the email's text in it",
                self.blame.location(template, None),
            )
        return typeset_blocks(blocks, conventions.typography)

    def context(self, source: LetterSource, conventions: Conventions) -> dict[str, Any]:
        """The variables a template sees for one letter."""
        return letter_context(
            self.workspace, source.campaign, source.recipient, source.lang, conventions
        )

    def body_template(self, record: CampaignRecord, lang: str) -> jinja2.Template:
        """The campaign's template for ``lang``, compiled."""
        name = record.campaign.template
        candidates = [template_name(name, tag) for tag in language_fallbacks(lang)]
        location = record.document.location(("template",))
        if not (self.workspace.templates_dir / name).is_dir():
            known = self.workspace.template_names()
            raise ConfigError(
                f"template: no folder templates/{name}/{did_you_mean(name, known)}", location
            )
        return self._template(
            candidates,
            missing=lambda: ConfigError(
                f"template: {name!r} has no {missing_language(lang)} version: "
                f"create templates/{candidates[-1]}",
                location,
            ),
        )

    def layout(self, record: CampaignRecord) -> jinja2.Template:
        """The campaign's layout, compiled."""
        if record.campaign.layout:
            name, document = record.campaign.layout, record.document
        else:
            name, document = self.workspace.settings.layout, self.workspace.settings_document
        return self._template(
            [f"_layouts/{name}.md.j2"],
            missing=lambda: ConfigError(
                f"layout: no layout named {name!r} (looked for templates/_layouts/{name}.md.j2)",
                document.location(("layout",)),
            ),
        )

    def _template(self, names: list[str], *, missing: Callable[[], ConfigError]) -> jinja2.Template:
        """The first of ``names`` that exists, compiled; ``missing()`` when none does (made
        only then: naming a language loads Babel's data, a twentieth of a second)."""
        try:
            return self.environment.select_template(names)
        except jinja2.TemplateNotFound as err:
            raise missing() from err
        except TemplateError as err:
            if err.location is None:
                err.location = Location(self.blame.shown_name(names))
            raise
        except COMPILE_ERRORS as err:
            raise self.blame.compile_error(err, names) from err

    def _run(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            return render_limited(template, context)
        except TemplateError as err:  # from the loader, for an include
            if err.location is None:
                err.location = self.blame.failing_line(err, template)
            raise
        except RENDER_ERRORS as err:
            raise self.blame.render_error(err, template) from err

    def _no_body(self, template: jinja2.Template, source: LetterSource) -> str:
        """Why a letter has no body: its template is empty, or leaves out every line for
        this recipient."""
        loader = self.environment.loader
        assert loader is not None and template.name is not None
        text, _, _ = loader.get_source(self.environment, template.name)
        if not text.strip():
            return EMPTY_TEMPLATE
        return (
            f"the letter to {source.recipient.person.id} has no text: the template leaves out "
            "every line of it"
        )

    def shown(self, filename: str) -> str:
        """``filename`` as messages show it: relative to the workspace."""
        return self.blame.shown(filename)
