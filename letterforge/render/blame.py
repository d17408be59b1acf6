"""Which template line to blame for an error, and what to say about it.

Jinja reports errors in Python's terms and keeps no map from the lines of a letter to the
template lines that wrote them. :class:`Blame` finds the line (in the traceback, which Jinja
rewrites to point into the template, or by looking for the text in the template's source) and
words the error for a template's author, with the file named as the workspace shows it.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError

from letterforge.document import Block, Image
from letterforge.errors import Location, TemplateError, relative_path
from letterforge.render.environment import UntranslatedError, unknown_name_message
from letterforge.render.markdown import MarkdownProblem, parse_letter
from letterforge.render.sandbox import RenderTimeout
from letterforge.workspace.loader import Workspace
from letterforge.workspace.paths import read_input
from letterforge.workspace.yamlio import FORBIDDEN_CHARACTERS, forbidden_character_message

# A Jinja expression or statement in a template line.
_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_UNKNOWN_NAME = re.compile(r"No (filter|test) named '([^']+)'")

# What compiling a template raises when the template is at fault (a missing template and
# letterforge's own errors aside): Blame.compile_error words each.
COMPILE_ERRORS: tuple[type[Exception], ...] = (
    jinja2.TemplateSyntaxError,
    UnicodeDecodeError,
    SyntaxError,
    ValueError,
    ArithmeticError,
    MemoryError,
    RecursionError,
)
# What rendering a template raises when the template is at fault (letterforge's own errors
# aside): Blame.render_error words each.
RENDER_ERRORS: tuple[type[Exception], ...] = (
    RenderTimeout,
    jinja2.TemplateSyntaxError,
    jinja2.UndefinedError,
    SecurityError,
    jinja2.TemplateNotFound,
    jinja2.TemplateRuntimeError,
    RecursionError,
    SyntaxError,
    UnicodeDecodeError,
    MemoryError,
    ValueError,
    TypeError,
    ArithmeticError,
    LookupError,
    AttributeError,
    AssertionError,
    RuntimeError,
    OSError,
)


class Blame:
    """Finds the template line at fault for the errors of one workspace's templates."""

    def __init__(self, workspace: Workspace, environment: jinja2.Environment) -> None:
        self.workspace = workspace
        self.environment = environment

    def compile_error(self, err: Exception, names: list[str]) -> TemplateError:
        """The error to report for one of :data:`COMPILE_ERRORS`, raised compiling the first
        of ``names`` that exists."""
        if isinstance(err, jinja2.TemplateSyntaxError):
            return self.syntax_error(err, names[0])
        if isinstance(err, UnicodeDecodeError):
            return TemplateError(f"not UTF-8 text ({err.reason})", Location(self.shown_name(names)))
        # Python's own limits on nesting, hit by compiled templates.
        if isinstance(err, SyntaxError):
            return TemplateError(
                f"too deeply nested to compile ({err.msg})", Location(self.shown_name(names))
            )
        # Jinja folds constant expressions such as 10 ** 100000 while compiling.
        return TemplateError(f"cannot compile: {err}", Location(self.shown_name(names)))

    def render_error(self, err: Exception, template: jinja2.Template) -> TemplateError:
        """The error to report for one of :data:`RENDER_ERRORS`, raised rendering
        ``template``."""
        if isinstance(err, RenderTimeout):
            message = f"{err}: is there a loop that never ends?"
        elif isinstance(err, jinja2.TemplateSyntaxError):  # in an included template
            return self.syntax_error(err, template.name or "?")
        elif isinstance(err, UntranslatedError):
            message = str(err.message)
        elif isinstance(err, jinja2.UndefinedError):
            message = f"undefined variable: {err.message}"
        elif isinstance(err, SecurityError):
            message = f"not allowed in a template: {err}"
        elif isinstance(err, jinja2.TemplateNotFound):
            message = f"no template named {err.name!r}"
        elif isinstance(err, jinja2.TemplateRuntimeError):  # an unknown filter in a branch
            message = _jinja_message(str(err), self.environment) or str(err)
        elif isinstance(err, RecursionError):
            return TemplateError(
                "templates include or call each other without end, or nest too deeply",
                self.location(template, None),
            )
        elif isinstance(err, SyntaxError):  # an included template nested beyond Python's limits
            message = f"too deeply nested to compile ({err.msg})"
        elif isinstance(err, UnicodeDecodeError):
            message = f"an included template is not UTF-8 text ({err.reason})"
        elif isinstance(err, MemoryError):
            message = "the template needs more memory than any letter"
        else:
            # A filter or method given the wrong kind of value: Python's words, the template's line.
            message = str(err) or type(err).__name__
        return TemplateError(message, self.failing_line(err, template))

    def syntax_error(self, err: jinja2.TemplateSyntaxError, name: str) -> TemplateError:
        message = _jinja_message(err.message or "", self.environment)
        return TemplateError(
            message or f"template syntax: {err.message}",
            Location(self.shown(err.filename or name), err.lineno),
        )

    def markdown_error(
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
            return TemplateError(str(in_body), self.location(body_template, line))
        # The layout's line: the first whose literal text, around its {{ }} expressions,
        # is all in the line it produced.
        produced = text.split("\n")[problem.line - 1] if problem.line else ""

        def made_it(source: str) -> bool:
            pieces = [piece for piece in _EXPRESSION.split(source.strip()) if piece]
            return bool(pieces) and _in_order(pieces, produced)

        line = self._source_line(layout, made_it) if produced.strip() else None
        return TemplateError(f"in the layout: {problem}", self.location(layout, line))

    def check_characters(
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
                forbidden_character_message(character), self.location(template, line)
            )

    def _source_line(self, template: jinja2.Template, matches: Callable[[str], bool]) -> int | None:
        """The first line of the template's source that ``matches``."""
        if not template.filename:
            return None
        source = read_input(Path(template.filename)).decode("utf-8", "replace").split("\n")
        return next((n for n, line in enumerate(source, 1) if matches(line)), None)

    def failing_line(self, err: BaseException, template: jinja2.Template) -> Location:
        """The template line an error was raised from: Jinja rewrites tracebacks to point there."""
        for frame in reversed(traceback.extract_tb(err.__traceback__)):
            if frame.filename.endswith(".j2"):
                return Location(self.shown(frame.filename), frame.lineno)
        return self.location(template, None)

    def location(self, template: jinja2.Template, line: int | None) -> Location:
        return Location(self.shown(template.filename or template.name or "?"), line)

    def shown(self, filename: str) -> str:
        return relative_path(Path(filename), self.workspace.root)

    def shown_name(self, names: list[str]) -> str:
        """The first of ``names`` that exists in templates/, as shown in messages."""
        for name in names:
            if (self.workspace.templates_dir / name).exists():
                return f"templates/{name}"
        return f"templates/{names[0]}"


def _in_order(pieces: list[str], text: str) -> bool:
    """Whether every piece occurs in ``text``, each after the one before."""
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


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
