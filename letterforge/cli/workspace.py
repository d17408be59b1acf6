"""The commands that look after a workspace: schema, import, list, init, new and doctor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from letterforge.cli.group import Answer, Options, cli, load_workspace, workspace_root


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

    result = import_roster(workspace_root(options), source, **choices)
    for line in result.diff:
        click.echo(line)
    for message in [*map(str, result.warnings), result.summary()]:
        click.echo(message, err=True)


@cli.command(name="list")
@click.pass_obj
def list_command(options: Options) -> None:
    """Show campaigns, people and templates."""
    from letterforge.commands.listing import describe_workspace

    click.echo(describe_workspace(load_workspace(options)), nl=False)


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

    root = workspace_root(options)
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

    root = workspace_root(options)
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
        root = workspace_root(options)
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
