"""The progress of a build on a terminal: files written, rate, and time left, on one line.

Shown only when standard error is a terminal: a build in CI, or with its output in a file,
prints its summary and nothing else.
"""

from __future__ import annotations

import time
from typing import IO, Any

import click

REDRAW_INTERVAL = 0.1  # seconds: often enough to look alive, rarely enough to cost nothing


class TerminalProgress:
    """A :class:`letterforge.build.run.BuildProgress` that draws one line on ``stream``."""

    def __init__(self, stream: IO[str], *, quiet: bool) -> None:
        self.stream = stream
        self.quiet = quiet
        self.shown = not quiet and stream.isatty()
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.width = 0

    def waiting(self) -> None:
        if not self.quiet:
            click.echo("waiting for another build of this workspace to finish…", err=True)

    def planned(self, files: int) -> None:
        self.total = files
        self.started = time.monotonic()

    def written(self, files: int) -> None:
        self.done += files
        now = time.monotonic()
        if self.shown and (now - self.drawn_at >= REDRAW_INTERVAL or self.done == self.total):
            self.drawn_at = now
            self._draw(self.line(now - self.started))

    def line(self, elapsed: float) -> str:
        """``412/2000 files · 23.4 files/s · 1:08 left``."""
        parts = [f"{self.done}/{self.total} files"]
        if elapsed > 0 and self.done:
            rate = self.done / elapsed
            left = round((self.total - self.done) / rate)
            parts.append(f"{rate:.1f} files/s")
            parts.append(f"{left // 60}:{left % 60:02d} left")
        return " · ".join(parts)

    def close(self) -> None:
        """Erase the line, so that the summary takes its place."""
        if self.width:
            self._draw("")

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self.width - len(text))
        try:
            self.stream.write(f"\r{text}{padding}\r" if not text else f"\r{text}{padding}")
            self.stream.flush()
        except OSError:  # the terminal is gone (closed, hung up): the build goes on unseen
            self.shown = False
            self.width = 0
            return
        self.width = len(text)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
