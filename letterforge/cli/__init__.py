"""The ``letterforge`` command: parse options, call one library function, print the result.

Library modules are imported inside the commands so that ``letterforge --help`` starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from letterforge import __version__
from letterforge.errors import LetterforgeError

if TYPE_CHECKING:
    from letterforge.compose import Rules


class InternalError(LetterforgeError):
    """A bug in letterforge, not in the user's files."""

    def format_message(self) -> str:
        return f"internal error: {self.message} (rerun with --debug to see the traceback)"


class Answer(LetterforgeError):
    """Not an error: a command's answer given as its exit code, after it printed what it
    found (check found problems, diff found differences, doctor found something missing).
    Raised like an error, so that every exit code leaves through one place."""

    def __init__(self, exit_code: int = 1) -> None:
        super().__init__("", exit_code=exit_code)


class AnswerCommand(click.Command):
    """A command whose exit code 1 is an answer (``diff``: the letters differ), so that its
    errors exit with 2."""

    error_exit_code = 2


class LetterforgeGroup(click.Group):
    """Prints letterforge's errors, one finding per line, and exits with their code; turns
    unexpected exceptions into a one-line message unless ``--debug`` is given."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1; shells expect 130 after Ctrl-C.
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except LetterforgeError as err:
            self._fail(ctx, err)
        except Exception as err:
            if ctx.params.get("debug"):
                raise
            self._fail(ctx, InternalError(f"{type(err).__name__}: {err}"))

    def _fail(self, ctx: click.Context, err: LetterforgeError) -> NoReturn:
        """Print ``err`` and exit with its code: the one place a command's code is set."""
        code = err.exit_code
        if isinstance(err, Answer):
            raise click.exceptions.Exit(code)
        click.echo(err.format_message(), err=True)
        command = self.get_command(ctx, ctx.invoked_subcommand or "")
        if code == 1:  # a failure, which some commands tell apart from their answers
            code = getattr(command, "error_exit_code", 1)
        raise click.exceptions.Exit(code)


@dataclass
class Options:
    """Options of the ``letterforge`` group, shared with every command."""

    workspace: Path | None


@click.group(cls=LetterforgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="letterforge")
@click.option(
    "-C",
    "--workspace",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Workspace folder (default: the nearest folder with letterforge.yaml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, debug: bool) -> None:
    """Turn plain-text advocacy campaigns into finished letters, in DOCX and PDF."""
    ctx.obj = Options(workspace=workspace)


def _root(options: Options) -> Path:
    from letterforge.workspace.paths import find_workspace, workspace_at

    if options.workspace is not None:
        return workspace_at(options.workspace)
    return find_workspace(Path.cwd())


def _linter() -> Rules:
    """The linter's rules, which build, preview and diff run as check does."""
    from letterforge.check.rules import Linter

    return Linter()


def _load(options: Options) -> Any:
    from letterforge.workspace.loader import load_workspace

    return load_workspace(_root(options))


@cli.command()
@click.argument("campaigns", nargs=-1)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["pdf", "docx"]),
    help="Only this format (repeatable; default: the workspace's formats).",
)
@click.option("-l", "--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option(
    "--only", multiple=True, metavar="ID", help="Only letters to this person (repeatable)."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="At most N worker processes (default: one per core, fewer for small builds).",
)
@click.option("--force", is_flag=True, help="Write every file, even those that are up to date.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
@click.pass_obj
def build(
    options: Options,
    campaigns: tuple[str, ...],
    formats: tuple[str, ...],
    languages: tuple[str, ...],
    only: tuple[str, ...],
    jobs: int | None,
    force: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check the workspace, then render letters into build/ (every campaign when none is named).

    Only files whose inputs changed since they were written are written again; files of
    letters that left a campaign are removed. Nothing is written when the check finds an
    error; warnings are printed and the build goes on. A letter that cannot be written is
    reported, the others are written, and the exit code is 1. Ctrl-C stops cleanly (exit 130).
    """
    import sys

    from letterforge.build.result import summary
    from letterforge.build.run import build as build_letters
    from letterforge.cli.progress import TerminalProgress
    from letterforge.errors import Problems

    root = _root(options)
    with TerminalProgress(sys.stderr, quiet=quiet) as progress:
        result = build_letters(
            root,
            campaigns=campaigns,
            formats=formats,  # type: ignore[arg-type]
            languages=languages,
            only=only,
            jobs=jobs,
            force=force,
            progress=progress,
            rules=_linter,
        )
    if not quiet:
        for warning in result.warnings:
            click.echo(str(warning), err=True)
    for campaign, outcome in result.campaigns.items():
        if verbose and not quiet:
            for path in outcome.written:
                click.echo(path.relative_to(root).as_posix())
        if not quiet:
            click.echo(summary(campaign, outcome))
    if result.failures:
        raise Problems(result.failures)


@cli.command()
@click.argument("campaigns", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="text: one line per problem; json: a document for CI.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@click.pass_obj
def check(
    options: Options, campaigns: tuple[str, ...], output_format: str, strict: bool, quiet: bool
) -> None:
    """Validate the workspace without writing anything (every campaign when none is named).

    Prints one line per problem, `path:line:col: error: message`, sorted by file. Exits 0 when
    clean, 1 when it found errors (or, with --strict, warnings), 2 for usage errors.
    """
    from letterforge.check.report import report, summary
    from letterforge.check.rules import inspect_workspace

    inspection = inspect_workspace(_root(options), campaigns=campaigns)
    text = report(inspection, output_format=output_format)
    if text:
        click.echo(text)
    if not quiet and output_format == "text":
        click.echo(summary(inspection), err=True)
    if inspection.errors or (strict and inspection.warnings):
        raise Answer(1)


@cli.command()
@click.argument(
    "kind", type=click.Choice(["settings", "roster", "campaign", "locale", "import-map"])
)
def schema(kind: str) -> None:
    """Print the JSON Schema of letterforge.yaml, rosters, campaigns, locale or map files.

    KIND is settings (letterforge.yaml), roster (recipients/*.yaml), campaign
    (campaigns/*.yaml), locale (locales/*.yaml) or import-map (the --map file of import).
    """
    import json

    from letterforge.workspace.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


@cli.command(name="import")
@click.argument("source", metavar="FILE", type=_FILE)
@click.option("--map", "map_path", required=True, type=_FILE, help="Which column is which field.")
@click.option("--into", required=True, metavar="recipients/NAME.yaml", help="The roster.")
@click.option("--sheet", metavar="NAME", help="The sheet of a workbook (default: the first).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print the change as a diff.")
@click.pass_obj
def import_command(options: Options, /, source: Path, **choices: Any) -> None:
    """Import the people of a spreadsheet, FILE (.csv or .xlsx), into a roster, through a map
    file (see: letterforge schema import-map).

    People are matched by id: a person the roster has is updated (fields and comments
    written by hand are kept), a new one is added, and one the sheet lacks is reported and
    kept. Every problem is reported at its cell, and a file with any problem writes nothing.
    """
    from letterforge.commands.importing import import_roster

    result = import_roster(_root(options), source, **choices)
    for line in result.diff:
        click.echo(line)
    for message in [*map(str, result.warnings), result.summary()]:
        click.echo(message, err=True)


@cli.command(name="list")
@click.pass_obj
def list_command(options: Options) -> None:
    """Show campaigns, people and templates."""
    from letterforge.commands.listing import describe_workspace

    click.echo(describe_workspace(_load(options)), nl=False)


@cli.command()
@click.argument("campaign")
@click.option("--to", "to", metavar="ID", help="The recipient (default: the campaign's first).")
@click.option("-l", "--lang", help="The language (default: the first the recipient gets).")
@click.option("--html", is_flag=True, help="Write a self-contained HTML page instead.")
@click.option("--open", "open_page", is_flag=True, help="Write the HTML page and open it.")
@click.pass_obj
def preview(
    options: Options, campaign: str, to: str | None, lang: str | None, html: bool, open_page: bool
) -> None:
    """Print one letter of CAMPAIGN as text, as a build would render it, writing nothing.

    With --html, write it as one HTML page in build/CAMPAIGN/preview/ and print where;
    --open also opens that page.
    """
    from letterforge.commands.preview import preview_letter, write_preview_html

    root = _root(options)
    letter = preview_letter(root, campaign, to=to, lang=lang, rules=_linter())
    if not (html or open_page):
        click.echo(letter.document.plain_text)
        return
    path = write_preview_html(root, letter)
    click.echo(path.relative_to(root).as_posix())
    if open_page:
        click.launch(str(path))


@cli.command(cls=AnswerCommand)
@click.argument("revisions", nargs=-1, metavar="[REV] [REV2]")
@click.option(
    "-c", "--campaign", "campaigns", multiple=True, help="Only this campaign (repeatable)."
)
@click.option("-l", "--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option(
    "--only", multiple=True, metavar="ID", help="Only letters to this person (repeatable)."
)
@click.option(
    "-U",
    "--unified",
    "context",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Lines of context around each change.",
)
@click.option(
    "--word-diff",
    is_flag=True,
    help="Mark the changed words inside each paragraph: [-old-]{+new+}.",
)
@click.option("--name-only", is_flag=True, help="Print only which letters differ.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit code tells.")
@click.pass_obj
def diff(
    options: Options,
    revisions: tuple[str, ...],
    campaigns: tuple[str, ...],
    languages: tuple[str, ...],
    only: tuple[str, ...],
    context: int,
    word_diff: bool,
    name_only: bool,
    quiet: bool,
) -> None:
    """Show how the letters' text changes between two git revisions.

    With no REV, compares HEAD with the working tree; with REV, that revision with the working
    tree; with REV and REV2, those two revisions. Prints a unified diff per recipient and
    language. Exits 0 when no letter differs, 1 when some do, 2 when they cannot be compared.
    """
    import os
    import sys

    from letterforge.commands.diff import diff_letters

    if len(revisions) > 2:
        raise click.UsageError("give at most two revisions: REV [REV2]")
    result = diff_letters(
        _root(options),
        old=revisions[0] if revisions else "HEAD",
        new=revisions[1] if len(revisions) == 2 else None,
        campaigns=campaigns,
        languages=languages,
        only=only,
        context=context,
        rules=_linter(),
    )
    if not quiet:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        for line in result.lines(color=color, name_only=name_only, word_diff=word_diff):
            click.echo(line)
        click.echo(result.summary(), err=True)
    if result.differs:
        raise Answer(1)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Create a new workspace in FOLDER that `letterforge build` renders as it is.

    FOLDER may exist, but none of the files init writes may: init never replaces a file.
    """
    from letterforge.commands.init import create_workspace

    for path in create_workspace(folder):
        click.echo(path.as_posix())
    click.echo(f"next: cd {folder} && letterforge build", err=True)


@cli.group()
def new() -> None:
    """Start the next campaign or template from the workspace's own defaults."""


@new.command(name="campaign")
@click.argument("name")
@click.option(
    "--like",
    metavar="CAMPAIGN",
    help="Copy this campaign's people and languages (default: the latest campaign by date).",
)
@click.option(
    "--template",
    metavar="NAME",
    help="Use this existing template (default: a new one named after the campaign).",
)
@click.option("--title", help="The campaign's title (default: made from NAME).")
@click.pass_obj
def new_campaign(
    options: Options, name: str, like: str | None, template: str | None, title: str | None
) -> None:
    """Write campaigns/NAME.yaml, dated today, with the recipients, CC list, signatories and
    languages of the latest campaign, and a template for it. Never replaces a file."""
    from letterforge.commands.new import new_campaign as scaffold_campaign

    root = _root(options)
    written = scaffold_campaign(root, name, like=like, template=template, title=title)
    for path in written:
        click.echo(path.relative_to(root).as_posix())
    if len(written) > 1:
        click.echo(
            f"next: write the letter in templates/{name}/, then letterforge preview {name}",
            err=True,
        )
    else:
        click.echo(f"next: letterforge preview {name}", err=True)


@new.command(name="template")
@click.argument("name")
@click.option(
    "-l",
    "--lang",
    "languages",
    multiple=True,
    help="A language to write it in (repeatable; default: the workspace's languages).",
)
@click.pass_obj
def new_template(options: Options, name: str, languages: tuple[str, ...]) -> None:
    """Write templates/NAME/letter.LANG.md.j2 in each language, each with a placeholder
    paragraph that check warns about until it is replaced. Never replaces a file."""
    from letterforge.commands.new import new_template as scaffold_template

    root = _root(options)
    for path in scaffold_template(root, name, languages=list(languages)):
        click.echo(path.relative_to(root).as_posix())


@cli.command()
@click.pass_obj
def doctor(options: Options) -> None:
    """Report the rendering libraries, the font subsetter, the theme's fonts and the font
    packages the rosters' names need.

    Exits 1 when something a build needs is missing: the theme's first font, HarfBuzz's
    font subsetter, or a font for some character of a roster. Outside a workspace, checks the
    built-in theme.
    """
    from letterforge.commands.doctor import examine
    from letterforge.errors import ConfigError
    from letterforge.theme import default_theme, workspace_theme
    from letterforge.workspace.loader import load_settings

    root = None
    try:
        root = _root(options)
    except ConfigError:
        if options.workspace is not None:
            raise
        theme, source = default_theme("letter"), "built-in"
    else:
        settings, _ = load_settings(root)
        theme, source = workspace_theme(settings.theme, settings.page_size), "letterforge.yaml"
    report = examine(theme, source, root)
    for line in report.lines:
        click.echo(line)
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if report.problems:
        raise Answer(1)


def main() -> None:
    """Entry point of the ``letterforge`` script."""
    cli(prog_name="letterforge")
