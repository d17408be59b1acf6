"""The mail server ``letterforge send`` talks to: the password, a TLS context that verifies the
server, and a connection that sends one message at a time and says what became of it.

There is no plain-text mode and no fallback to one: a server that does not offer STARTTLS, or
whose certificate cannot be verified, is an error. Each send is one SMTP transaction run step by
step (MAIL, RCPT per recipient, DATA) rather than through ``sendmail``, so that the caller learns
the server's final reply, which recipients it refused, and whether a broken connection happened
before the message began going out (safe to retry) or after (it may have been delivered).
"""

from __future__ import annotations

import contextlib
import email.policy
import os
import re
import shlex
import smtplib
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from letterforge.errors import DeliveryError, Location
from letterforge.workspace.paths import SETTINGS_FILE
from letterforge.workspace.settings import SmtpSettings

PASSWORD_VARIABLE = "LETTERFORGE_SMTP_PASSWORD"
PASSWORD_COMMAND_TIMEOUT = 60  # seconds; long enough to type a passphrase at gpg's prompt
_SETTINGS = Location(SETTINGS_FILE)


def smtp_password(settings: SmtpSettings, root: Path) -> str | None:
    """The password to log in with: ``LETTERFORGE_SMTP_PASSWORD``, else what
    ``password_command`` prints; None when the settings name no username (no login)."""
    if settings.username is None:
        return None
    if password := os.environ.get(PASSWORD_VARIABLE):
        return password
    if settings.password_command is None:
        raise DeliveryError(
            f"delivery.smtp.username is set but there is no password: set {PASSWORD_VARIABLE}"
            " or delivery.smtp.password_command",
            _SETTINGS,
        )
    return _run_password_command(settings.password_command, root)


def _run_password_command(command: str, root: Path) -> str:
    """Run the command without a shell, in the workspace; its standard input stays the
    terminal, so that gpg or pass can ask for a passphrase."""

    def failure(what: str) -> DeliveryError:
        return DeliveryError(f"delivery.smtp.password_command: {what}", _SETTINGS)

    try:
        arguments = shlex.split(command)
        done = subprocess.run(
            arguments, cwd=root, capture_output=True, timeout=PASSWORD_COMMAND_TIMEOUT
        )
    except ValueError as err:  # shlex: an unclosed quote
        raise failure(f"cannot read {command!r}: {err}") from err
    except FileNotFoundError as err:
        raise failure(f"{arguments[0]!r} not found") from err
    except subprocess.TimeoutExpired as err:
        raise failure(f"{command!r} printed no password in {PASSWORD_COMMAND_TIMEOUT} s") from err
    except OSError as err:
        raise failure(f"cannot run {command!r}: {err.strerror or err}") from err
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = f": {lines[-1].strip()}" if lines else ""
        raise failure(f"{command!r} exited with code {done.returncode}{said}")
    # Only the line ending goes: spaces may be part of a password.
    password = done.stdout.decode("utf-8", "replace").rstrip("\r\n")
    if not password:
        raise failure(f"{command!r} printed nothing")
    return password


def tls_context(settings: SmtpSettings, root: Path) -> ssl.SSLContext:
    """A context that verifies the server's certificate and name against the system's
    authorities and, for a private server, the workspace's ``cafile`` as well."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.cafile is not None:
        try:
            context.load_verify_locations(cafile=root / settings.cafile)
        except ssl.SSLError as err:  # before OSError, of which it is one
            raise DeliveryError(
                f"delivery.smtp.cafile: {settings.cafile} holds no PEM certificate"
                f" ({err.reason or err})",
                _SETTINGS,
            ) from err
        except OSError as err:
            raise DeliveryError(
                f"delivery.smtp.cafile: cannot read {settings.cafile}: {err.strerror or err}",
                _SETTINGS,
            ) from err
    return context


Status = Literal["sent", "rejected", "deferred", "unknown"]


@dataclass(frozen=True)
class Delivery:
    """What became of one message: ``sent`` (``refused`` names recipients the server turned
    down while taking the others), ``rejected`` (permanent: do not retry), ``deferred``
    (temporary: retry later), ``unknown`` (the connection broke while the message was going
    out: it may have been delivered, so never resend it automatically)."""

    status: Status
    code: int | None
    reply: str
    refused: dict[str, str] = field(default_factory=dict)


class SmtpConnection:
    """A logged-in connection to the mail server, reused for message after message, and
    opened again on the next send when the server closed it."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        password: str | None,
        context: ssl.SSLContext,
        timeout: float,
    ) -> None:
        self.settings = settings
        self.where = f"{settings.host}:{settings.port_number}"
        self._password = password
        self._context = context
        self._timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def open(
        cls,
        settings: SmtpSettings,
        *,
        password: str | None,
        context: ssl.SSLContext,
        timeout: float = 60,
    ) -> SmtpConnection:
        """Connect, secure the connection, and log in; a DeliveryError says why not."""
        connection = cls(settings, password=password, context=context, timeout=timeout)
        connection.reconnect()
        return connection

    def reconnect(self) -> None:
        """Drop the current connection, if any, and open a new one."""
        self._drop()
        try:
            self._smtp = self._connect()
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(f"{self.where}: {self._why(err)}") from err

    def _why(self, err: smtplib.SMTPException | OSError) -> str:
        """A failure to connect, secure or log in, in a line (SMTP's and TLS's errors are
        OSErrors too, so the most precise come first)."""
        match err:
            case smtplib.SMTPAuthenticationError():
                said = f"{err.smtp_code} {_text(err.smtp_error)}"
                return f"the server refused the login of {self.settings.username!r}: {said}"
            case smtplib.SMTPNotSupportedError():
                return f"the server does not offer login (AUTH): {err}"
            case smtplib.SMTPServerDisconnected():
                return f"the server closed the connection: {err}"
            case smtplib.SMTPResponseException():
                return f"the server answered {err.smtp_code} {_text(err.smtp_error)}"
            case ssl.SSLCertVerificationError():
                hint = " (a private server's authority goes in delivery.smtp.cafile)"
                unknown_authority = err.verify_code == 20
                return (
                    "the server's certificate could not be verified: "
                    f"{err.verify_message}{hint if unknown_authority else ''}"
                )
            case ssl.SSLError(reason="WRONG_VERSION_NUMBER"):  # the server spoke plain text
                hint = "does this port take TLS from the start? else use security: starttls"
                return f"TLS failed: {err.reason} ({hint})"
            case ssl.SSLError():
                return f"TLS failed: {err.reason or err}"
            case socket.gaierror():
                return f"cannot find the server: {err.strerror}"
            case TimeoutError():
                return f"no answer within {self._timeout:g} s"
        return f"cannot connect: {getattr(err, 'strerror', None) or err}"

    def _connect(self) -> smtplib.SMTP:
        host, port = self.settings.host, self.settings.port_number
        smtp: smtplib.SMTP
        if self.settings.security == "tls":
            smtp = smtplib.SMTP_SSL(host, port, context=self._context, timeout=self._timeout)
        else:
            smtp = smtplib.SMTP(host, port, timeout=self._timeout)
        try:
            if self.settings.security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise self._error(
                        "does not offer STARTTLS; letterforge never sends in plain text"
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if self.settings.username is not None:
                smtp.login(self.settings.username, self._password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> Delivery:
        """Send ``message`` as the bytes ``email.policy.SMTP`` makes of it, unchanged, and say
        what became of it; the first of ``recipients`` is its addressee, the others copies.
        Raises DeliveryError only when the connection cannot be reopened."""
        if not recipients:
            raise ValueError("a message needs at least one recipient")
        data = message.as_bytes(policy=email.policy.SMTP)
        international = not all(address.isascii() for address in [sender, *recipients])
        data_started = False
        try:
            code, reply = self._mail_from(sender, data=data, international=international)
            if code is None:
                return Delivery(
                    "rejected", None, "the server takes no non-ASCII address (SMTPUTF8)"
                )
            if code != 250:
                return self._failed(code, reply, {})
            smtp = self._smtp
            assert smtp is not None
            refused: dict[str, str] = {}
            replies: list[tuple[int, bytes]] = []
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = f"{code} {_text(reply)}"
                    replies.append((code, reply))
            # The message goes only when its addressee (the first recipient) takes it, and
            # nobody refused it for now: a copy that went without them would be sent again
            # with the retry. A copy refused for good is reported, and the message goes.
            if recipients[0] in refused or any(code < 500 for code, _ in replies):
                # A temporary refusal of anyone makes the whole message worth retrying.
                code, reply = min(replies, key=lambda each: each[0] >= 500)
                return self._failed(code, reply, refused)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                return self._failed(code, reply, refused)
            data_started = True
            smtp.send(_dot_stuffed(data))
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as err:
            self._drop()
            if data_started:
                return Delivery("unknown", None, f"the connection broke while sending: {err}")
            return Delivery("deferred", None, f"the connection broke: {err}")
        if code != 250:
            return self._failed(code, reply, refused)
        return Delivery("sent", code, _text(reply), refused)

    def _mail_from(
        self, sender: str, *, data: bytes, international: bool
    ) -> tuple[int | None, bytes]:
        """MAIL FROM on the open connection, or on a new one when the server has closed it
        (servers close idle connections, as a slow rate limit leaves them); no reply (None)
        when an address needs SMTPUTF8 and the server lacks it."""
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPServerDisconnected):
                return self._mail_command(sender, data=data, international=international)
        self.reconnect()
        return self._mail_command(sender, data=data, international=international)

    def _mail_command(
        self, sender: str, *, data: bytes, international: bool
    ) -> tuple[int | None, bytes]:
        assert self._smtp is not None
        if international and not self._smtp.has_extn("smtputf8"):
            return None, b""
        options = _mail_options(self._smtp, data, international=international)
        return self._smtp.mail(sender, options)

    def _failed(self, code: int, reply: bytes, refused: dict[str, str]) -> Delivery:
        """The transaction ended: leave the connection ready for the next message."""
        status: Status = "rejected" if 500 <= code < 600 else "deferred"
        if code == 421:  # the server is closing the connection
            self._drop()
        else:
            try:
                assert self._smtp is not None
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
        return Delivery(status, code, _text(reply), refused)

    def close(self) -> None:
        """Say QUIT, as a polite client does; a server already gone is no error."""
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
        self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _error(self, what: str) -> DeliveryError:
        return DeliveryError(f"{self.where}: {what}")

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()


def _mail_options(smtp: smtplib.SMTP, data: bytes, *, international: bool) -> list[str]:
    """MAIL FROM's options, as ``sendmail`` would give them: the size, 8BITMIME when the
    message is not plain ASCII, SMTPUTF8 when an address is not."""
    options = ["SMTPUTF8"] if international else []
    if smtp.has_extn("size"):
        options.append(f"SIZE={len(data)}")
    if not data.isascii() and smtp.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    return options


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2): CRLF line endings, a dot doubled at
    the start of a line, and the final dot."""
    data = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(reply: bytes | str) -> str:
    """A server's reply on one line, however it was sent."""
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return reply.replace("\n", " ")
