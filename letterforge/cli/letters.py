"""The commands that make letters: build, check, preview and diff."""

from __future__ import annotations

import click

from letterforge.cli.group import Answer, AnswerCommand, Options, cli, linter, workspace_root


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

    root = workspace_root(options)
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
            rules=linter,
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

    inspection = inspect_workspace(workspace_root(options), campaigns=campaigns)
    text = report(inspection, output_format=output_format)
    if text:
        click.echo(text)
    if not quiet and output_format == "text":
        click.echo(summary(inspection), err=True)
    if inspection.errors or (strict and inspection.warnings):
        raise Answer(1)


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

    root = workspace_root(options)
    letter = preview_letter(root, campaign, to=to, lang=lang, rules=linter())
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
        workspace_root(options),
        old=revisions[0] if revisions else "HEAD",
        new=revisions[1] if len(revisions) == 2 else None,
        campaigns=campaigns,
        languages=languages,
        only=only,
        context=context,
        rules=linter(),
    )
    if not quiet:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        for line in result.lines(color=color, name_only=name_only, word_diff=word_diff):
            click.echo(line)
        click.echo(result.summary(), err=True)
    if result.differs:
        raise Answer(1)
