"""The letters ready to go by email: for each recipient of a campaign, who the message goes to,
its subject and cover note, and the built files it attaches, each checked against what the
workspace would make now and against what the build wrote.

Nothing here writes or sends: ``outbox`` turns these into drafts and ``send`` into mail. A
letter that is not built, is out of date, or whose file changed since the build carries its
problem, and neither command lets it go.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.utils import formataddr
from pathlib import Path
from typing import TYPE_CHECKING

from letterforge.build.manifest import Manifest, WorkspaceInputs
from letterforge.build.outputs import file_sha256
from letterforge.build.plan import PlannedDocument, fingerprints, plan_documents
from letterforge.compose import Composer
from letterforge.errors import DeliveryError, Location, Problems
from letterforge.render.renderer import LetterSource
from letterforge.workspace.assets import AssetProblem, asset_path
from letterforge.workspace.campaign import Enclosure
from letterforge.workspace.paths import BUILD_DIR, SETTINGS_FILE

if TYPE_CHECKING:
    from letterforge.document import Block
    from letterforge.workspace.loader import PersonRecord
    from letterforge.workspace.resolve import ResolvedCampaign
    from letterforge.workspace.settings import DeliverySettings

# Mail servers commonly refuse messages over 25 MB; base64 makes attachments a third larger.
MAX_ATTACHMENTS_BYTES = 18 * 1024 * 1024
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Attachment:
    """A file an email carries, and the name it carries it under."""

    name: str  # as the recipient sees it: usmca-review-2025-en.pdf
    path: Path
    shown: str  # as messages show it: build/usmca-review-2025/en/romo.pdf
    sha256: str  # what the build wrote (or, for an enclosure, the file now)
    content_type: str

    def read(self) -> bytes:
        """The file's bytes, refused when they are no longer what was checked."""
        data = self.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise DeliveryError("changed while it was being sent; run it again", self.location)
        return data

    @property
    def location(self) -> Location:
        return Location(self.shown)


@dataclass
class Outgoing:
    """One recipient's letter as an email: ready when it has no problems."""

    campaign: ResolvedCampaign
    recipient: PersonRecord
    lang: str  # the recipient's first language: the subject's and the cover note's
    to: str | None  # ``Name <address>``; None: the roster has no email for them
    cc: list[str]
    subject: str
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[DeliveryError] = field(default_factory=list)
    cover: tuple[Block, ...] = ()

    @property
    def id(self) -> str:
        return self.recipient.person.id

    @property
    def name(self) -> str:
        """``campaign/recipient``, as lists show a letter."""
        return f"{self.campaign.name}/{self.id}"

    @property
    def addresses(self) -> list[str]:
        """Every address the message goes to: the recipient's, then the copies'."""
        from email.utils import getaddresses

        return [address for _, address in getaddresses([self.to or "", *self.cc]) if address]


@dataclass
class Outgoings:
    """The letters of the chosen campaigns, as emails, and the delivery settings."""

    root: Path
    delivery: DeliverySettings
    resolved: list[ResolvedCampaign]  # every campaign chosen, even one with no letter to send
    letters: list[Outgoing]
    without_email: list[Outgoing]

    @property
    def campaigns(self) -> list[str]:
        return [campaign.name for campaign in self.resolved]


def outgoing_letters(
    root: Path, *, campaigns: tuple[str, ...] = (), only: tuple[str, ...] = ()
) -> Outgoings:
    """Every letter of ``campaigns`` (all when none is named), or only those to ``only``, as an
    email, with what stands in its way.

    Raises:
        Problems: the workspace has errors (what ``check`` reports).
        DeliveryError: letterforge.yaml has no ``delivery:`` section.
    """
    composer = Composer.open(root, campaigns=campaigns, only=only)
    if composer.errors:
        raise Problems(composer.errors)
    assert composer.workspace is not None and composer.renderer is not None
    delivery = composer.workspace.settings.delivery
    if delivery is None:
        raise DeliveryError(
            "no delivery: section: add one with the address emails come from, "
            "delivery: {from: 'Name <address>'}",
            Location(SETTINGS_FILE),
        )
    inputs = WorkspaceInputs.read(root)
    letters, without_email = [], []
    for campaign in composer.renderable:
        documents = plan_documents(campaign)
        prints = fingerprints(campaign, documents, inputs)
        folder = root / BUILD_DIR / campaign.name
        manifest = Manifest.read(folder)
        enclosures = _enclosures(root, campaign)
        for recipient in campaign.recipients:
            if only and recipient.person.id not in only:
                continue
            letter = _outgoing(campaign, recipient)
            _check_addresses(letter)
            if letter.to is None:
                without_email.append(letter)
                continue
            mine = [document for document in documents if document.recipient == letter.id]
            _attach(letter, mine, folder, manifest, prints, root)
            for attachment in enclosures:
                if isinstance(attachment, DeliveryError):
                    letter.problems.append(attachment)
                else:
                    letter.attachments.append(attachment)
            _check_size(letter)
            letter.cover = composer.renderer.cover_note(
                LetterSource(campaign, recipient, letter.lang)
            )
            letters.append(letter)
    return Outgoings(
        root,
        delivery,
        composer.renderable,
        letters,
        without_email,
    )


def _outgoing(campaign: ResolvedCampaign, recipient: PersonRecord) -> Outgoing:
    person = recipient.person
    lang = campaign.languages_for(recipient)[0]
    options = campaign.campaign.email
    copies = [
        _mailbox(record.person.full_name, record.person.email)
        for record in campaign.cc
        if options.cc and record.person.email and record.person.id != person.id
    ]
    subject = campaign.campaign.subject or campaign.campaign.title
    return Outgoing(
        campaign,
        recipient,
        lang,
        _mailbox(person.full_name, person.email) if person.email else None,
        copies,
        subject.get(lang) or campaign.campaign.title.get(lang) or campaign.name,
    )


def _mailbox(name: str, address: str) -> str:
    """``Name <address>`` as people read it (the message encodes it as mail needs)."""
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, HeaderParseError):  # reported at the roster by _check_addresses
        try:
            return formataddr((name, address))
        except UnicodeEncodeError:
            return address


def _attach(
    letter: Outgoing,
    documents: list[PlannedDocument],
    folder: Path,
    manifest: Manifest,
    prints: dict[str, str],
    root: Path,
) -> None:
    """Attach the recipient's bundle where they have one, else each language version; the
    DOCX too when the campaign asks. Each file must be built, up to date, and as built."""
    bundles = [document for document in documents if len(document.languages) > 1]
    chosen = bundles or documents
    formats = ["pdf", "docx"] if letter.campaign.campaign.email.docx else ["pdf"]
    campaign = letter.campaign.name
    for document in chosen:
        for fmt in formats:
            name = f"{document.stem}.{fmt}"
            shown = f"{BUILD_DIR}/{campaign}/{name}"
            record = manifest.outputs.get(name)
            build = f"run letterforge build {campaign}"
            if record is None or not (folder / name).is_file():
                problem = f"not built: {build}"
            elif record.fingerprint != prints.get(name):
                problem = f"out of date: the workspace changed since it was built; {build}"
            elif file_sha256(folder / name) != record.sha256:
                problem = (
                    "changed since it was built (edited by hand?): letterforge sends only "
                    f"what it built; move your copy away and {build}"
                )
            else:
                suffix = "-".join(document.languages) if not bundles else ""
                attached = f"{campaign}-{suffix}" if suffix else campaign
                letter.attachments.append(
                    Attachment(
                        f"{attached}.{fmt}",
                        folder / name,
                        shown,
                        record.sha256,
                        CONTENT_TYPES[f".{fmt}"],
                    )
                )
                continue
            letter.problems.append(DeliveryError(problem, Location(shown)))


def _enclosures(root: Path, campaign: ResolvedCampaign) -> list[Attachment | DeliveryError]:
    """The enclosures of ``campaign`` that name a file in assets/, as attachments."""
    found: list[Attachment | DeliveryError] = []
    document = campaign.record.document
    for index, item in enumerate(campaign.campaign.enclosures):
        if not isinstance(item, Enclosure):
            continue
        location = document.location(("enclosures", index, "file"))
        try:
            path = asset_path(root, item.file, thing="file", example="assets/paper.pdf")
        except AssetProblem as problem:
            found.append(DeliveryError(f"enclosures[{index}].file: {problem}", location))
        else:
            suffix = Path(item.file).suffix.lower()
            found.append(
                Attachment(
                    Path(item.file).name,
                    path,
                    item.file,
                    file_sha256(path),
                    CONTENT_TYPES.get(suffix, "application/octet-stream"),
                )
            )
    return found


def _check_addresses(letter: Outgoing) -> None:
    """Each address must be one a server takes: a typo is found here, at its roster line."""
    from email_validator import EmailNotValidError, validate_email

    for record in (letter.recipient, *letter.campaign.cc):
        email = record.person.email
        if email and (record is letter.recipient or letter.campaign.campaign.email.cc):
            try:
                validate_email(email, check_deliverability=False, allow_smtputf8=False)
            except EmailNotValidError as err:
                letter.problems.append(
                    DeliveryError(
                        f"email: {email!r} is not an address: {err}", record.location("email")
                    )
                )


def _check_size(letter: Outgoing) -> None:
    total = sum(attachment.path.stat().st_size for attachment in letter.attachments)
    if total > MAX_ATTACHMENTS_BYTES:
        letter.problems.append(
            DeliveryError(
                f"its attachments come to {total / 1024 / 1024:.1f} MB; mail servers refuse "
                f"messages much over {MAX_ATTACHMENTS_BYTES // 1024 // 1024} MB",
                letter.recipient.location("email"),
            )
        )


def ready_or_raise(letters: list[Outgoing]) -> None:
    """Raise every problem of ``letters`` together, each at its file and naming its letter."""
    problems = [
        DeliveryError(f"{letter.name}: {problem.message}", problem.location)
        for letter in letters
        for problem in letter.problems
    ]
    if problems:
        raise Problems(problems)
