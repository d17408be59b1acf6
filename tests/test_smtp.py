"""The SMTP connection of ``letterforge send`` against a real server (tests/smtp_server.py):
TLS that is verified or refused, the login, and what becomes of each message."""

from __future__ import annotations

import email.policy
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from letterforge.deliver import smtp
from letterforge.deliver.smtp import SmtpConnection, smtp_password, tls_context
from letterforge.errors import DeliveryError
from letterforge.workspace.settings import SmtpSettings
from tests.smtp_server import SmtpServer

SENDER = "letters@example.org"


def settings_for(server: SmtpServer, **changes: Any) -> SmtpSettings:
    """The settings that reach ``server``, trusting its test authority."""
    fields: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "security": "tls" if server.security == "tls" else "starttls",
        "username": server.username,
        "cafile": str(server.cafile),
    }
    return SmtpSettings(**(fields | changes))


def connect(server: SmtpServer, root: Path, *, password: str | None = None) -> SmtpConnection:
    settings = settings_for(server)
    return SmtpConnection.open(
        settings,
        password=password or server.password,
        context=tls_context(settings, root),
        timeout=5,
    )


def letter(to: str = "ana@example.org", subject: str = "Our request") -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Example Association <{SENDER}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<note-ana-en@example.org>"
    # A line that is a lone dot must arrive as one, not end the message.
    message.set_content("Dear Ms. Ruiz,\n.\n..and more, señora.\n", cte="8bit")
    return message


def test_starttls_and_login_deliver_the_exact_bytes(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    message = letter()
    with connect(smtp_server, tmp_path) as connection:
        delivery = connection.send(message, sender=SENDER, recipients=["ana@example.org"])
    assert (delivery.status, delivery.code, delivery.refused) == ("sent", 250, {})
    assert delivery.reply == "2.0.0 OK queued as 1"
    [received] = smtp_server.messages
    assert received.sender == SENDER
    assert received.recipients == ["ana@example.org"]
    assert received.data == message.as_bytes(policy=email.policy.SMTP)


def test_tls_from_the_start_delivers(
    smtp_servers: Callable[..., SmtpServer], tmp_path: Path
) -> None:
    server = smtp_servers(security="tls")
    with connect(server, tmp_path) as connection:
        delivery = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
    assert delivery.status == "sent"
    assert [message.recipients for message in server.messages] == [["ana@example.org"]]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_certificate_for_another_host_is_refused(
    smtp_servers: Callable[..., SmtpServer], tmp_path: Path, security: str
) -> None:
    server = smtp_servers(security=security, certificate_for="mail.example.org")
    with pytest.raises(DeliveryError) as caught:
        connect(server, tmp_path)
    assert str(caught.value) == (
        f"127.0.0.1:{server.port}: the server's certificate could not be verified:"
        " IP address mismatch, certificate is not valid for '127.0.0.1'."
    )
    assert server.messages == []


def test_a_certificate_from_an_unknown_authority_is_refused(
    smtp_servers: Callable[..., SmtpServer], tmp_path: Path
) -> None:
    server = smtp_servers(unknown_authority=True)
    with pytest.raises(DeliveryError) as caught:
        connect(server, tmp_path)
    assert str(caught.value) == (
        f"127.0.0.1:{server.port}: the server's certificate could not be verified:"
        " unable to get local issuer certificate"
        " (a private server's authority goes in delivery.smtp.cafile)"
    )


def test_a_server_without_starttls_is_refused_never_used_in_plain_text(
    smtp_servers: Callable[..., SmtpServer], tmp_path: Path
) -> None:
    server = smtp_servers(security="none")
    with pytest.raises(DeliveryError) as caught:
        connect(server, tmp_path)
    assert str(caught.value) == (
        f"127.0.0.1:{server.port}: does not offer STARTTLS; letterforge never sends in plain text"
    )
    assert server.messages == []


def test_a_wrong_password_is_refused_without_showing_it(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with pytest.raises(DeliveryError) as caught:
        connect(smtp_server, tmp_path, password="hunter2-wrong")
    assert str(caught.value) == (
        f"127.0.0.1:{smtp_server.port}: the server refused the login of"
        " 'letters@example.org': 535 5.7.8 Authentication credentials invalid"
    )
    assert "hunter2" not in caught.value.format_message()


def test_tls_from_the_start_on_a_starttls_port_says_which_to_use(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = settings_for(smtp_server, security="tls")
    with pytest.raises(DeliveryError) as caught:
        SmtpConnection.open(settings, password=None, context=tls_context(settings, tmp_path))
    assert str(caught.value) == (
        f"127.0.0.1:{smtp_server.port}: TLS failed: WRONG_VERSION_NUMBER"
        " (does this port take TLS from the start? else use security: starttls)"
    )


def test_a_server_that_is_not_there(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = SmtpSettings(host="127.0.0.1", port=port)
    with pytest.raises(DeliveryError, match=rf"^127\.0\.0\.1:{port}: cannot connect: "):
        SmtpConnection.open(settings, password=None, context=tls_context(settings, tmp_path))


def test_a_copy_refused_for_good_while_the_addressee_takes_it_is_sent(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.reject_rcpt("gone@example.org", "550 5.1.1 no such mailbox")
    with connect(smtp_server, tmp_path) as connection:
        delivery = connection.send(
            letter(), sender=SENDER, recipients=["ana@example.org", "gone@example.org"]
        )
    assert delivery.status == "sent"
    assert delivery.refused == {"gone@example.org": "550 5.1.1 no such mailbox"}
    assert [message.recipients for message in smtp_server.messages] == [["ana@example.org"]]


@pytest.mark.parametrize(
    "refused, reply, status",
    [
        ("ana@example.org", "550 5.1.1 no such mailbox", "rejected"),  # the addressee
        ("kim@example.org", "451 4.2.0 try later", "deferred"),  # a copy, for now
    ],
)
def test_the_addressee_refused_or_anyone_refused_for_now_sends_nothing(
    smtp_server: SmtpServer, tmp_path: Path, refused: str, reply: str, status: str
) -> None:
    """A copy must not go without its letter's addressee: the retry would send it twice."""
    smtp_server.reject_rcpt(refused, reply)
    with connect(smtp_server, tmp_path) as connection:
        delivery = connection.send(
            letter(), sender=SENDER, recipients=["ana@example.org", "kim@example.org"]
        )
    assert delivery.status == status
    assert smtp_server.messages == []


def test_an_address_beyond_ascii_goes_with_smtputf8(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with connect(smtp_server, tmp_path) as connection:
        delivery = connection.send(letter(), sender=SENDER, recipients=["josé@example.org"])
    assert delivery.status == "sent"
    assert [message.recipients for message in smtp_server.messages] == [["josé@example.org"]]


def test_the_only_recipient_refused_is_rejected_and_the_connection_goes_on(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.reject_rcpt("gone@example.org", "550 5.1.1 no such mailbox")
    with connect(smtp_server, tmp_path) as connection:
        rejected = connection.send(
            letter("gone@example.org"), sender=SENDER, recipients=["gone@example.org"]
        )
        sent = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
    assert (rejected.status, rejected.code, rejected.reply) == (
        "rejected",
        550,
        "5.1.1 no such mailbox",
    )
    assert rejected.refused == {"gone@example.org": "550 5.1.1 no such mailbox"}
    assert sent.status == "sent"
    assert [message.recipients for message in smtp_server.messages] == [["ana@example.org"]]


def test_a_temporary_failure_is_deferred_and_the_retry_goes(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.defer_data("ana@example.org", times=1, reply="451 4.3.0 try again")
    message = letter()
    with connect(smtp_server, tmp_path) as connection:
        deferred = connection.send(message, sender=SENDER, recipients=["ana@example.org"])
        retried = connection.send(message, sender=SENDER, recipients=["ana@example.org"])
    assert (deferred.status, deferred.code, deferred.reply) == ("deferred", 451, "4.3.0 try again")
    assert retried.status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_closing_server_is_deferred_and_the_next_send_reconnects(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.reply_to_mail("421 4.7.0 mail.test closing connection")
    with connect(smtp_server, tmp_path) as connection:
        deferred = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
        sent = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
    assert (deferred.status, deferred.code) == ("deferred", 421)
    assert sent.status == "sent"


def test_a_connection_closed_while_idle_is_opened_again(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.drop_connection("MAIL", times=1)
    with connect(smtp_server, tmp_path) as connection:
        delivery = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
    assert delivery.status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_break_before_the_message_went_out_is_deferred(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.drop_connection("MAIL", times=2)  # on the connection, and on a new one
    with connect(smtp_server, tmp_path) as connection:
        deferred = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
        sent = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
    assert (deferred.status, deferred.code) == ("deferred", None)
    assert deferred.reply.startswith("the connection broke: ")
    assert sent.status == "sent"


def test_a_break_after_the_message_went_out_is_unknown(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.drop_connection("DATA")
    with connect(smtp_server, tmp_path) as connection:
        unknown = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
        sent = connection.send(letter(), sender=SENDER, recipients=["bo@example.org"])
    assert (unknown.status, unknown.code) == ("unknown", None)
    assert unknown.reply.startswith("the connection broke while sending: ")
    assert sent.status == "sent"
    assert [message.recipients for message in smtp_server.messages] == [["bo@example.org"]]


SEND_FROM_ANOTHER_PROCESS = """
import sys
from email.message import EmailMessage
from pathlib import Path

import yaml

from letterforge.deliver.smtp import SmtpConnection, smtp_password, tls_context
from letterforge.workspace.settings import DeliverySettings

delivery = DeliverySettings.model_validate(yaml.safe_load(sys.stdin.read())["delivery"])
assert delivery.smtp is not None
root = Path.cwd()
message = EmailMessage()
message["Subject"] = "From another process"
message.set_content("Hello.")
with SmtpConnection.open(
    delivery.smtp,
    password=smtp_password(delivery.smtp, root),
    context=tls_context(delivery.smtp, root),
) as connection:
    print(connection.send(message, sender="letters@example.org", recipients=["ana@example.org"]))
"""


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_another_process_sends_through_the_delivery_settings_the_server_writes(
    smtp_servers: Callable[..., SmtpServer], tmp_path: Path, security: str
) -> None:
    """As ``letterforge send`` run as a subprocess will."""
    server = smtp_servers(security=security)
    done = subprocess.run(
        [sys.executable, "-c", SEND_FROM_ANOTHER_PROCESS],
        input=server.delivery_yaml(password_command=python_command(f"print({server.password!r})")),
        cwd=tmp_path,
        env={**os.environ, smtp.PASSWORD_VARIABLE: ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Delivery(status='sent', code=250")
    assert [message.recipients for message in server.messages] == [["ana@example.org"]]


# The password


def python_command(code: str) -> str:
    """A password_command that runs ``code`` in this Python."""
    return shlex.join([sys.executable, "-c", code])


@pytest.fixture
def no_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(smtp.PASSWORD_VARIABLE, raising=False)


@pytest.mark.usefixtures("no_password_variable")
def test_password_command_gives_the_password_and_login_works(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    command = python_command(f"print({smtp_server.password!r})")
    settings = settings_for(smtp_server, password_command=command)
    password = smtp_password(settings, tmp_path)
    assert password == smtp_server.password
    context = tls_context(settings, tmp_path)
    with SmtpConnection.open(settings, password=password, context=context) as connection:
        delivery = connection.send(letter(), sender=SENDER, recipients=["ana@example.org"])
    assert delivery.status == "sent"


def test_the_environment_comes_before_password_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(smtp.PASSWORD_VARIABLE, "from the environment")
    settings = SmtpSettings(
        host="mail.test", username="ana", password_command=python_command("raise SystemExit(1)")
    )
    assert smtp_password(settings, tmp_path) == "from the environment"


@pytest.mark.usefixtures("no_password_variable")
def test_password_command_keeps_spaces_and_runs_in_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(" two words \n\n", encoding="utf-8")
    command = python_command("print(open('secret.txt').read(), end='')")
    settings = SmtpSettings(host="mail.test", username="ana", password_command=command)
    assert smtp_password(settings, tmp_path) == " two words "


@pytest.mark.usefixtures("no_password_variable")
def test_no_username_no_password(tmp_path: Path) -> None:
    assert smtp_password(SmtpSettings(host="mail.test"), tmp_path) is None


@pytest.mark.usefixtures("no_password_variable")
@pytest.mark.parametrize(
    ("command", "error"),
    [
        (
            python_command(
                "import sys; sys.stderr.write('gpg: a\\ngpg: decryption failed\\n'); sys.exit(2)"
            ),
            "exited with code 2: gpg: decryption failed",
        ),
        (python_command("pass"), "printed nothing"),
        ("no-such-password-program show smtp", "'no-such-password-program' not found"),
    ],
)
def test_a_failing_password_command(tmp_path: Path, command: str, error: str) -> None:
    settings = SmtpSettings(host="mail.test", username="ana", password_command=command)
    with pytest.raises(DeliveryError) as caught:
        smtp_password(settings, tmp_path)
    assert caught.value.format_message().startswith(
        "letterforge.yaml: error: delivery.smtp.password_command: "
    )
    assert caught.value.message.endswith(error)


@pytest.mark.usefixtures("no_password_variable")
def test_a_password_command_that_hangs_times_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(smtp, "PASSWORD_COMMAND_TIMEOUT", 0.5)
    command = python_command("import time; time.sleep(30)")
    settings = SmtpSettings(host="mail.test", username="ana", password_command=command)
    with pytest.raises(DeliveryError, match=r"printed no password in 0\.5 s$"):
        smtp_password(settings, tmp_path)


@pytest.mark.usefixtures("no_password_variable")
def test_a_username_without_a_password_says_where_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError) as caught:
        smtp_password(SmtpSettings(host="mail.test", username="ana"), tmp_path)
    assert caught.value.format_message() == (
        "letterforge.yaml: error: delivery.smtp.username is set but there is no password:"
        " set LETTERFORGE_SMTP_PASSWORD or delivery.smtp.password_command"
    )


# The certificate authority


def test_a_missing_cafile(tmp_path: Path) -> None:
    settings = SmtpSettings(host="mail.test", cafile="certs/ca.pem")
    with pytest.raises(DeliveryError) as caught:
        tls_context(settings, tmp_path)
    assert caught.value.format_message() == (
        "letterforge.yaml: error: delivery.smtp.cafile: cannot read certs/ca.pem:"
        " No such file or directory"
    )


def test_a_cafile_without_certificates(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(DeliveryError, match=r"delivery\.smtp\.cafile: ca\.pem holds no PEM"):
        tls_context(SmtpSettings(host="mail.test", cafile="ca.pem"), tmp_path)


def test_the_context_always_verifies(smtp_server: SmtpServer, tmp_path: Path) -> None:
    import ssl

    context = tls_context(settings_for(smtp_server), tmp_path)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    # The system's authorities stay trusted beside the workspace's own.
    system = ssl.create_default_context().get_ca_certs()
    assert len(context.get_ca_certs()) == len(system) + 1
