"""letterforge send and status, against a real SMTP server on 127.0.0.1 (tests/smtp_server.py):
each letter sent once with its files byte for byte, TLS verified, failures logged, a crash
leaving a log the next run trusts, stale letters refused, and the rate held."""

from __future__ import annotations

import email
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import make_workspace, replace_in, run
from tests.smtp_server import PASSWORD, SmtpServer

PEOPLE = """people:
  - id: ana
    name: {given: Ana, family: Ruiz}
    gender: f
    honorific: Ms.
    languages: [en]
    email: ana@ministry.example
  - id: ben
    name: {given: Ben, family: Okafor}
    gender: m
    honorific: Mr.
    languages: [en]
    email: ben@ministry.example
  - id: cleo
    name: {given: Cléo, family: Martin}
    gender: f
    honorific: {en: Ms., fr: Mme}
    languages: [fr, en]
    email: cleo@ministere.example
  - id: dana
    name: {given: Dana, family: Park}
    gender: f
    honorific: Ms.
  - id: sam
    name: {given: Sam, family: Lee}
    title: Director
  - id: kim
    name: {given: Kim, family: Ito}
    title: Adviser
    email: kim@association.example
"""
CAMPAIGN = """title: {en: Our request, fr: Notre demande}
subject: {en: Cross-border data, fr: Données transfrontières}
date: 2024-05-02
template: note
languages: [en, fr]
to: [ana, ben, cleo, dana]
cc: [kim]
from: [sam]
bundle: true
"""


def workspace(root: Path, server: SmtpServer, **delivery: object) -> Path:
    return make_workspace(
        root,
        {
            "letterforge.yaml": (
                "sender:\n  name: Example Association\nlanguages: [en]\nformats: [pdf]\n"
                + server.delivery_yaml(**delivery)  # type: ignore[arg-type]
            ),
            "recipients/people.yaml": PEOPLE,
            "templates/note/letter.fr.md.j2": "Nous écrivons sur {{ campaign.title }}.\n",
            "campaigns/note.yaml": CAMPAIGN,
        },
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LETTERFORGE_SMTP_PASSWORD", PASSWORD)


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {
        str(part.get_filename()): part.get_payload(decode=True)  # type: ignore[misc]
        for part in message.iter_attachments()
    }


def log_records(root: Path) -> list[dict[str, object]]:
    path = root / "sent" / "note.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_send_delivers_each_letter_once_with_its_built_files(
    tmp_path: Path, smtp_server: SmtpServer, env: None
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    assert run(root, "build", "-q").exit_code == 0
    result = run(root, "send", "--yes")
    assert result.exit_code == 0, result.output
    assert "send: 3 sent, 0 failed" in result.output
    assert "dana" in result.output  # no email: named, not sent

    messages = {received.recipients[0]: received for received in smtp_server.messages}
    assert sorted(messages) == [
        "ana@ministry.example",
        "ben@ministry.example",
        "cleo@ministere.example",
    ]
    build = root / "build" / "note"
    ana = parsed(messages["ana@ministry.example"].data)
    assert ana["To"] == "Ana Ruiz <ana@ministry.example>"
    assert ana["Cc"] == "Kim Ito <kim@association.example>"
    assert ana["Subject"] == "Cross-border data"
    assert ana["X-Unsent"] is None  # a sent message is no draft
    assert messages["ana@ministry.example"].recipients == [
        "ana@ministry.example",
        "kim@association.example",
    ]
    assert attachments(ana) == {"note-en.pdf": (build / "en" / "ana.pdf").read_bytes()}
    body = ana.get_body(("plain",))
    assert body is not None and "Dear Ms. Ruiz" in body.get_content()
    # Cléo reads French first: a French subject, and her bundle of both languages.
    cleo = parsed(messages["cleo@ministere.example"].data)
    assert cleo["Subject"] == "Données transfrontières"
    assert attachments(cleo) == {"note.pdf": (build / "bundle" / "cleo.pdf").read_bytes()}

    records = log_records(root)
    assert [(r["event"], r["recipient"]) for r in records] == [
        ("sending", "ana"),
        ("sent", "ana"),
        ("sending", "ben"),
        ("sent", "ben"),
        ("sending", "cleo"),
        ("sent", "cleo"),
    ]
    assert records[1]["code"] == 250 and "queued" in str(records[1]["reply"])
    assert records[0]["message_id"] == ana["Message-ID"]

    again = run(root, "send", "--yes")
    assert again.exit_code == 0, again.output
    assert "nothing to send" in again.output
    assert len(smtp_server.messages) == 3

    status = run(root, "status")
    assert status.exit_code == 0
    lines = status.stdout.splitlines()
    assert any(line.startswith("note/ana ") and " sent 20" in line for line in lines)
    assert any(line.startswith("note/dana ") and "no email" in line for line in lines)
    # The review page and the mail-out list say what was sent, after send and after a build.
    page = (build / "index.html").read_text(encoding="utf-8")
    assert "<th>Email</th>" in page and page.count("sent 20") >= 3
    assert run(root, "build", "-q").exit_code == 0
    page = (build / "index.html").read_text(encoding="utf-8")
    assert "<th>Email</th>" in page and page.count("sent 20") >= 3
    mail_out = (build / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    assert mail_out[0].endswith(",delivery")
    assert all(("sent 20" in line) == ("dana" not in line) for line in mail_out[1:])


def test_dry_run_and_no_terminal_send_nothing(
    tmp_path: Path, smtp_server: SmtpServer, env: None
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    run(root, "build", "-q")
    dry = run(root, "send", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.count("would send: ") == 3
    assert "note/ana: to Ana Ruiz <ana@ministry.example> (cc Kim Ito" in dry.stdout
    unconfirmed = run(root, "send")  # CliRunner's input is not a terminal
    assert unconfirmed.exit_code == 1
    assert "add --yes" in unconfirmed.output
    assert smtp_server.messages == []
    assert not (root / "sent" / "note.jsonl").exists()


@pytest.mark.parametrize(
    "server_options, expected",
    [
        ({"certificate_for": "mail.example.org"}, "certificate could not be verified"),
        ({"unknown_authority": True}, "certificate could not be verified"),
    ],
)
def test_a_certificate_that_does_not_verify_is_refused(
    tmp_path: Path, smtp_servers: object, env: None, server_options: dict, expected: str
) -> None:
    server = smtp_servers(**server_options)  # type: ignore[operator]
    root = workspace(tmp_path / "ws", server)
    run(root, "build", "-q")
    result = run(root, "send", "--yes")
    assert result.exit_code == 1
    assert f"127.0.0.1:{server.port}" in result.output and expected in result.output
    assert server.messages == []
    log = root / "sent" / "note.jsonl"
    assert not log.exists() or log.read_text() == ""


def test_a_permanent_rejection_is_logged_while_the_others_go(
    tmp_path: Path, smtp_server: SmtpServer, env: None
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    replace_in(root / "campaigns" / "note.yaml", "cc: [kim]", "cc: [kim]\nemail: {cc: false}")
    run(root, "build", "-q")
    smtp_server.reject_rcpt("ben@ministry.example", "550 5.1.1 no such mailbox")
    result = run(root, "send", "--yes")
    assert result.exit_code == 1
    assert "note/ben: not sent: 550 5.1.1 no such mailbox" in result.output
    assert [m.recipients for m in smtp_server.messages] == [
        ["ana@ministry.example"],
        ["cleo@ministere.example"],
    ]
    failed = [r for r in log_records(root) if r["event"] == "failed"]
    assert failed == [
        {
            "event": "failed",
            "recipient": "ben",
            "at": failed[0]["at"],
            "message_id": failed[0]["message_id"],
            "code": 550,
            "reply": "550 5.1.1 no such mailbox",
            "refused": {"ben@ministry.example": "550 5.1.1 no such mailbox"},
        }
    ]
    ben = next(line for line in run(root, "status").stdout.splitlines() if "note/ben" in line)
    assert "failed" in ben and "550 5.1.1 no such mailbox" in ben
    # Once the address works, the next run sends ben's letter, and only his.
    smtp_server.handler.refused.clear()
    retry = run(root, "send", "--yes")
    assert retry.exit_code == 0, retry.output
    assert [m.recipients for m in smtp_server.messages[2:]] == [["ben@ministry.example"]]


def test_a_refused_copy_is_reported_and_the_letter_is_not_sent_twice(
    tmp_path: Path, smtp_server: SmtpServer, env: None
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    run(root, "build", "-q", "--only", "ana")
    smtp_server.reject_rcpt("kim@association.example", "550 5.7.1 not accepted")
    result = run(root, "send", "--yes", "--only", "ana")
    assert result.exit_code == 1
    assert "note/ana: sent, but the server refused kim@association.example" in result.output
    assert [m.recipients for m in smtp_server.messages] == [["ana@ministry.example"]]
    assert "nothing to send" in run(root, "send", "--yes", "--only", "ana").output


def test_a_temporary_refusal_is_tried_again(
    tmp_path: Path, smtp_server: SmtpServer, env: None
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    run(root, "build", "-q", "--only", "ana")
    smtp_server.defer_data("ana@ministry.example", times=1)
    result = run(root, "send", "--yes", "--only", "ana")
    assert result.exit_code == 0, result.output
    assert [m.recipients[0] for m in smtp_server.messages] == ["ana@ministry.example"]
    assert [r["event"] for r in log_records(root)] == ["sending", "sent"]


def test_a_stale_or_changed_letter_is_refused(
    tmp_path: Path, smtp_server: SmtpServer, env: None
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    run(root, "build", "-q")
    replace_in(root / "templates" / "note" / "letter.en.md.j2", "We write", "We now write")
    stale = run(root, "send", "--yes")
    assert stale.exit_code == 1
    assert "build/note/en/ana.pdf: error: note/ana: out of date" in stale.output
    run(root, "build", "-q")
    pdf = root / "build" / "note" / "en" / "ben.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited\n")
    changed = run(root, "send", "--yes")
    assert changed.exit_code == 1
    assert "build/note/en/ben.pdf: error: note/ben: changed since it was built" in changed.output
    assert smtp_server.messages == []
    assert not (root / "sent" / "note.jsonl").exists()


def test_the_rate_limit_holds(tmp_path: Path, smtp_server: SmtpServer, env: None) -> None:
    root = workspace(tmp_path / "ws", smtp_server, per_minute=120)  # one each 0.5 s
    run(root, "build", "-q")
    assert run(root, "send", "--yes").exit_code == 0
    times = [received.at for received in smtp_server.messages]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    print(f"gaps between messages at 120 a minute: {[round(gap, 3) for gap in gaps]}")
    assert len(gaps) == 2 and min(gaps) >= 0.45


def letterforge_send(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "letterforge", "send", "--yes", *args],
        cwd=root,
        env={**os.environ, "LETTERFORGE_SMTP_PASSWORD": PASSWORD},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition: object, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_a_send_killed_mid_message_leaves_a_log_the_next_run_trusts(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    run(root, "build", "-q")
    log = root / "sent" / "note.jsonl"
    smtp_server.handler.hold_data = 30.0  # the first message stays in flight
    process = letterforge_send(root)
    wait_for(lambda: log.exists() and '"sending"' in log.read_text())
    time.sleep(0.3)  # the message is on its way to the server
    process.kill()
    process.communicate()
    smtp_server.handler.hold_data = 0.0
    assert [(r["event"], r["recipient"]) for r in log_records(root)] == [("sending", "ana")]

    process = letterforge_send(root)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert "note/ana: the run that sent it at" in output and "--resend ana" in output
    delivered = [m.recipients[0] for m in smtp_server.messages]
    # The held message may or may not have been taken; ben and cleo, exactly once each.
    assert delivered.count("ben@ministry.example") == 1
    assert delivered.count("cleo@ministere.example") == 1
    assert [(r["event"], r["recipient"]) for r in log_records(root)][1:] == [
        ("sending", "ben"),
        ("sent", "ben"),
        ("sending", "cleo"),
        ("sent", "cleo"),
    ]
    unresolved = next(line for line in run(root, "status").stdout.splitlines() if "ana" in line)
    assert "unresolved" in unresolved

    resent = letterforge_send(root, "--resend", "ana")
    output, _ = resent.communicate(timeout=60)
    assert resent.returncode == 0, output
    assert [(r["event"], r["recipient"]) for r in log_records(root)][-2:] == [
        ("sending", "ana"),
        ("sent", "ana"),
    ]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_between_messages_with_the_log_complete(
    tmp_path: Path, smtp_server: SmtpServer, stop: signal.Signals
) -> None:
    root = workspace(tmp_path / "ws", smtp_server, per_minute=6)  # 10 s between messages
    run(root, "build", "-q")
    process = letterforge_send(root)
    wait_for(lambda: len(smtp_server.messages) == 1)
    time.sleep(0.3)
    process.send_signal(stop)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 128 + stop, output
    assert "1 sent and logged" in output
    assert [(r["event"], r["recipient"]) for r in log_records(root)] == [
        ("sending", "ana"),
        ("sent", "ana"),
    ]


SENDING = (
    '{"event": "sending", "recipient": "ana", "at": "2026-01-01T00:00:00+00:00", '
    '"message_id": "<a@b>"}'
)


@pytest.mark.parametrize(
    "lines, message",
    [
        (["{not json"], "sent/note.jsonl:1: error: not a record of the sent log"),
        (
            [SENDING.replace('"sending"', '"sent"')],
            "sent/note.jsonl:1: error: a sent record of ana with no sending record before it",
        ),
        (
            [SENDING, SENDING.replace('"sending"', '"sent"')[:-1] + ', "refused": "abc"}'],
            "sent/note.jsonl:2: error: not a record of the sent log: to, attachments, refused",
        ),
        ([SENDING.replace('"ana"', "7")], "sent/note.jsonl:1: error: not a record of the sent"),
    ],
)
def test_a_damaged_sent_log_is_an_error_at_its_line_and_nothing_is_sent(
    tmp_path: Path, smtp_server: SmtpServer, env: None, lines: list[str], message: str
) -> None:
    root = workspace(tmp_path / "ws", smtp_server)
    run(root, "build", "-q")
    (root / "sent").mkdir()
    (root / "sent" / "note.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in ("send", "status"):
        result = run(root, command, "--yes") if command == "send" else run(root, command)
        assert result.exit_code == 1, result.output
        assert message in result.output
    assert smtp_server.messages == []
