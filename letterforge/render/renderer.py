"""Letter templates → Markdown → document model, in a sandboxed Jinja environment.

A letter is rendered in two steps: the campaign's template for the language renders the body
prose, then the layout wraps it with letterhead, date, address, salutation, closing, signature
and CC list. Values from rosters and campaigns are Markdown-escaped on output, so a name such
as ``*Ana* & Co`` is printed as written; a campaign variable that is meant as Markdown is
passed through the ``markdown`` filter.
"""

from __future__ import annotations

import datetime
import re
import string
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2.exceptions import SecurityError

from letterforge.document import Block, Image, Letter
from letterforge.errors import (
    Collector,
    ConfigError,
    Location,
    TemplateError,
    did_you_mean,
    relative_path,
)
from letterforge.render.markdown import MarkdownProblem, parse_letter
from letterforge.render.sandbox import (
    ConfinedLoader,
    LetterSandbox,
    RenderTimeout,
    render_limited,
    time_limit,
)
from letterforge.render.typography import typeset_blocks, typeset_text
from letterforge.workspace.assets import AssetProblem, ImageFile, read_image
from letterforge.workspace.conventions import Conventions, language_name
from letterforge.workspace.formatting import (
    SalutationGap,
    closing,
    date_line,
    format_date,
    format_number,
    join_list,
    salutation,
)
from letterforge.workspace.languages import LANGUAGE_TAG, Localized, in_language, language_fallbacks
from letterforge.workspace.loader import CampaignRecord, PersonRecord, ResolvedCampaign, Workspace
from letterforge.workspace.model import Sender
from letterforge.workspace.paths import read_input
from letterforge.workspace.yamlio import (
    FORBIDDEN_CHARACTERS,
    YamlDocument,
    YamlPath,
    forbidden_character_message,
    format_field_path,
)

BUILTIN_LAYOUTS = Path(__file__).parent.parent / "layouts"
# What a template sees; check.py reads these to find undefined names without rendering.
CONTEXT_NAMES = (
    "lang",
    "labels",
    "sender",
    "campaign",
    "recipient",
    "cc",
    "signatories",
    "vars",
    "date_line",
    "closing",
)
PERSON_FIELDS = (
    "id",
    "given",
    "family",
    "surname",
    "full_name",
    "gender",
    "honorific",
    "title",
    "office",
    "organization",
    "address",
    "email",
    "tags",
    "languages",
    "signature",
)
SENDER_FIELDS = ("name", "short_name", "address", "website", "email", "phone", "place", "logo")
CAMPAIGN_FIELDS = ("name", "title", "subject", "reference", "date", "place", "enclosures")
# A body template with nothing in it would make letters with a salutation and no text.
EMPTY_TEMPLATE = "the template is empty: write the body of the letter in it"
# A Jinja expression or statement in a template line.
_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_ESCAPE = str.maketrans({char: "\\" + char for char in string.punctuation})
# White space that can break a line or a paragraph; the no-break spaces are left alone.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


class LetterUndefined(jinja2.StrictUndefined):
    """Undefined values that say which name is missing and what was there instead."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        owner = self._undefined_obj
        if owner is jinja2.utils.missing:
            return undefined_message(str(self._undefined_name), None)
        if isinstance(owner, dict):
            return undefined_message(str(self._undefined_name), owner)
        return f"{type(owner).__name__} value has no {self._undefined_name!r}"


class UntranslatedError(jinja2.UndefinedError):
    """A template printed a person's value that the roster gives in other languages only."""


class Untranslated(LetterUndefined):
    """A person's honorific or office in a language the roster does not give it in.

    Salutations use these in some languages only (French names the office, English uses an
    honorific), so a roster may leave a language out; a template that prints one there gets
    an error naming the roster line instead of an empty gap, and ``{% if %}`` sees it as
    absent.
    """

    __slots__ = ()

    def __bool__(self) -> bool:  # type: ignore[override]  # StrictUndefined raises instead
        return False


def undefined_message(name: str, keys: Iterable[str] | None) -> str:
    """What to say about ``name`` missing from a mapping with ``keys`` (None: from the top)."""
    if keys is None:
        return f"{name!r} is not defined"
    known = sorted(str(key) for key in keys)
    hint = did_you_mean(name, known)
    if hint:
        return f"{name!r} is not defined{hint}"
    listed = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
    return f"{name!r} is not defined (there is: {listed or 'nothing'})"


class MarkdownText(str):
    """Text that is already Markdown and must not be escaped again."""


def escape_markdown(value: object) -> str:
    """Print a value as written: runs of white space become one space (so a value cannot
    start a new paragraph or break the emphasis around it) and every ASCII punctuation mark
    is backslash-escaped, which CommonMark then prints literally. No-break spaces stay: they
    are typography (French 1 377, a name kept on one line), not layout."""
    if isinstance(value, MarkdownText):
        return value
    if value is None:
        return ""
    return _BREAKING_SPACE.sub(" ", str(value)).strip(" ").translate(_ESCAPE)


def unknown_name_message(kind: str, name: str, known: Iterable[str]) -> str:
    """``no filter named 'fecha' (did you mean 'date'?)``, for filters and tests."""
    return f"no {kind} named {name!r}{did_you_mean(name, known)}"


_UNKNOWN_NAME = re.compile(r"No (filter|test) named '([^']+)'")


def _jinja_message(message: str, environment: jinja2.Environment) -> str | None:
    """Jinja's words for an unknown filter or test, in letterforge's; None for other messages.

    Jinja reports these at compile time or, inside a branch, only when the branch runs; both
    must read like the static check's message so the three are one finding.
    """
    match = _UNKNOWN_NAME.search(message)
    if not match:
        return None
    kind, name = match.groups()
    known = environment.filters if kind == "filter" else environment.tests
    return unknown_name_message(kind, name, known)


def kind_of(value: object) -> str:
    """What a value is, in a template author's words: text, a number, a list ..."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    return type(value).__name__


def template_name(template: str, lang: str) -> str:
    """``essential-services``, ``es`` → ``essential-services/letter.es.md.j2``."""
    return f"{template}/letter.{lang}.md.j2"


def template_language(template: jinja2.Template) -> str:
    """The language a letter template is written in, from its name: ``letter.es.md.j2`` → es."""
    return str(template.name).rsplit("/", 1)[-1].split(".")[1]


def create_environment(workspace: Workspace) -> jinja2.Environment:
    """The sandboxed environment shared by every letter of a workspace."""
    loader = jinja2.ChoiceLoader(
        [
            ConfinedLoader(
                workspace.templates_dir, boundary=workspace.root, outside_error=TemplateError
            ),
            jinja2.PrefixLoader(
                {
                    "_layouts": ConfinedLoader(
                        BUILTIN_LAYOUTS, boundary=BUILTIN_LAYOUTS, outside_error=TemplateError
                    )
                }
            ),
        ]
    )
    environment = LetterSandbox(
        loader=loader,
        undefined=LetterUndefined,
        autoescape=False,
        finalize=escape_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    locales = workspace.locales

    @jinja2.pass_context
    def date_filter(context: Any, value: Any) -> str:
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"the date filter needs a date (YYYY-MM-DD), not {value!r}"
                ) from None
        if not isinstance(value, datetime.date):
            raise ValueError(f"the date filter needs a date, not {value!r}")
        lang = context["lang"]
        return format_date(value, lang, locales.conventions(lang))

    @jinja2.pass_context
    def number_filter(context: Any, value: Any) -> str:
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"the number filter needs a number, not {kind_of(value)}")
        return format_number(value, context["lang"])

    def list_filter(style: Literal["and", "or"]) -> Callable[..., str]:
        @jinja2.pass_context
        def join(context: Any, value: Any) -> str:
            if isinstance(value, jinja2.Undefined):
                value._fail_with_undefined_error()
            if isinstance(value, str | dict | bytes) or not isinstance(value, Iterable):
                raise ValueError(f"the join_{style} filter needs a list, not {kind_of(value)}")
            lang = context["lang"]
            conventions = locales.conventions(lang)
            items = []
            for item in value:  # a list, or what map() or select() make of one
                if isinstance(item, datetime.date):
                    item = format_date(item, lang, conventions)
                elif isinstance(item, bool) or not isinstance(item, str | int | float):
                    raise ValueError(
                        f"the join_{style} filter joins text, numbers and dates, not "
                        f"{kind_of(item)}"
                    )
                items.append(str(item))
            return join_list(items, lang, conventions, style)

        return join

    environment.filters["date"] = date_filter
    environment.filters["number"] = number_filter
    environment.filters["join_and"] = list_filter("and")
    environment.filters["join_or"] = list_filter("or")
    environment.filters["markdown"] = MarkdownText
    return environment


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
                    self._no_body(body_template, source), self._location(body_template, None)
                )
            text = self._run(layout, {**context, "body": MarkdownText(body)})
            try:
                try:
                    blocks = parse_letter(text, self.image)
                except MarkdownProblem as problem:
                    raise self._markdown_error(problem, text, body, body_template, layout) from None
            except RenderTimeout as err:
                raise TemplateError(
                    f"{err} (reading its Markdown)", self._location(body_template, None)
                ) from err
        self._check_characters(blocks, body, body_template, layout)
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

    def context(self, source: LetterSource, conventions: Conventions) -> dict[str, Any]:
        """The variables a template sees for one letter."""
        lang = source.lang
        campaign = source.campaign
        record = campaign.record
        document = record.document
        recipient = person_context(source.recipient, lang)
        recipient["salutation"] = _salutation(source.recipient, lang, recipient, conventions)
        sender = self.sender_context(lang, record)
        # The campaign's place, or its letterhead organization's.
        place = (
            campaign.campaign.place
            or (record.campaign.sender or self.workspace.settings.sender).place
        )
        place_text = place.get(lang) if place is not None else None
        closing_line = _closing(
            source.recipient, lang, recipient["salutation"], len(campaign.signatories), conventions
        )
        return {
            "lang": lang,
            # labels.closing: layouts copied before closings depended on the recipient use it.
            "labels": {**conventions.labels.model_dump(), "closing": closing_line},
            "sender": sender,
            "campaign": {
                "name": campaign.name,
                "title": localize(campaign.campaign.title, lang, document, ("title",)),
                "subject": localize(campaign.campaign.subject, lang, document, ("subject",)),
                "reference": localize(campaign.campaign.reference, lang, document, ("reference",)),
                "date": campaign.campaign.date,
                "place": place_text,
                "enclosures": [
                    localize(item, lang, document, ("enclosures", index))
                    for index, item in enumerate(campaign.campaign.enclosures)
                ],
            },
            "recipient": recipient,
            # A recipient in the campaign's CC list is not copied on their own letter.
            "cc": [
                person_context(person, lang)
                for person in campaign.cc
                if person.person.id != source.recipient.person.id
            ],
            "signatories": [person_context(person, lang) for person in campaign.signatories],
            "vars": localize_vars(
                campaign.campaign.vars, lang, campaign.languages, document, ("vars",)
            ),
            "date_line": date_line(campaign.campaign.date, lang, conventions, place_text),
            "closing": closing_line,
        }

    def sender_context(self, lang: str, record: CampaignRecord) -> dict[str, Any]:
        """The letterhead's organization: the campaign's own, or the settings'."""
        sender: Sender
        if record.campaign.sender is not None:
            sender, document = record.campaign.sender, record.document
        else:
            sender, document = self.workspace.settings.sender, self.workspace.settings_document
        path = ("sender",)  # in the campaign or in letterforge.yaml
        return {
            "name": localize(sender.name, lang, document, (*path, "name")),
            "short_name": sender.short_name,
            "address": [
                localize(line, lang, document, (*path, "address", index))
                for index, line in enumerate(sender.address)
            ],
            "website": sender.website,
            "email": sender.email,
            "phone": sender.phone,
            "place": sender.place.get(lang) if sender.place is not None else None,
            "logo": sender.logo,
        }

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
        except jinja2.TemplateSyntaxError as err:
            raise self._syntax_error(err, names[0]) from err
        except jinja2.TemplateNotFound as err:
            raise missing() from err
        except TemplateError as err:
            if err.location is None:
                err.location = Location(self._shown_name(names))
            raise
        except UnicodeDecodeError as err:
            raise TemplateError(
                f"not UTF-8 text ({err.reason})", Location(self._shown_name(names))
            ) from err
        except SyntaxError as err:  # Python's own limits on nesting, hit by compiled templates
            raise TemplateError(
                f"too deeply nested to compile ({err.msg})", Location(self._shown_name(names))
            ) from err
        except (ValueError, ArithmeticError, MemoryError, RecursionError) as err:
            # Jinja folds constant expressions such as 10 ** 100000 while compiling.
            raise TemplateError(
                f"cannot compile: {err}", Location(self._shown_name(names))
            ) from err

    def _run(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            return render_limited(template, context)
        except RenderTimeout as err:
            raise TemplateError(
                f"{err}: is there a loop that never ends?", self._failing_line(err, template)
            ) from err
        except jinja2.TemplateSyntaxError as err:  # in an included template
            raise self._syntax_error(err, template.name or "?") from err
        except UntranslatedError as err:
            raise TemplateError(str(err.message), self._failing_line(err, template)) from err
        except jinja2.UndefinedError as err:
            raise TemplateError(
                f"undefined variable: {err.message}", self._failing_line(err, template)
            ) from err
        except SecurityError as err:
            raise TemplateError(
                f"not allowed in a template: {err}", self._failing_line(err, template)
            ) from err
        except jinja2.TemplateNotFound as err:
            raise TemplateError(
                f"no template named {err.name!r}", self._failing_line(err, template)
            ) from err
        except TemplateError as err:  # from the loader, for an include
            if err.location is None:
                err.location = self._failing_line(err, template)
            raise
        except jinja2.TemplateRuntimeError as err:  # an unknown filter in a branch, for one
            message = _jinja_message(str(err), self.environment) or str(err)
            raise TemplateError(message, self._failing_line(err, template)) from err
        except RecursionError as err:
            raise TemplateError(
                "templates include or call each other without end, or nest too deeply",
                self._location(template, None),
            ) from err
        except SyntaxError as err:  # an included template nested beyond Python's limits
            raise TemplateError(
                f"too deeply nested to compile ({err.msg})", self._failing_line(err, template)
            ) from err
        except UnicodeDecodeError as err:
            raise TemplateError(
                f"an included template is not UTF-8 text ({err.reason})",
                self._failing_line(err, template),
            ) from err
        except MemoryError as err:
            raise TemplateError(
                "the template needs more memory than any letter", self._failing_line(err, template)
            ) from err
        except (
            ValueError,
            TypeError,
            ArithmeticError,
            LookupError,
            AttributeError,
            AssertionError,
            RuntimeError,
            OSError,
        ) as err:
            # A filter or method given the wrong kind of value: Python's words, the template's line.
            raise TemplateError(
                str(err) or type(err).__name__, self._failing_line(err, template)
            ) from err

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

    def _check_characters(
        self,
        blocks: tuple[Block, ...],
        body: str,
        body_template: jinja2.Template,
        layout: jinja2.Template,
    ) -> None:
        """Refuse characters a DOCX cannot hold; values were checked when loaded, so a
        template wrote them, directly or as a Markdown entity such as ``&#12;``."""
        text = "".join(block.plain_text.replace("\n", " ") for block in blocks) + "".join(
            inline.alt for block in blocks for inline in block.inlines if isinstance(inline, Image)
        )
        forbidden = FORBIDDEN_CHARACTERS.search(text)
        if forbidden:
            character = forbidden.group()

            def holds_it(source_line: str) -> bool:
                return character in source_line or "&#" in source_line

            template = body_template if holds_it(body) else layout
            line = self._source_line(template, holds_it)
            raise TemplateError(
                forbidden_character_message(character), self._location(template, line)
            )

    def _syntax_error(self, err: jinja2.TemplateSyntaxError, name: str) -> TemplateError:
        message = _jinja_message(err.message or "", self.environment)
        return TemplateError(
            message or f"template syntax: {err.message}",
            Location(self.shown(err.filename or name), err.lineno),
        )

    def _markdown_error(
        self,
        problem: MarkdownProblem,
        text: str,
        body: str,
        body_template: jinja2.Template,
        layout: jinja2.Template,
    ) -> TemplateError:
        """Blame the template line that produced Markdown a letter cannot hold.

        Jinja keeps no map from output lines to template lines, so look for the offending
        line's text in the template source; most such lines are literal text.
        """
        try:
            parse_letter(body)
        except MarkdownProblem as in_body:
            offending = body.split("\n")[in_body.line - 1].strip()
            line = self._source_line(body_template, lambda source: source.strip() == offending)
            return TemplateError(str(in_body), self._location(body_template, line))
        # The layout's line: the first whose literal text, around its {{ }} expressions,
        # is all in the line it produced.
        produced = text.split("\n")[problem.line - 1] if problem.line else ""

        def made_it(source: str) -> bool:
            pieces = [piece for piece in _EXPRESSION.split(source.strip()) if piece]
            return bool(pieces) and _in_order(pieces, produced)

        line = self._source_line(layout, made_it) if produced.strip() else None
        return TemplateError(f"in the layout: {problem}", self._location(layout, line))

    def _source_line(self, template: jinja2.Template, matches: Callable[[str], bool]) -> int | None:
        """The first line of the template's source that ``matches``."""
        if not template.filename:
            return None
        source = read_input(Path(template.filename)).decode("utf-8", "replace").split("\n")
        return next((n for n, line in enumerate(source, 1) if matches(line)), None)

    def _failing_line(self, err: BaseException, template: jinja2.Template) -> Location:
        """The template line an error was raised from: Jinja rewrites tracebacks to point there."""
        for frame in reversed(traceback.extract_tb(err.__traceback__)):
            if frame.filename.endswith(".j2"):
                return Location(self.shown(frame.filename), frame.lineno)
        return self._location(template, None)

    def _location(self, template: jinja2.Template, line: int | None) -> Location:
        return Location(self.shown(template.filename or template.name or "?"), line)

    def shown(self, filename: str) -> str:
        return relative_path(Path(filename), self.workspace.root)

    def _shown_name(self, names: list[str]) -> str:
        """The first of ``names`` that exists in templates/, as shown in messages."""
        for name in names:
            if (self.workspace.templates_dir / name).exists():
                return f"templates/{name}"
        return f"templates/{names[0]}"


def missing_language(lang: str) -> str:
    """The language to name when a value lacks ``lang``: its base (a Spanish value serves
    es-MX letters too), so es and es-MX letters report one mistake, not two."""
    return language_name(language_fallbacks(lang)[-1])


def localize(
    value: Localized | None, lang: str, document: YamlDocument, path: YamlPath
) -> str | None:
    """The text of ``value`` in ``lang``; a value given for other languages only is an error."""
    if value is None:
        return None
    text = value.get(lang)
    if text is None:
        raise ConfigError(
            f"{format_field_path(path)}: no {missing_language(lang)} value", document.location(path)
        )
    return text


def localize_vars(
    value: Any, lang: str, languages: tuple[str, ...], document: YamlDocument, path: YamlPath
) -> Any:
    """Campaign variables in ``lang``.

    A mapping is localized when its keys are language tags and one of them is a language of
    the campaign: ``{en: 5, es: 5}`` is, ``{us: 5, mx: 3}`` in an English and Spanish campaign
    is not (those keys are data that happen to look like tags).
    """
    if isinstance(value, dict):
        keys = [key for key in value if isinstance(key, str) and LANGUAGE_TAG.fullmatch(key)]
        tags = {tag for language in languages for tag in language_fallbacks(language)}
        if value and len(keys) == len(value) and tags.intersection(keys):
            for tag in language_fallbacks(lang):
                if tag in value:
                    return value[tag]
            raise ConfigError(
                f"{format_field_path(path)}: no {missing_language(lang)} value",
                document.location(path),
            )
        return {
            key: localize_vars(item, lang, languages, document, (*path, key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            localize_vars(item, lang, languages, document, (*path, index))
            for index, item in enumerate(value)
        ]
    return value


def person_context(record: PersonRecord, lang: str) -> dict[str, Any]:
    """What a template sees of a person, in ``lang``."""
    person = record.person
    problems = Collector()  # report every field that lacks the language, not just the first

    def field(value: Localized | None, *path: str | int) -> str | None:
        with problems.collect():
            return localize(value, lang, record.document, (*record.path, *path))
        return None

    def salutation_field(value: Localized | None, name: str) -> str | Untranslated | None:
        # Only salutations need these, and their forms differ by language: French names the
        # office (Monsieur le Ministre) where English uses an honorific (Dear Minister
        # Sidhu), so a language may be left out; a salutation that needs one says so.
        if value is None:
            return None
        text = value.get(lang)
        if text is not None:
            return text
        path = (*record.path, name)
        return Untranslated(
            hint=f"{person.id} has no {name} in {missing_language(lang)} "
            f"({format_field_path(path)}, {record.document.location(path)})",
            exc=UntranslatedError,
        )

    address: list[str] = []
    if person.address is not None:
        for index, line in enumerate(person.address.lines):
            address.append(field(line, "address", "lines", index) or "")
        for part in ("locality", "country"):
            text = field(getattr(person.address, part), "address", part)
            if text:
                address.append(text)
    context = {
        "id": person.id,
        "given": person.name.given,
        "family": person.name.family,
        "surname": person.surname,
        "full_name": person.full_name,
        "gender": person.gender,
        "honorific": salutation_field(person.honorific, "honorific"),
        "title": field(person.title, "title"),
        "office": salutation_field(person.office, "office"),
        "organization": field(person.organization, "organization"),
        "address": address,
        "email": person.email,
        "tags": list(person.tags),
        "languages": list(person.languages or ()),
        "signature": person.signature,
    }
    problems.raise_if_any()
    return context


def _salutation(
    record: PersonRecord, lang: str, fields: dict[str, Any], conventions: Conventions
) -> str:
    person = record.person
    own = in_language(person.salutation, lang)
    if own is not None:
        return own
    try:
        return salutation(
            conventions,
            lang=lang,
            gender=person.gender,
            fields={key: value for key, value in fields.items() if isinstance(value, str)},
        )
    except SalutationGap as gap:
        # Point at the field when the roster has it (in other languages), else at the person.
        given = gap.field in person.model_fields_set
        where = record.location(gap.field) if given else record.location()
        raise ConfigError(f"{person.id}: {gap}", where) from None


def _closing(
    record: PersonRecord,
    lang: str,
    salutation_line: str,
    signatories: int,
    conventions: Conventions,
) -> str:
    own = in_language(record.person.closing, lang)
    if own is not None:
        return own
    return closing(conventions, salutation_line=salutation_line, signatories=signatories)


def _in_order(pieces: list[str], text: str) -> bool:
    """Whether every piece occurs in ``text``, each after the one before."""
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True
