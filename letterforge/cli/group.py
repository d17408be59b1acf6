"""The ``letterforge`` group: its options, how errors and exit codes leave, and what every
command shares (finding the workspace, the linter)."""

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


def workspace_root(options: Options) -> Path:
    from letterforge.workspace.paths import find_workspace, workspace_at

    if options.workspace is not None:
        return workspace_at(options.workspace)
    return find_workspace(Path.cwd())


def linter() -> Rules:
    """The linter's rules, which build, preview and diff run as check does."""
    from letterforge.check.rules import Linter

    return Linter()


def load_workspace(options: Options) -> Any:
    """The workspace, loaded (for commands that only list it)."""
    from letterforge.workspace.loader import load_workspace as load

    return load(workspace_root(options))
