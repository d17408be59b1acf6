"""What ``check`` says about a campaign's emails, when the workspace delivers by email: who has
no address (their letter gets no draft and is not sent), enclosure files that are not there,
and the cover note, rendered once per language as ``outbox`` would."""

from __future__ import annotations

from letterforge.compose import Composer
from letterforge.errors import Finding, LetterforgeError
from letterforge.render.renderer import LetterRenderer, LetterSource
from letterforge.workspace.assets import AssetProblem, asset_path
from letterforge.workspace.campaign import Enclosure
from letterforge.workspace.loader import PersonRecord
from letterforge.workspace.resolve import ResolvedCampaign


def check_emails(composer: Composer, renderer: LetterRenderer, campaign: ResolvedCampaign) -> None:
    """Warn about recipients without an email; report missing enclosure files and cover notes
    that do not render."""
    root = renderer.workspace.root
    for recipient in campaign.recipients:
        if not recipient.person.email:
            composer.add(campaign.without_email(recipient))
    document = campaign.record.document
    for index, item in enumerate(campaign.campaign.enclosures):
        if not isinstance(item, Enclosure):
            continue
        try:
            asset_path(root, item.file, thing="file", example="assets/paper.pdf")
        except AssetProblem as problem:
            composer.add(
                Finding(
                    document.location(("enclosures", index, "file")),
                    f"enclosures[{index}].file: {problem}: emails attach it",
                )
            )
    first_by_language: dict[str, PersonRecord] = {}
    for recipient in campaign.recipients:
        first_by_language.setdefault(campaign.languages_for(recipient)[0], recipient)
    for lang, recipient in first_by_language.items():
        try:
            renderer.cover_note(LetterSource(campaign, recipient, lang))
        except LetterforgeError as err:
            composer.add(err)
