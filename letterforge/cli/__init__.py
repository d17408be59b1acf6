"""The ``letterforge`` command: parse options, call one library function, print the result.

Each module of commands registers them on the group (``cli/group.py``). Library modules are
imported inside the commands so that ``letterforge --help`` starts fast.
"""

from __future__ import annotations

from letterforge.cli import delivery, letters, workspace
from letterforge.cli.group import cli

__all__ = ["cli", "delivery", "letters", "main", "workspace"]


def main() -> None:
    """Entry point of the ``letterforge`` script."""
    cli(prog_name="letterforge")
