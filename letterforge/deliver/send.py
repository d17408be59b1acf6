"""``letterforge send``: the letters of a campaign sent over SMTP, each once.

A run first decides, from the sent log, what goes: a letter already sent does not go again; a
letter whose last attempt has no outcome (the run before stopped mid-message) does not go
either, until ``--resend ID`` says it should; every other letter with an address goes, and
must be built, up to date and as built, or nothing is sent.

Then, message by message: the ``sending`` record is on disk before the message leaves, its
outcome after. A temporary refusal (4xx) is tried again after a pause; a permanent one (5xx) is
logged and the run goes on. ``per_minute`` spaces the messages. Ctrl-C and SIGTERM stop the run
between messages, with the log complete.
"""

from __future__ import annotations

import contextlib
import datetime
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from letterforge.build.manifest import WorkspaceInputs
from letterforge.build.record import refresh_review
from letterforge.build.stop import Interrupted, Stop, StopRequest
from letterforge.deliver.letters import Outgoing, Outgoings, outgoing_letters, ready_or_raise
from letterforge.deliver.message import compose
from letterforge.deliver.smtp import Delivery, SmtpConnection, smtp_password, tls_context
from letterforge.errors import ConfigError, DeliveryError, LetterforgeError, Location, Problems
from letterforge.workspace.paths import SETTINGS_FILE
from letterforge.workspace.sent_log import Event, LetterState, LogWriter, SentLog, SentRecord
from letterforge.workspace.settings import SmtpSettings

# Pauses before trying a temporarily refused message again, in seconds: a server that is busy
# or limiting its rate usually takes it within a minute; one that greylists takes longer, and
# the message is left failed for the next run.
RETRY_PAUSES = (1.0, 5.0, 20.0)


@dataclass
class Sending:
    """What a run of ``send`` would do: the letters it sends, and those it leaves."""

    found: Outgoings
    logs: dict[str, SentLog]
    to_send: list[Outgoing]
    already_sent: list[tuple[Outgoing, LetterState]]
    unresolved: list[tuple[Outgoing, LetterState]]
    resend: tuple[str, ...] = ()

    @property
    def smtp(self) -> SmtpSettings:
        assert self.found.delivery.smtp is not None
        return self.found.delivery.smtp

    def listing(self) -> Iterator[str]:
        """The letters to send, one line each: who, with what, and who is in copy."""
        for letter in self.to_send:
            files = ", ".join(attachment.name for attachment in letter.attachments)
            copies = f" (cc {', '.join(letter.cc)})" if letter.cc else ""
            yield f"{letter.name}: to {letter.to}{copies}: {letter.subject!r}; {files}"

    def blocked(self) -> list[DeliveryError]:
        """Why each unresolved letter is left: the explanation the next run repeats."""
        return [
            DeliveryError(
                f"{letter.name}: the run that sent it at {state.sending.at} stopped before the "
                "server answered, so it may have arrived; check with the recipient or the sent "
                f"folder of {self.found.delivery.sender_address}, then letterforge send "
                f"--resend {letter.id} to send it again",
                Location(self.logs[letter.campaign.name].shown),
            )
            for letter, state in self.unresolved
        ]


@dataclass
class SendResult:
    """What a run sent, and what it could not."""

    sent: list[tuple[Outgoing, Delivery]] = field(default_factory=list)
    failed: list[tuple[Outgoing, Delivery]] = field(default_factory=list)
    problems: list[DeliveryError] = field(default_factory=list)

    def summary(self) -> str:
        return f"send: {len(self.sent)} sent, {len(self.failed)} failed"


def prepare_sending(
    root: Path,
    *,
    campaigns: tuple[str, ...] = (),
    only: tuple[str, ...] = (),
    resend: tuple[str, ...] = (),
) -> Sending:
    """Decide what a run sends: every letter with an address that was not sent, and the
    letters of ``resend`` again.

    Raises:
        Problems: the workspace has errors, or a letter to send is not built, out of date, or
            changed since it was built.
        DeliveryError: no mail server in the settings; ``resend`` names nobody chosen.
    """
    found = outgoing_letters(root, campaigns=campaigns, only=only)
    if found.delivery.smtp is None:
        raise DeliveryError(
            "delivery: has no smtp: section; name the mail server to send through, "
            "smtp: {host: ..., username: ...}",
            Location(SETTINGS_FILE),
        )
    ids = {letter.id for letter in found.letters}
    for person_id in resend:
        if person_id not in ids:
            raise DeliveryError(f"--resend {person_id}: no chosen letter goes to {person_id!r}")
    logs = {name: SentLog.read(root, name) for name in found.campaigns}
    states = {name: log.states() for name, log in logs.items()}
    sending = Sending(found, logs, [], [], [], resend)
    for letter in found.letters:
        state = states[letter.campaign.name].get(letter.id)
        if letter.id in resend or state is None:
            sending.to_send.append(letter)
        elif state.unresolved:
            sending.unresolved.append((letter, state))
        elif state.sent is not None:
            sending.already_sent.append((letter, state))
        else:  # it failed: the next run tries again
            sending.to_send.append(letter)
    ready_or_raise(sending.to_send)
    return sending


def send_letters(
    sending: Sending, *, report: Callable[[str], None] = lambda line: None
) -> SendResult:
    """Send each letter of ``sending``, logging each before and after, and ``report`` a line
    for each.

    Raises:
        Interrupted: a signal stopped the run (between messages).
        DeliveryError: the server cannot be reached or trusted, or a message's fate is unknown.
    """
    result = SendResult()
    if not sending.to_send:
        return result
    settings, root = sending.smtp, sending.found.root
    password = smtp_password(settings, root)
    context = tls_context(settings, root)
    stop = StopRequest()
    with stop.listening(), ExitStack() as stack:
        writers = {name: stack.enter_context(log.appending()) for name, log in sending.logs.items()}
        _check_still_unsent(sending, writers)
        connection = stack.enter_context(
            SmtpConnection.open(settings, password=password, context=context)
        )
        pace = _Pace(settings.per_minute, stop)
        try:
            for letter in sending.to_send:
                pace.wait()
                delivery = _send_one(letter, sending, connection, writers, pace)
                outcome = result.sent if delivery.status == "sent" else result.failed
                outcome.append((letter, delivery))
                report(_reported(letter, delivery))
        except Stop:
            assert stop.signal is not None
            raise _interrupted(stop.signal, len(result.sent)) from None
        finally:
            _refresh_reviews(sending)
    return result


def _refresh_reviews(sending: Sending) -> None:
    """Show on each campaign's review page and mail-out list what this run sent."""
    inputs = WorkspaceInputs.read(sending.found.root)
    for campaign in sending.found.resolved:
        # The log is what counts: a page that cannot be written now, the next build writes.
        with contextlib.suppress(OSError, LetterforgeError):
            refresh_review(sending.found.root, campaign, inputs)


def _check_still_unsent(sending: Sending, writers: dict[str, LogWriter]) -> None:
    """Another run may have sent letters since this one read the logs: those stay unsent."""
    states = {name: writer.log.states() for name, writer in writers.items()}

    def taken(letter: Outgoing) -> bool:
        state = states[letter.campaign.name].get(letter.id)
        return state is not None and (state.sent is not None or state.unresolved)

    sending.to_send = [
        letter for letter in sending.to_send if letter.id in sending.resend or not taken(letter)
    ]


def _send_one(
    letter: Outgoing,
    sending: Sending,
    connection: SmtpConnection,
    writers: dict[str, LogWriter],
    pace: _Pace,
) -> Delivery:
    """Send ``letter``, trying a temporary refusal again, with its records around it."""
    delivery_settings = sending.found.delivery
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    message = compose(letter, delivery_settings, sent_at=now)
    ident = str(message["Message-ID"])
    log = writers[letter.campaign.name]
    log.append(
        SentRecord(
            "sending",
            letter.id,
            now.isoformat(),
            ident,
            to=letter.addresses,
            attachments={a.name: a.sha256 for a in letter.attachments},
        )
    )
    sender = parseaddr(delivery_settings.sender_address)[1]
    try:
        delivery = connection.send(message, sender=sender, recipients=letter.addresses)
        for pause in RETRY_PAUSES:
            if delivery.status != "deferred" or not pace.sleep(max(pause, pace.interval)):
                break
            delivery = connection.send(message, sender=sender, recipients=letter.addresses)
    except DeliveryError as err:  # the server went away, and could not be reached again
        _log_outcome(log, letter, ident, Delivery("deferred", None, err.message))
        raise
    if delivery.status == "unknown":
        raise DeliveryError(
            f"{letter.name}: {delivery.reply}; it may have arrived, so it is left unresolved: "
            f"check, then letterforge send --resend {letter.id} to send it again",
            Location(log.log.shown),
        )
    _log_outcome(log, letter, ident, delivery)
    return delivery


def _log_outcome(log: LogWriter, letter: Outgoing, ident: str, delivery: Delivery) -> None:
    event: Event = "sent" if delivery.status == "sent" else "failed"
    at = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    reply = f"{delivery.code} {delivery.reply}" if delivery.code else delivery.reply
    log.append(
        SentRecord(
            event,
            letter.id,
            at,
            ident,
            code=delivery.code,
            reply=reply.strip(),
            refused=delivery.refused,
        )
    )


class _Pace:
    """At most ``per_minute`` messages a minute, and pauses a signal cuts short."""

    def __init__(self, per_minute: float | None, stop: StopRequest) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.stop = stop
        self.last: float | None = None

    def wait(self) -> None:
        """Wait until the next message may start; raise Stop if a signal asks to stop."""
        self.stop.check()
        if self.last is not None and not self.sleep(self.last + self.interval - time.monotonic()):
            raise Stop
        self.last = time.monotonic()

    def sleep(self, seconds: float) -> bool:
        """Sleep ``seconds``; False when a signal asked to stop meanwhile."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.stop.signal is not None:
                return False
            time.sleep(min(left, 0.05))
        return self.stop.signal is None


def _reported(letter: Outgoing, delivery: Delivery) -> str:
    if delivery.status == "sent":
        refused = "".join(f"; refused {who}: {why}" for who, why in delivery.refused.items())
        return f"sent {letter.name} to {', '.join(letter.addresses)}{refused}"
    return f"failed {letter.name}: {delivery.code or ''} {delivery.reply}".replace("  ", " ")


def _interrupted(signum: int, sent: int) -> Interrupted:
    by = "" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}"
    return Interrupted(
        f"interrupted{by}: {sent} sent and logged; run letterforge send again to send the rest",
        signum,
    )


def outcome_problems(sending: Sending, result: SendResult | None) -> Problems | None:
    """The run's failures, and the letters it left unresolved, as one error; None if none."""
    failed = result.failed if result is not None else []
    problems: list[DeliveryError | ConfigError] = [
        DeliveryError(f"{letter.name}: not sent: {delivery.code or ''} {delivery.reply}".strip())
        for letter, delivery in failed
    ]
    # Sent, but not to everyone: the log has it as sent, so that the copies that went are
    # not sent twice; --resend sends it to everyone again.
    problems += [
        DeliveryError(
            f"{letter.name}: sent, but the server refused {address}: {reply}; fix the address, "
            f"then letterforge send --resend {letter.id}"
        )
        for letter, delivery in (result.sent if result is not None else [])
        for address, reply in delivery.refused.items()
    ]
    problems += sending.blocked()
    return Problems(problems) if problems else None
