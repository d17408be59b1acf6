"""Stopping a build cleanly: Ctrl-C, SIGTERM (a CI runner cancelling) and SIGHUP (a closed
terminal) ask the build to stop, and it stops where it can do so without losing or
half-writing a file; a file system error that every letter would meet stops it the same way."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from letterforge.errors import LetterforgeError

# Signals a terminal or a CI runner sends to every process of the group; the build handles them.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(LetterforgeError):
    """The build was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP); what it wrote is complete
    and recorded. The exit code is the shells' for that signal: 130, 143, 129."""

    def __init__(self, message: str, signal_number: int) -> None:
        super().__init__(message, exit_code=128 + signal_number)


class Stop(Exception):
    """A signal asked the build to stop, or the file system failed it: raised where the
    build can stop cleanly."""


class StopRequest:
    """Whether a signal asked the build to stop, and whether it was asked twice."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.hurry = False  # a second signal: the workers' documents in hand are not awaited

    @contextmanager
    def listening(self) -> Iterator[None]:
        """Take Ctrl-C, SIGTERM and SIGHUP as requests to stop, while the block runs."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
        for number in STOP_SIGNALS:
            signal.signal(number, self._request)
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _request(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is None:
            self.signal = signum
        else:  # asked again: stop waiting for the documents in hand
            self.hurry = True

    def check(self) -> None:
        """Raise :class:`Stop` if a signal asked the build to stop."""
        if self.signal is not None:
            raise Stop

    def interrupted(self, written: int) -> Interrupted:
        """The error that ends a build a signal stopped, after ``written`` files."""
        assert self.signal is not None
        by = "" if self.signal == signal.SIGINT else f" by {signal.Signals(self.signal).name}"
        return Interrupted(
            f"interrupted{by}: {written} files written and recorded; run the build again to "
            "write the rest",
            self.signal,
        )
