"""Letter templates → Markdown → document model, in a sandboxed Jinja environment.

A letter is rendered in two steps: the campaign's template for the language renders the body
prose, then the layout wraps it with letterhead, date, address, salutation, closing, signature
and CC list. Values from rosters and campaigns are Markdown-escaped on output, so a name such
as ``*Ana* & Co`` is printed as written; a campaign variable that is meant as Markdown is
passed through the ``markdown`` filter.
"""

from __future__ import annotations

import datetime
import string
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from letterforge.document import Letter
from letterforge.errors import ConfigError, Location, TemplateError, did_you_mean, relative_path
from letterforge.locale import format_date, locale_data, salutation
from letterforge.markdown import MarkdownProblem, parse_letter
from letterforge.model import (
    LANGUAGE_TAG,
    Localized,
    format_field_path,
    language_fallbacks,
    language_name,
)
from letterforge.workspace import PersonRecord, ResolvedCampaign, Workspace
from letterforge.yamlio import YamlDocument, YamlPath

BUILTIN_LAYOUTS = Path(__file__).parent / "layouts"
_ESCAPE = str.maketrans({char: "\\" + char for char in string.punctuation})


class LetterUndefined(jinja2.StrictUndefined):
    """Undefined values that say which name is missing and what was there instead."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        name = self._undefined_name
        owner = self._undefined_obj
        if owner is jinja2.utils.missing:
            return f"{name!r} is not defined"
        if isinstance(owner, dict):
            keys = sorted(str(key) for key in owner)
            hint = did_you_mean(str(name), keys)
            if hint:
                return f"{name!r} is not defined{hint}"
            return f"{name!r} is not defined (there is: {', '.join(keys) or 'nothing'})"
        return f"{type(owner).__name__} value has no {name!r}"


class MarkdownText(str):
    """Text that is already Markdown and must not be escaped again."""


def escape_markdown(value: object) -> str:
    """Backslash-escape every ASCII punctuation mark, which CommonMark then prints literally."""
    if isinstance(value, MarkdownText):
        return value
    if value is None:
        return ""
    return str(value).translate(_ESCAPE)


def template_name(template: str, lang: str) -> str:
    """``essential-services``, ``es`` → ``essential-services/letter.es.md.j2``."""
    return f"{template}/letter.{lang}.md.j2"


def create_environment(workspace: Workspace) -> jinja2.Environment:
    """The sandboxed environment shared by every letter of a workspace."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(workspace.templates_dir),
            jinja2.PrefixLoader({"_layouts": jinja2.FileSystemLoader(BUILTIN_LAYOUTS)}),
        ]
    )
    environment = ImmutableSandboxedEnvironment(
        loader=loader,
        undefined=LetterUndefined,
        autoescape=False,
        finalize=escape_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.filters["date"] = _date_filter
    environment.filters["markdown"] = MarkdownText
    return environment


@jinja2.pass_context
def _date_filter(context: Any, value: Any) -> str:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"the date filter needs a date (YYYY-MM-DD), not {value!r}") from None
    if not isinstance(value, datetime.date):
        raise ValueError(f"the date filter needs a date, not {value!r}")
    return format_date(value, context["lang"])


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

    def render(self, source: LetterSource) -> Letter:
        """Render one letter into the document model."""
        context = self.context(source)
        body_template = self._body_template(source.campaign, source.lang)
        layout_name = source.campaign.campaign.layout or self.workspace.settings.layout
        layout = self._template(
            f"_layouts/{layout_name}.md.j2",
            missing=lambda: ConfigError(
                f"layout: no layout named {layout_name!r} "
                f"(looked for templates/_layouts/{layout_name}.md.j2)",
                source.campaign.record.document.location(("layout",)),
            ),
        )
        body = self._run(body_template, context)
        text = self._run(layout, {**context, "body": MarkdownText(body)})
        try:
            blocks = parse_letter(text)
        except MarkdownProblem:
            try:
                parse_letter(body)
            except MarkdownProblem as problem:
                raise TemplateError(
                    str(problem), self._location(body_template, problem.line)
                ) from None
            raise TemplateError(
                "the layout produced Markdown a letter cannot hold", self._location(layout, None)
            ) from None
        return Letter(source.lang, blocks)

    def context(self, source: LetterSource) -> dict[str, Any]:
        """The variables a template sees for one letter."""
        lang = source.lang
        campaign = source.campaign
        record = campaign.record
        recipient = person_context(source.recipient, lang)
        recipient["salutation"] = _salutation(source.recipient, lang, recipient)
        return {
            "lang": lang,
            "labels": locale_data(lang).labels.model_dump(),
            "sender": self.sender_context(lang),
            "campaign": {
                "name": campaign.name,
                "title": localize(campaign.campaign.title, lang, record.document, ("title",)),
                "subject": localize(campaign.campaign.subject, lang, record.document, ("subject",)),
                "date": campaign.campaign.date,
            },
            "recipient": recipient,
            "cc": [person_context(person, lang) for person in campaign.cc],
            "signatories": [person_context(person, lang) for person in campaign.signatories],
            "vars": localize_vars(campaign.campaign.vars, lang, record.document, ("vars",)),
        }

    def sender_context(self, lang: str) -> dict[str, Any]:
        sender = self.workspace.settings.sender
        document = self.workspace.settings_document
        return {
            "name": localize(sender.name, lang, document, ("sender", "name")),
            "short_name": sender.short_name,
            "address": [
                localize(line, lang, document, ("sender", "address", index))
                for index, line in enumerate(sender.address)
            ],
            "website": sender.website,
            "email": sender.email,
            "phone": sender.phone,
        }

    def _body_template(self, campaign: ResolvedCampaign, lang: str) -> jinja2.Template:
        name = campaign.campaign.template
        candidates = [template_name(name, tag) for tag in language_fallbacks(lang)]
        for candidate in candidates[:-1]:
            if (self.workspace.templates_dir / candidate).is_file():
                return self._template(candidate, missing=lambda: TemplateError("unreachable"))
        return self._template(
            candidates[-1],
            missing=lambda: ConfigError(
                f"template: {name!r} has no {language_name(lang)} version: "
                f"create templates/{candidates[-1]}",
                campaign.record.document.location(("template",)),
            ),
        )

    def _template(self, name: str, *, missing: Any) -> jinja2.Template:
        try:
            return self.environment.get_template(name)
        except jinja2.TemplateSyntaxError as err:
            raise TemplateError(
                f"template syntax: {err.message}",
                Location(self._shown(err.filename or name), err.lineno),
            ) from err
        except jinja2.TemplateNotFound as err:
            if err.name == name:
                raise missing() from err
            raise TemplateError(f"no template named {err.name!r}", Location(name)) from err

    def _run(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            return template.render(context)
        except jinja2.TemplateSyntaxError as err:  # in an included template
            raise TemplateError(
                f"template syntax: {err.message}",
                Location(self._shown(err.filename or template.name or "?"), err.lineno),
            ) from err
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
        except (ValueError, TypeError, ArithmeticError, LookupError) as err:
            raise TemplateError(str(err), self._failing_line(err, template)) from err

    def _failing_line(self, err: BaseException, template: jinja2.Template) -> Location:
        """The template line an error was raised from: Jinja rewrites tracebacks to point there."""
        for frame in reversed(traceback.extract_tb(err.__traceback__)):
            if frame.filename.endswith(".j2"):
                return Location(self._shown(frame.filename), frame.lineno)
        return self._location(template, None)

    def _location(self, template: jinja2.Template, line: int | None) -> Location:
        return Location(self._shown(template.filename or template.name or "?"), line)

    def _shown(self, filename: str) -> str:
        return relative_path(Path(filename), self.workspace.root)


def localize(
    value: Localized | None, lang: str, document: YamlDocument, path: YamlPath
) -> str | None:
    """The text of ``value`` in ``lang``; a value given for other languages only is an error."""
    if value is None:
        return None
    text = value.get(lang)
    if text is None:
        raise ConfigError(
            f"{format_field_path(path)}: no {language_name(lang)} value", document.location(path)
        )
    return text


def localize_vars(value: Any, lang: str, document: YamlDocument, path: YamlPath) -> Any:
    """Campaign variables in ``lang``: a mapping keyed by language tags is a localized value."""
    if isinstance(value, dict):
        if value and all(isinstance(key, str) and LANGUAGE_TAG.match(key) for key in value):
            return localize(Localized._validate(value), lang, document, path)
        return {
            key: localize_vars(item, lang, document, (*path, key)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [localize_vars(item, lang, document, (*path, i)) for i, item in enumerate(value)]
    return value


def person_context(record: PersonRecord, lang: str) -> dict[str, Any]:
    """What a template sees of a person, in ``lang``."""
    person = record.person

    def field(value: Localized | None, *path: str | int) -> str | None:
        return localize(value, lang, record.document, (*record.path, *path))

    address: list[str] = []
    if person.address is not None:
        for index, line in enumerate(person.address.lines):
            address.append(field(line, "address", "lines", index) or "")
        for part in ("locality", "country"):
            text = field(getattr(person.address, part), "address", part)
            if text:
                address.append(text)
    return {
        "id": person.id,
        "given": person.name.given,
        "family": person.name.family,
        "full_name": person.full_name,
        "gender": person.gender,
        "honorific": field(person.honorific, "honorific"),
        "title": field(person.title, "title"),
        "organization": field(person.organization, "organization"),
        "address": address,
        "email": person.email,
        "tags": list(person.tags),
    }


def _salutation(record: PersonRecord, lang: str, fields: dict[str, Any]) -> str:
    person = record.person
    override = next(
        (person.salutation[tag] for tag in language_fallbacks(lang) if tag in person.salutation),
        None,
    )
    return salutation(
        lang=lang,
        gender=person.gender,
        fields={key: value for key, value in fields.items() if isinstance(value, str)},
        override=override,
        location=record.location(),
        who=person.id,
    )
