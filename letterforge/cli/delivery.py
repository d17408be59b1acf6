"""The commands that deliver letters by email: outbox (drafts), send, and status."""

from __future__ import annotations

import click

from letterforge.cli.group import Options, cli, workspace_root


@cli.command()
@click.argument("campaigns", nargs=-1)
@click.option(
    "--only", multiple=True, metavar="ID", help="Only the draft to this person (repeatable)."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="List every draft written.")
@click.pass_obj
def outbox(
    options: Options, campaigns: tuple[str, ...], only: tuple[str, ...], quiet: bool, verbose: bool
) -> None:
    """Write one draft email per recipient, build/CAMPAIGN/outbox/ID.eml, with their letter
    attached (every campaign when none is named), to open in a mail client and send.

    Run letterforge build first: a letter that is not built, out of date, or changed since it
    was built stops the outbox, and no draft is written. A draft edited since it was written
    is kept. Recipients without an email get no draft, and are named.
    """
    from letterforge.deliver.outbox import write_outbox

    root = workspace_root(options)
    result = write_outbox(root, campaigns=campaigns, only=only)
    if quiet:
        return
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if verbose:
        for path in result.written:
            click.echo(path.relative_to(root).as_posix())
    click.echo(result.summary(root), err=True)
