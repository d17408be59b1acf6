"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port each, with certificates
from a test authority (trustme), STARTTLS or TLS from the start, a login, and failures a test
can script: a recipient refused, a message deferred, a connection dropped.

It runs in a thread of the test process and listens on a TCP port, so that a ``letterforge
send`` run as a subprocess can use it too.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME = "letters@example.org"
PASSWORD = "correct horse battery staple"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """A message the server accepted, as it arrived."""

    sender: str
    recipients: list[str]
    data: bytes  # the message's bytes, as the client meant them (dots unstuffed)
    at: float  # time.monotonic() when the server accepted it


@dataclass
class _Script:
    """A failure to act out: ``reply`` (or dropping the connection, when None) for ``times``
    transactions that include ``address`` (any, when None)."""

    reply: str | None
    address: str | None
    times: int


class RecordingHandler:
    """aiosmtpd's handler: records each accepted message, acts out scripted failures."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.refused: dict[str, str] = {}
        self.scripts: dict[str, list[_Script]] = {"MAIL": [], "DATA": []}
        self.hold_data = 0.0  # seconds to wait before answering DATA: a message in flight
        self._lock = threading.Lock()

    def _scripted(self, step: str, addresses: list[str]) -> _Script | None:
        with self._lock:
            for script in self.scripts[step]:
                if script.times > 0 and (script.address is None or script.address in addresses):
                    script.times -= 1
                    return script
        return None

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if script := self._scripted("MAIL", [address]):
            return _act(server, script)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if reply := self.refused.get(address):
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hold_data:
            await asyncio.sleep(self.hold_data)
        if script := self._scripted("DATA", envelope.rcpt_tos):
            return _act(server, script)
        assert envelope.mail_from is not None and envelope.original_content is not None
        received = Received(
            envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, time.monotonic()
        )
        self.messages.append(received)
        return f"250 2.0.0 OK queued as {len(self.messages)}"


def _act(server: SMTP, script: _Script) -> str:
    if script.reply is None:  # the server goes away without answering
        assert server.transport is not None
        server.transport.abort()
        return "421 4.3.0 gone"  # never reaches the client
    return script.reply


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and auth_data == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=valid, handled=False)


class _Controller(Controller):
    """aiosmtpd's controller on port 0: the system picks a free port, read back once the
    server listens (before aiosmtpd connects to it to check that it answers)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


Security = Literal["starttls", "tls", "none"]


@dataclass
class SmtpServer:
    """A running test server and what letterforge needs to reach it."""

    tmp_path: Path
    security: Security = "starttls"
    certificate_for: str = HOST
    """The name the server's certificate is for: "mail.example.org" to test a mismatch."""
    unknown_authority: bool = False
    """Whether the certificate comes from an authority other than the one in ``cafile``."""
    host: str = HOST
    port: int = 0
    username: str = USERNAME
    password: str = PASSWORD
    cafile: Path = field(init=False)
    handler: RecordingHandler = field(default_factory=RecordingHandler)
    _controller: _Controller | None = None

    def __post_init__(self) -> None:
        authority, issuer = trustme.CA(), trustme.CA()
        self.cafile = self.tmp_path / "smtp-ca.pem"
        authority.cert_pem.write_to_path(str(self.cafile))
        certificate = (issuer if self.unknown_authority else authority).issue_cert(
            self.certificate_for
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        options: dict[str, Any] = {
            "server_hostname": "mail.test",  # no getfqdn(): it can wait on DNS
            "authenticator": _authenticator,
            # aiosmtpd does not see TLS from the start as TLS, and would not offer AUTH
            # (https://github.com/aio-libs/aiosmtpd/issues/281): there, the port is TLS only.
            "auth_require_tls": self.security == "starttls",
        }
        if self.security == "starttls":
            options |= {"tls_context": context, "require_starttls": True}
        elif self.security == "tls":
            options["ssl_context"] = context
        self._controller = _Controller(self.handler, hostname=HOST, port=0, **options)
        self._controller.start()
        self.port = self._controller.port

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reject_rcpt(self, address: str, reply: str = "550 5.1.1 no such mailbox") -> None:
        """Refuse ``address`` at RCPT TO, every time."""
        self.handler.refused[address] = reply

    def defer_data(
        self, address: str | None = None, *, times: int = 1, reply: str = "451 4.3.0 try again"
    ) -> None:
        """Answer the end of DATA with ``reply`` (not accepting the message) for the next
        ``times`` messages to ``address`` (to anyone, when None)."""
        self.handler.scripts["DATA"].append(_Script(reply, address, times))

    def reply_to_mail(self, reply: str, *, times: int = 1) -> None:
        """Answer the next ``times`` MAIL FROM commands with ``reply``."""
        self.handler.scripts["MAIL"].append(_Script(reply, None, times))

    def drop_connection(self, at: Literal["MAIL", "DATA"], *, times: int = 1) -> None:
        """Close the connection without answering: at MAIL FROM (nothing of the message
        sent yet) or once the whole message has arrived (the client cannot know its fate)."""
        self.handler.scripts[at].append(_Script(None, None, times))

    def delivery_yaml(
        self,
        *,
        sender: str = "Example Association <letters@example.org>",
        password_command: str | None = None,
        per_minute: float | None = None,
    ) -> str:
        """The ``delivery:`` section of a letterforge.yaml that sends through this server
        (the password from ``password_command``, or else LETTERFORGE_SMTP_PASSWORD)."""
        security = "tls" if self.security == "tls" else "starttls"
        lines = [
            "delivery:",
            f"  from: {json.dumps(sender)}",
            "  smtp:",
            f"    host: {self.host}",
            f"    port: {self.port}",
            f"    security: {security}",
            f"    username: {self.username}",
            f"    cafile: {json.dumps(str(self.cafile))}",
        ]
        if password_command is not None:
            lines.append(f"    password_command: {json.dumps(password_command)}")
        if per_minute is not None:
            lines.append(f"    per_minute: {per_minute}")
        return "\n".join(lines) + "\n"
