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


@cli.command()
@click.argument("campaigns", nargs=-1)
@click.option("--dry-run", is_flag=True, help="List what would be sent, and send nothing.")
@click.option("--yes", is_flag=True, help="Send without asking (needed off a terminal, in CI).")
@click.option(
    "--only", multiple=True, metavar="ID", help="Only the letter to this person (repeatable)."
)
@click.option(
    "--resend",
    multiple=True,
    metavar="ID",
    help="Send the letter to this person even though the sent log has it (repeatable).",
)
@click.pass_obj
def send(
    options: Options,
    campaigns: tuple[str, ...],
    dry_run: bool,
    yes: bool,
    only: tuple[str, ...],
    resend: tuple[str, ...],
) -> None:
    """Send the letters of CAMPAIGN (every campaign when none is named) by email, through the
    mail server of letterforge.yaml's delivery: section, each with its files attached.

    Each letter is sent once: sent/CAMPAIGN.jsonl logs every message before and after it goes,
    and a letter it has is not sent again. A letter that is not built, out of date, or changed
    since it was built stops the run before anything is sent. The password comes from
    LETTERFORGE_SMTP_PASSWORD or the settings' password_command. Exits 1 when a message
    failed; Ctrl-C stops between messages (exit 130).
    """
    import sys

    from letterforge.deliver.send import outcome_problems, prepare_sending, send_letters
    from letterforge.errors import DeliveryError

    sending = prepare_sending(
        workspace_root(options), campaigns=campaigns, only=only, resend=resend
    )
    for letter, state in sending.already_sent:
        click.echo(f"already {state.describe()}: {letter.name}", err=True)
    for letter in sending.found.without_email:
        click.echo(str(letter.campaign.without_email(letter.recipient)), err=True)
    listing = list(sending.listing())
    for line in listing:
        click.echo(f"{'would send' if dry_run else 'to send'}: {line}")
    if not listing:
        click.echo("send: nothing to send", err=True)
    elif dry_run:
        click.echo(f"send: {len(listing)} to send; nothing sent (--dry-run)", err=True)
    elif not yes:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise DeliveryError(
                f"not sending {len(listing)} messages without confirmation: this is not a "
                "terminal, so add --yes to send them"
            )
        if not click.confirm(f"Send these {len(listing)} messages?"):
            raise DeliveryError("nothing sent")
    if listing and not dry_run:
        result = send_letters(sending, report=click.echo)
        click.echo(result.summary(), err=True)
        problems = outcome_problems(sending, result)
    else:
        problems = outcome_problems(sending, None)
    if problems is not None:
        raise problems


@cli.command()
@click.argument("campaigns", nargs=-1)
@click.pass_obj
def status(options: Options, campaigns: tuple[str, ...]) -> None:
    """Show what was sent of each letter of CAMPAIGN (every campaign when none is named):
    sent and when, failed and why, unresolved, or not sent."""
    from letterforge.deliver.status import letter_statuses, summary

    statuses = letter_statuses(workspace_root(options), campaigns=campaigns)
    width = max((len(f"{s.campaign}/{s.recipient}") for s in statuses), default=0)
    for each in statuses:
        click.echo(each.line(width))
    click.echo(summary(statuses), err=True)
