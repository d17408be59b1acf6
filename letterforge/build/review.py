"""The review page and mail-out list a build leaves beside each campaign's letters.

``build/<campaign>/index.html`` shows every letter of the campaign: its recipient, language
and page count, a picture of its first page, and links to its PDF and DOCX. A reviewer opens
it from a CI artifact or a shared drive and sees the whole batch at once. Beside it,
``manifest.csv`` lists each letter once, with the recipient's email and the SHA-256 of each
file, for whoever sends them and ticks them off.

Both are made from the campaign's manifest, so they describe exactly the files in the folder,
written now or by an earlier build. They carry no time of their own, so the same letters give
the same bytes.

Thumbnails are drawn by the process that wrote the PDF, from the PDF itself, so they show what
was written. Drawing one takes about 7 ms, against 80 to 100 ms for writing the PDF.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from letterforge.build.outputs import (
    MAIL_OUT_LIST,
    REVIEW_PAGE,
    file_sha256,
    replace_file,
)
from letterforge.workspace.sent_log import NOT_SENT, LetterState

if TYPE_CHECKING:
    from letterforge.build.manifest import Manifest, OutputRecord
    from letterforge.build.plan import PlannedDocument
    from letterforge.workspace.loader import PersonRecord
    from letterforge.workspace.resolve import ResolvedCampaign

THUMBNAIL_WIDTH = 122  # CSS pixels
# Spreadsheets run a cell that starts with one of these as a formula; a roster entry must
# not be able to do that in whoever opens the mail-out list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAIL_OUT_COLUMNS = (
    "recipient",
    "name",
    "email",
    "language",
    "pages",
    "pdf",
    "pdf_sha256",
    "docx",
    "docx_sha256",
    "out_of_date",
)


def write_review(
    folder: Path,
    campaign: ResolvedCampaign,
    manifest: Manifest,
    planned: Iterable[PlannedDocument],
    fingerprints: dict[str, str],
    edited: Collection[str] = (),
    delivery: dict[str, LetterState] | None = None,
) -> None:
    """Write ``index.html`` and ``manifest.csv`` into the campaign's ``folder`` from its
    ``manifest``, listing the ``planned`` documents (the campaign's plan) it has files of. A file
    whose fingerprint differs from ``fingerprints`` (what it would be made from now) is
    marked out of date: a build narrowed by format, language or recipient left it. The files
    ``edited`` by hand since they were written are listed as they are now, marked edited.
    With ``delivery`` (each recipient's state in the sent log), both say what was sent."""
    documents = _documents(folder, campaign, manifest, planned, fingerprints, set(edited))
    page = _page(folder, campaign, documents, delivery)
    replace_file(folder / REVIEW_PAGE, page.encode("utf-8"))
    replace_file(folder / MAIL_OUT_LIST, _mail_out_list(documents, delivery))


def delivery_state(person_id: str, delivery: dict[str, LetterState]) -> str:
    state = delivery.get(person_id)
    return state.describe() if state is not None else NOT_SENT


class _Document:
    """One document of the review: its recipient and the files written of it."""

    def __init__(
        self,
        stem: str,
        recipient: PersonRecord,
        files: dict[str, OutputRecord],
        out_of_date: list[str],
        edited: list[str],
    ):
        self.stem = stem
        self.recipient = recipient
        self.files = files  # by format
        self.out_of_date = out_of_date  # formats
        self.edited = edited  # formats
        some = next(iter(files.values()))
        self.languages: list[str] = some.languages
        pdf = files.get("pdf")
        self.pages = pdf.pages if pdf is not None else None
        self.thumbnail = pdf.thumbnail if pdf is not None else None

    def name(self, fmt: str) -> str:
        return f"{self.stem}.{fmt}"


def _documents(
    folder: Path,
    campaign: ResolvedCampaign,
    manifest: Manifest,
    planned: Iterable[PlannedDocument],
    fingerprints: dict[str, str],
    edited: set[str],
) -> list[_Document]:
    people = {record.person.id: record for record in campaign.recipients}
    by_stem: dict[str, dict[str, OutputRecord]] = {}
    for name, record in manifest.outputs.items():
        stem, fmt = name.rsplit(".", 1)
        if name in edited:  # listed as it is now: the list must match the files there
            path = folder / name
            try:
                size, sha256 = path.stat().st_size, file_sha256(path)
            except OSError:  # removed since: not there to list
                continue
            record = dataclasses.replace(record, size=size, sha256=sha256)
        by_stem.setdefault(stem, {})[fmt] = record
    documents = []
    for document in planned:
        files = by_stem.get(document.stem)
        if files:
            out_of_date = [
                fmt
                for fmt, record in files.items()
                if record.fingerprint != fingerprints.get(f"{document.stem}.{fmt}")
            ]
            recipient = people[document.recipient]
            hand = [fmt for fmt in files if f"{document.stem}.{fmt}" in edited]
            documents.append(_Document(document.stem, recipient, files, out_of_date, hand))
    return documents


# The mail-out list


def _mail_out_list(documents: list[_Document], delivery: dict[str, LetterState] | None) -> bytes:
    # UTF-8 with a byte-order mark: without one, Excel reads López as LÃ³pez.
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow((*MAIL_OUT_COLUMNS, "delivery") if delivery is not None else MAIL_OUT_COLUMNS)
    for document in documents:
        person = document.recipient.person
        pdf, docx = document.files.get("pdf"), document.files.get("docx")
        writer.writerow(
            _cell(value)
            for value in (
                person.id,
                person.full_name,
                person.email or "",
                "+".join(document.languages),
                "" if document.pages is None else str(document.pages),
                document.name("pdf") if pdf else "",
                pdf.sha256 if pdf else "",
                document.name("docx") if docx else "",
                docx.sha256 if docx else "",
                " ".join(document.out_of_date),
                *([delivery_state(person.id, delivery)] if delivery is not None else []),
            )
        )
    return output.getvalue().encode("utf-8-sig")


def _cell(value: str) -> str:
    """``value``, made inert for spreadsheets: a leading quote keeps it from being a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


# The review page


def _page(
    folder: Path,
    campaign: ResolvedCampaign,
    documents: list[_Document],
    delivery: dict[str, LetterState] | None,
) -> str:
    lang = campaign.languages[0]
    title = campaign.campaign.title.get(lang) or campaign.name
    recipients = len({document.recipient.person.id for document in documents})
    files = sum(len(document.files) for document in documents)
    facts = [
        ("Campaign", f"{campaign.name} · {campaign.campaign.date.isoformat()}"),
        ("Signed by", _people(campaign.signatories, lang)),
    ]
    if campaign.cc:
        facts.append(("CC", _people(campaign.cc, lang)))
    facts.append(
        (
            "Letters",
            f"{len(documents)} documents to {recipients} recipient{'s' * (recipients != 1)} "
            f"({files} file{'s' * (files != 1)}); "
            f'mail-out list: <a href="{MAIL_OUT_LIST}">{MAIL_OUT_LIST}</a>',
        )
    )
    stale = sum(len(document.out_of_date) for document in documents)
    if stale:
        facts.append(
            (
                "Out of date",
                f"<mark>{stale} file{'s' * (stale != 1)}</mark> made before the latest edits "
                "(a build narrowed by format, language or recipient left them); "
                "run <code>letterforge build</code>",
            )
        )
    rows = "\n".join(_row(folder, document, delivery) for document in documents)
    sent_column = "<th>Email</th>" if delivery is not None else ""
    header = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="letterforge">
<title>{_text(title)}: letters for review</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>{_text(title)}</h1>
<dl>{header}</dl>
</header>
<main>
<table>
<thead><tr><th>First page</th><th>Recipient</th><th>Language</th><th>Pages</th><th>Files</th>\
{sent_column}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
</main>
</body>
</html>
"""


def _row(folder: Path, document: _Document, delivery: dict[str, LetterState] | None) -> str:
    from letterforge.workspace.conventions import language_name

    person = document.recipient.person
    lang = document.languages[0]
    pdf = document.files.get("pdf")
    picture = ""
    if document.thumbnail is not None and (folder / document.thumbnail).is_file():
        image = (
            f'<img src="{_url(document.thumbnail)}" width="{THUMBNAIL_WIDTH}" '
            f'alt="First page of the letter to {_text(person.full_name)}" loading="lazy">'
        )
        picture = f'<a href="{_url(document.name("pdf"))}">{image}</a>' if pdf else image
    details = [f"<strong>{_text(person.full_name)}</strong> <code>{_text(person.id)}</code>"]
    for field in (person.title, person.organization):
        text = field.get(lang) if field is not None else None
        if text:
            details.append(_text(text))
    if person.email:
        details.append(f'<a href="mailto:{_url(person.email)}">{_text(person.email)}</a>')
    languages = " + ".join(language_name(each) for each in document.languages)
    links = " ".join(
        f'<a href="{_url(document.name(fmt))}">{fmt.upper()}</a>'
        f" <small>{_size(document.files[fmt].size)}</small>"
        + (" <mark>out of date</mark>" if fmt in document.out_of_date else "")
        + (" <mark>edited by hand</mark>" if fmt in document.edited else "")
        for fmt in ("pdf", "docx")
        if fmt in document.files
    )
    pages = "" if document.pages is None else _text(str(document.pages))
    sent = ""
    if delivery is not None:
        state = delivery_state(person.id, delivery)
        mark = "mark" if state.startswith(("failed", "unresolved")) else "span"
        sent = f'<td class="sent"><{mark}>{_text(state)}</{mark}></td>'
    return (
        f'<tr id="{_text(document.stem)}"><td class="page">{picture}</td>'
        f"<td>{'<br>'.join(details)}</td><td>{_text(languages)}</td>"
        f'<td class="count">{pages}</td><td class="files">{links}</td>{sent}</tr>'
    )


def _people(people: Iterable[PersonRecord], lang: str) -> str:
    names = []
    for record in people:
        title = record.person.title.get(lang) if record.person.title else None
        name = _text(record.person.full_name)
        names.append(f"{name} <small>({_text(title)})</small>" if title else name)
    return "; ".join(names) or "nobody"


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _url(path: str) -> str:
    return html.escape(quote(path, safe="/@:"), quote=True)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} B"


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2430; margin: 2rem auto;
  max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 1.5rem; }
dt { font-weight: 600; color: #4a5568; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em;
  color: #4a5568; border-bottom: 2px solid #cbd2dc; padding: .4rem .6rem; }
td { vertical-align: top; border-bottom: 1px solid #e2e6ec; padding: .6rem; }
tr:target { background: #fff7d6; }
td.page img { display: block; border: 1px solid #cbd2dc; box-shadow: 0 1px 3px #0002;
  height: auto; background: #fff; }
td.count { text-align: right; }
td.files a { font-weight: 600; margin-right: .2rem; }
mark { background: #fde68a; color: #713f12; border-radius: 3px; padding: 0 .3em; font-size: .8em; }
small { color: #5f6b7a; }
code { font-size: .85em; color: #5f6b7a; }
a { color: #1f5fbf; }
@media print { td.page img { box-shadow: none; } }
"""
