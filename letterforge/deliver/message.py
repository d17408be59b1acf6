"""One letter as an RFC 5322 message: the cover note as text with an HTML alternative, and the
letter's files attached.

The same letter always gives the same bytes: the Message-ID, the Date of a draft and the MIME
boundaries come from the campaign, the recipient and the attachments' SHA-256, never from the
clock or chance, so a rebuilt outbox changes only where a letter changed, and a message is
known by its Message-ID in the sent log and in the recipient's mailbox alike.
"""

from __future__ import annotations

import datetime
import hashlib
import html
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from letterforge.document import (
    NO_BREAK_HYPHEN,
    Block,
    Image,
    LineBreak,
    Role,
    Text,
    plain_text_of,
)
from letterforge.writers.html import formatted

if TYPE_CHECKING:
    from letterforge.deliver.letters import Outgoing
    from letterforge.workspace.settings import DeliverySettings

# Written in CRLF, as mail is: what Outlook, Thunderbird and Apple Mail open as a draft.
MAIL_POLICY = policy.SMTP
# The hour a draft is dated on the letter's date: mail clients set their own when they send.
DRAFT_HOUR = datetime.time(9, 0, tzinfo=datetime.UTC)


def message_key(letter: Outgoing) -> str:
    """What identifies this version of the letter: its campaign, recipient and files."""
    parts = [letter.campaign.name, letter.id, *(a.sha256 for a in letter.attachments)]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def message_id(key: str, delivery: DeliverySettings) -> str:
    """The Message-ID of the letter version ``key``, at the sender's domain."""
    domain = parseaddr(delivery.sender_address)[1].rpartition("@")[2]
    return f"<{key[:32]}.letterforge@{domain}>"


def compose(
    letter: Outgoing, delivery: DeliverySettings, *, sent_at: datetime.datetime | None = None
) -> EmailMessage:
    """The message carrying ``letter``: a draft (``X-Unsent: 1``, dated on the letter's date)
    unless ``sent_at`` is given, when it is the message as it is sent, dated then."""
    assert letter.to is not None, "a letter without an address has no message"
    key = message_key(letter)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = delivery.sender_address
    message["To"] = letter.to
    if letter.cc:
        message["Cc"] = ", ".join(letter.cc)
    if delivery.reply_to:
        message["Reply-To"] = delivery.reply_to
    message["Subject"] = letter.subject
    date = sent_at or datetime.datetime.combine(letter.campaign.campaign.date, DRAFT_HOUR)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(key, delivery)
    if sent_at is None:
        message["X-Unsent"] = "1"  # opened as a draft, to send from the user's own account
    message.set_content(plain_text_of(letter.cover) + "\n")
    message.add_alternative(_html(letter.cover, letter.lang), subtype="html")
    for attachment in letter.attachments:
        maintype, subtype = attachment.content_type.split("/")
        message.add_attachment(
            attachment.read(), maintype=maintype, subtype=subtype, filename=attachment.name
        )
    message["Content-Language"] = letter.lang  # after the content, which clears Content-*
    # The boundaries a generator would draw at random, drawn from the letter instead.
    message.set_boundary(f"=_letterforge_{key[:24]}_mixed")
    alternative = next(message.iter_parts())
    assert isinstance(alternative, EmailMessage)
    alternative.set_boundary(f"=_letterforge_{key[:24]}_alternative")
    for part in list(message.walk())[1:]:  # the email package repeats it in parts; once will do
        del part["MIME-Version"]
    return message


def as_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=MAIL_POLICY)


# The cover note as HTML: paragraphs with their emphasis and links, nothing else.


def _html(blocks: tuple[Block, ...], lang: str) -> str:
    paragraphs = "\n".join(_paragraph(block) for block in blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head><meta charset="utf-8">'
        f"</head>\n<body>\n{paragraphs}\n</body>\n</html>\n"
    )


def _paragraph(block: Block) -> str:
    text = "".join(_inline(inline) for inline in block.inlines)
    if block.role is Role.HEADING:
        return f"<p><strong>{text}</strong></p>"
    if block.list_marker is not None:
        indent = f' style="margin-left:{1.5 * (block.depth + 1):g}em"'
        return f"<p{indent}>{html.escape(block.list_marker)} {text}</p>"
    return f"<p>{text}</p>"


def _inline(inline: Text | LineBreak | Image) -> str:
    if isinstance(inline, LineBreak):
        return "<br>"
    if isinstance(inline, Image):
        return html.escape(inline.alt)
    return formatted(html.escape(inline.text).replace(NO_BREAK_HYPHEN, "-"), inline)
