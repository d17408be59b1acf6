"""The documents of a campaign: a letter per recipient and language, and each recipient's
bundle of every language when the campaign asks for bundles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from letterforge.build.outputs import BUNDLE_DIR

if TYPE_CHECKING:
    from letterforge.workspace.loader import ResolvedCampaign


@dataclass(frozen=True)
class PlannedDocument:
    """One document of a campaign: a letter, or a recipient's bundle of every language."""

    campaign: str
    stem: str  # inside build/<campaign>/: en/romo, bundle/romo
    recipient: str
    languages: tuple[str, ...]

    @property
    def output(self) -> str:
        """The document's name in build/: ``<campaign>/<stem>``, without a format."""
        return f"{self.campaign}/{self.stem}"


def plan_documents(
    campaign: ResolvedCampaign, *, languages: Iterable[str] = (), only: Iterable[str] = ()
) -> list[PlannedDocument]:
    """The documents of ``campaign``: a letter per recipient and language, and a bundle of
    each recipient's languages when the campaign asks for bundles and none is left out."""
    # Here, not at the top: a build with nothing to do imports neither pydantic nor YAML.
    from letterforge.workspace.languages import narrowed

    languages, only = list(languages), list(only)
    documents = []
    for recipient in campaign.recipients:
        person_id = recipient.person.id
        if only and person_id not in only:
            continue
        every = campaign.languages_for(recipient)
        chosen = tuple(narrowed(every, languages))
        for lang in chosen:
            documents.append(
                PlannedDocument(campaign.name, f"{lang}/{person_id}", person_id, (lang,))
            )
        if campaign.campaign.bundle and len(chosen) == len(every) > 1:
            documents.append(
                PlannedDocument(campaign.name, f"{BUNDLE_DIR}/{person_id}", person_id, chosen)
            )
    return documents
