"""letterforge outbox: one draft per recipient that mail clients open, read back with Python's
email package; byte-identical across builds, incremental, and kind to hand edits."""

from __future__ import annotations

import email
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path

from tests.conftest import make_workspace, replace_in, run

SETTINGS = """sender:
  name: Example Association
languages: [en]
formats: [pdf, docx]
delivery:
  from: "Policy Team <policy@association.example>"
  reply_to: replies@association.example
"""
PEOPLE = """people:
  - id: ana
    name: {given: Ana, family: Ruiz}
    gender: f
    honorific: {en: Ms., es: Sra.}
    languages: [es, en]
    email: ana@ministry.example
  - id: ben
    name: {given: Ben, family: Okafor}
    gender: m
    honorific: Mr.
    languages: [en]
    email: ben@ministry.example
  - id: dana
    name: {given: Dana, family: Park}
    gender: f
    honorific: Ms.
    languages: [en]
  - id: sam
    name: {given: Sam, family: Lee}
    title: Director
  - id: kim
    name: {given: Kim, family: Ito}
    title: Adviser
    email: kim@association.example
"""
CAMPAIGN = """title: {en: Our request, es: Nuestra solicitud}
subject: {en: Cross-border data, es: Datos transfronterizos}
date: 2024-05-02
template: note
languages: [en, es]
to: [ana, ben, dana]
cc: [kim]
from: [sam]
bundle: true
enclosures:
  - {text: {en: Our position paper, es: Nuestro documento de posición}, file: assets/paper.pdf}
email: {docx: true}
"""


def workspace(root: Path) -> Path:
    root = make_workspace(
        root,
        {
            "letterforge.yaml": SETTINGS,
            "recipients/people.yaml": PEOPLE,
            "templates/note/letter.es.md.j2": "Les escribimos sobre {{ campaign.title }}.\n",
            "campaigns/note.yaml": CAMPAIGN,
        },
    )
    (root / "assets").mkdir()
    (root / "assets" / "paper.pdf").write_bytes(b"%PDF-1.4\n% a position paper\n%%EOF\n")
    return root


def parsed(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_draft_parses_into_the_letter_its_note_and_its_files(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    assert run(root, "build", "-q").exit_code == 0
    result = run(root, "outbox")
    assert result.exit_code == 0, result.output
    assert "recipients/people.yaml:14:5: warning: dana has no email" in result.output
    assert "outbox: 2 written, 0 up to date" in result.output
    outbox = root / "build" / "note" / "outbox"
    assert sorted(path.name for path in outbox.glob("*.eml")) == ["ana.eml", "ben.eml"]

    ben = parsed(outbox / "ben.eml")
    assert ben["From"] == "Policy Team <policy@association.example>"
    assert ben["To"] == "Ben Okafor <ben@ministry.example>"
    assert ben["Cc"] == "Kim Ito <kim@association.example>"
    assert ben["Reply-To"] == "replies@association.example"
    assert ben["Subject"] == "Cross-border data"
    assert ben["X-Unsent"] == "1"
    assert ben["Date"] == "Thu, 02 May 2024 09:00:00 +0000"
    assert ben["Message-ID"].endswith(".letterforge@association.example>")
    assert [part.get_content_type() for part in ben.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
    ]
    plain = ben.get_body(("plain",))
    html = ben.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == (
        "Dear Mr. Okafor:\n\nPlease find attached our letter of May 2, 2024, signed by Sam Lee."
        "\n\nSincerely,\n\nExample Association\n"
    )
    assert "<p>Dear Mr. Okafor:</p>" in html.get_content()
    build = root / "build" / "note"
    files = {part.get_filename(): part.get_payload(decode=True) for part in ben.iter_attachments()}
    assert files == {
        "note-en.pdf": (build / "en" / "ben.pdf").read_bytes(),
        "note-en.docx": (build / "en" / "ben.docx").read_bytes(),
        "paper.pdf": (root / "assets" / "paper.pdf").read_bytes(),
    }
    # Ana reads Spanish first: the Spanish subject and note, and her bundle of both.
    ana = parsed(outbox / "ana.eml")
    assert ana["Subject"] == "Datos transfronterizos"
    assert ana["Content-Language"] == "es"
    note = ana.get_body(("plain",))
    assert note is not None and "Le hacemos llegar adjunta nuestra carta" in note.get_content()
    assert {part.get_filename() for part in ana.iter_attachments()} == {
        "note.pdf",
        "note.docx",
        "paper.pdf",
    }
    # The printed enclosure line stays in the letter.
    assert run(root, "preview", "note", "--to", "ben").stdout.count("Our position paper") == 1


def test_drafts_are_byte_identical_across_builds_and_written_only_when_they_change(
    tmp_path: Path,
) -> None:
    root = workspace(tmp_path / "ws")
    run(root, "build", "-q")
    run(root, "outbox")
    outbox = root / "build" / "note" / "outbox"
    first = {path.name: path.read_bytes() for path in outbox.glob("*.eml")}
    shutil.rmtree(root / "build")
    run(root, "build", "-q")
    assert "outbox: 2 written" in run(root, "outbox").output
    assert {path.name: path.read_bytes() for path in outbox.glob("*.eml")} == first
    assert "outbox: 0 written, 2 up to date" in run(root, "outbox").output

    # A change to the copies rewrites the drafts; the letters stay as they are.
    replace_in(
        root / "campaigns" / "note.yaml", "email: {docx: true}", "email: {docx: true, cc: false}"
    )
    assert "outbox: 2 written" in run(root, "outbox").output
    assert parsed(outbox / "ben.eml")["Cc"] is None


def test_an_edited_draft_is_kept_and_a_departed_recipient_loses_theirs(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    run(root, "build", "-q")
    run(root, "outbox")
    outbox = root / "build" / "note" / "outbox"
    edited = outbox / "ben.eml"
    edited.write_bytes(edited.read_bytes().replace(b"Please find", b"Here is"))
    replace_in(root / "campaigns" / "note.yaml", "to: [ana, ben, dana]", "to: [ben, dana]")
    run(root, "build", "-q")
    result = run(root, "outbox")
    assert result.exit_code == 0, result.output
    assert "build/note/outbox/ben.eml: warning: kept: edited since letterforge wrote it" in (
        result.output
    )
    assert b"Here is" in edited.read_bytes()
    assert not (outbox / "ana.eml").exists()


def test_outbox_refuses_letters_that_are_not_ready(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    result = run(root, "outbox")
    assert result.exit_code == 1
    assert "build/note/en/ben.pdf: error: note/ben: not built: run letterforge build note" in (
        result.output
    )
    assert not (root / "build" / "note" / "outbox").exists()
    (root / "letterforge.yaml").write_text(SETTINGS.split("delivery:")[0], encoding="utf-8")
    result = run(root, "outbox")
    assert result.exit_code == 1
    assert "letterforge.yaml: error: no delivery: section" in result.output


def test_a_campaign_writes_its_own_cover_note(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    note = root / "templates" / "note" / "email.en.md.j2"
    note.write_text(
        "{{ recipient.salutation }}\n\nOur letter on **{{ campaign.subject }}** is attached.\n",
        encoding="utf-8",
    )
    run(root, "build", "-q")
    assert run(root, "outbox").exit_code == 0
    ben = parsed(root / "build" / "note" / "outbox" / "ben.eml")
    plain, html = ben.get_body(("plain",)), ben.get_body(("html",))
    assert plain is not None and html is not None
    assert "Our letter on Cross-border data is attached." in plain.get_content()
    assert "<strong>Cross-border data</strong>" in html.get_content()


def test_check_warns_about_recipients_without_email_and_missing_enclosures(
    tmp_path: Path,
) -> None:
    root = workspace(tmp_path / "ws")
    (root / "assets" / "paper.pdf").unlink()
    result = run(root, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "recipients/people.yaml:14:5: warning: dana has no email" in "\n".join(lines)
    assert any(
        line.startswith("campaigns/note.yaml:11:")
        and "enclosures[0].file: assets/paper.pdf does not exist" in line
        for line in lines
    )
