"""The sandboxed Jinja environment letters are rendered in, and what templates see of it.

Every value printed is Markdown-escaped (:func:`escape_markdown`) unless it is
:class:`MarkdownText`; an undefined name is an error that says what was there instead; the
``date``, ``number``, ``join_and`` and ``join_or`` filters write in the letter's language.
"""

from __future__ import annotations

import datetime
import re
import string
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import jinja2

from letterforge.errors import TemplateError, did_you_mean
from letterforge.render.sandbox import ConfinedLoader, Facts, LetterSandbox
from letterforge.workspace.formatting import format_date, format_number, join_list
from letterforge.workspace.loader import Workspace

BUILTIN_LAYOUTS = Path(__file__).parent.parent / "layouts"

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
        if isinstance(owner, PersonData):
            name = str(self._undefined_name)
            hint = did_you_mean(name, owner)
            return f"{owner._person} has no {name!r} in their data ({owner._where}){hint}"
        if isinstance(owner, dict):
            return undefined_message(str(self._undefined_name), owner)
        return f"{type(owner).__name__} value has no {self._undefined_name!r}"


class PersonData(Facts):
    """A person's facts (``recipient.data``) that know whose they are, so that a template
    reading one the person lacks names them and where the roster gives their facts."""

    # Underscored: a template never reaches them (the sandbox refuses such names), and they
    # cannot hide a fact of the same name.
    __slots__ = ("_person", "_where")

    def __init__(self, facts: dict[str, Any], person: str, where: str) -> None:
        super().__init__(facts)
        self._person = person
        self._where = where


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
    if isinstance(value, dict | list | tuple):
        # Python's own spelling of it would reach the letter: {'en-CA': 'Ontario'}.
        what = "a mapping" if isinstance(value, dict) else "a list"
        raise TypeError(
            f"prints {what}, {_shown(value)}: print one of its "
            + (
                "keys, or give it per language"
                if isinstance(value, dict)
                else "items, or join it with | join_and"
            )
        )
    return _BREAKING_SPACE.sub(" ", str(value)).strip(" ").translate(_ESCAPE)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def unknown_name_message(kind: str, name: str, known: Iterable[str]) -> str:
    """``no filter named 'fecha' (did you mean 'date'?)``, for filters and tests."""
    return f"no {kind} named {name!r}{did_you_mean(name, known)}"


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


def create_environment(workspace: Workspace) -> jinja2.Environment:
    """The sandboxed environment shared by every letter of a workspace."""
    environment = LetterSandbox(
        loader=_loader(workspace),
        undefined=LetterUndefined,
        autoescape=False,
        finalize=escape_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    locales = workspace.locales
    # The filters are made in here: Python names a filter by where it is made when a template
    # calls it with the wrong arguments (create_environment.<locals>.date_filter() takes 2
    # positional arguments ...), and the template's author sees that message.

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


def _loader(workspace: Workspace) -> jinja2.BaseLoader:
    """Where templates come from: the workspace's templates/, and the built-in layouts under
    ``_layouts/``."""
    return jinja2.ChoiceLoader(
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
