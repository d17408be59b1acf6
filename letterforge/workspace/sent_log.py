"""The sent log: ``sent/<campaign>.jsonl``, one JSON record per line, what ``letterforge send``
did with each letter. It lives in the workspace and is meant to be committed, so that the team
and the next run know what went out.

Before a message goes out, a ``sending`` record is written and flushed to disk; after it, the
outcome: ``sent`` with the server's reply, or ``failed`` with its code. A ``sending`` record with
no outcome after it means the run stopped mid-message (a crash, a killed process, a lost
connection): nobody knows whether the message arrived, so the next run does not send it again
until someone says so (``--resend ID``).

Records are only ever appended. A line that cannot be read is an error at its line: the log
is what stands between a letter and its being sent twice, so it is never guessed at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from letterforge.errors import ConfigError, DeliveryError, Location
from letterforge.workspace.paths import SENT_DIR

Event = Literal["sending", "sent", "failed"]
EVENTS = ("sending", "sent", "failed")


@dataclass(frozen=True)
class SentRecord:
    """One line of the log: a message about to go (``sending``) or what became of it."""

    event: Event
    recipient: str
    at: str  # UTC, ISO 8601 to the second
    message_id: str
    # sending: who it goes to and what it carries (attachment name → SHA-256)
    to: list[str] = field(default_factory=list)
    attachments: dict[str, str] = field(default_factory=dict)
    # sent and failed: the server's reply; refused: copies the server turned away
    code: int | None = None
    reply: str = ""
    refused: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        values = {
            key: value for key, value in asdict(self).items() if value not in ({}, [], None, "")
        }
        return json.dumps(values, ensure_ascii=False, sort_keys=False) + "\n"


@dataclass(frozen=True)
class LetterState:
    """Where one recipient's letter stands: its last ``sending`` record and that attempt's
    outcome, ``None`` while it has none (``sent`` before wins over a later failure: the
    letter went)."""

    sending: SentRecord
    outcome: SentRecord | None
    sent: SentRecord | None  # the latest ``sent`` record of any attempt

    @property
    def unresolved(self) -> bool:
        """The last attempt stopped mid-message: it may or may not have arrived."""
        return self.outcome is None

    def describe(self) -> str:
        """The state in a few words: ``sent 2026-11-30 14:02 UTC``, ``failed 550 ...``."""
        if self.sent is not None and (self.outcome is None or self.outcome.event == "failed"):
            later = "; resending: no outcome" if self.outcome is None else ""
            return f"sent {_when(self.sent.at)}{later}"
        if self.outcome is None:
            return f"unresolved: stopped while sending, {_when(self.sending.at)}"
        if self.outcome.event == "sent":
            refused = "".join(
                f"; refused {who}: {why}" for who, why in self.outcome.refused.items()
            )
            return f"sent {_when(self.outcome.at)}{refused}"
        return f"failed {_when(self.outcome.at)}: {self.outcome.reply}".rstrip(": ")


NOT_SENT = "not sent"


def _when(at: str) -> str:
    """``2026-11-30T14:02:09+00:00`` → ``2026-11-30 14:02 UTC``."""
    return f"{at[:10]} {at[11:16]} UTC" if len(at) >= 16 else at


def read_states(root: Path, campaign: str) -> dict[str, LetterState] | None:
    """Each recipient's delivery state, for a review page; None when the log cannot be read
    (``send`` and ``status`` report that at its line)."""
    try:
        return SentLog.read(root, campaign).states()
    except ConfigError:
        return None


def log_path(root: Path, campaign: str) -> Path:
    return root / SENT_DIR / f"{campaign}.jsonl"


class SentLog:
    """A campaign's sent log, read whole; :meth:`appending` adds records as they happen."""

    def __init__(self, root: Path, campaign: str, records: list[SentRecord]) -> None:
        self.root = root
        self.campaign = campaign
        self.records = records

    @property
    def path(self) -> Path:
        return log_path(self.root, self.campaign)

    @property
    def shown(self) -> str:
        return f"{SENT_DIR}/{self.campaign}.jsonl"

    @classmethod
    def read(cls, root: Path, campaign: str) -> SentLog:
        """The log of ``campaign``; an empty one when nothing was sent yet.

        Raises:
            ConfigError: a line is not a record of the log, at its line.
        """
        path = log_path(root, campaign)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(root, campaign, [])
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(
                f"cannot read the sent log: {err}", Location(f"{SENT_DIR}/{campaign}.jsonl")
            ) from err
        shown = f"{SENT_DIR}/{campaign}.jsonl"
        records = []
        open_attempts: set[str] = set()
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            record = _parse(line, Location(shown, number))
            if record.event == "sending":
                open_attempts.add(record.recipient)
            elif record.recipient in open_attempts:
                open_attempts.remove(record.recipient)
            else:  # a merge that dropped or reordered lines: the log cannot be trusted
                raise ConfigError(
                    f"a {record.event} record of {record.recipient} with no sending record "
                    "before it: restore the log's lines in order (git log -p sent/)",
                    Location(shown, number),
                )
            records.append(record)
        return cls(root, campaign, records)

    def states(self) -> dict[str, LetterState]:
        """Each recipient's state, by id, from the records in order."""
        states: dict[str, LetterState] = {}
        for record in self.records:
            before = states.get(record.recipient)
            if record.event == "sending":
                states[record.recipient] = LetterState(
                    record, None, before.sent if before else None
                )
            elif before is not None and before.outcome is None:
                sent = record if record.event == "sent" else before.sent
                states[record.recipient] = LetterState(before.sending, record, sent)
        return states

    @contextmanager
    def appending(self) -> Iterator[LogWriter]:
        """Hold the log for one run: a second ``send`` of the campaign at the same time is
        refused, since both could send the same letter."""
        import fcntl

        self.path.parent.mkdir(exist_ok=True)
        try:
            handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (held for the run)
        except OSError as err:
            raise DeliveryError(f"cannot write the sent log: {err}", Location(self.shown)) from err
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DeliveryError(
                    "another letterforge send is sending this campaign; wait for it to end",
                    Location(self.shown),
                ) from None
            # What another run appended before the lock was ours counts too.
            self.records = SentLog.read(self.root, self.campaign).records
            yield LogWriter(self, handle)


class LogWriter:
    """Appends records to a held log, each on disk before :meth:`append` returns."""

    def __init__(self, log: SentLog, handle: Any) -> None:
        self.log = log
        self.handle = handle

    def append(self, record: SentRecord) -> None:
        """Write ``record`` and wait until it is on disk: a ``sending`` record must exist
        before its message leaves, whatever happens to this process next."""
        try:
            self.handle.write(record.line())
            self.handle.flush()
            os.fsync(self.handle.fileno())
        except OSError as err:
            raise DeliveryError(
                f"cannot write the sent log: {err}", Location(self.log.shown)
            ) from err
        self.log.records.append(record)


def _parse(line: str, location: Location) -> SentRecord:
    try:
        values = json.loads(line)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"not a record of the sent log ({err.msg}); a merge may have joined two lines",
            location,
        ) from None
    if not isinstance(values, dict) or values.get("event") not in EVENTS:
        raise ConfigError(f"not a record of the sent log: event is one of {EVENTS}", location)
    try:
        record = SentRecord(**values)
    except TypeError as err:
        raise ConfigError(f"not a record of the sent log: {err}", location) from None
    for name in ("recipient", "at", "message_id", "reply"):
        if not isinstance(getattr(record, name), str):
            raise ConfigError(f"not a record of the sent log: {name} is not text", location)
    texts = (
        isinstance(record.to, list)
        and all(isinstance(address, str) for address in record.to)
        and all(
            isinstance(table, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in table.items())
            for table in (record.attachments, record.refused)
        )
    )
    if not texts or not (record.code is None or type(record.code) is int):
        raise ConfigError(
            "not a record of the sent log: to, attachments, refused or code has the wrong type",
            location,
        )
    if not record.recipient:
        raise ConfigError("not a record of the sent log: it names no recipient", location)
    return record
