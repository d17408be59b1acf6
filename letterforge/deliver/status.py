"""``letterforge status``: where each letter of a campaign stands in the sent log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from letterforge.compose import Composer
from letterforge.errors import Problems
from letterforge.workspace.sent_log import NOT_SENT, SentLog


@dataclass(frozen=True)
class LetterStatus:
    campaign: str
    recipient: str
    state: str  # sent …, failed …, unresolved …, not sent, no email

    def line(self, width: int) -> str:
        return f"{f'{self.campaign}/{self.recipient}':<{width}}  {self.state}"


def letter_statuses(root: Path, *, campaigns: tuple[str, ...] = ()) -> list[LetterStatus]:
    """The delivery state of every letter of ``campaigns`` (all when none is named).

    Raises:
        Problems: the workspace has errors, or a sent log cannot be read (at its line).
    """
    composer = Composer.open(root, campaigns=campaigns)
    if composer.errors:
        raise Problems(composer.errors)
    statuses = []
    for campaign in composer.renderable:
        states = SentLog.read(root, campaign.name).states()
        for recipient in campaign.recipients:
            person = recipient.person
            state = states.get(person.id)
            if state is not None:
                text = state.describe()
            else:
                text = NOT_SENT if person.email else "no email: send it by hand"
            statuses.append(LetterStatus(campaign.name, person.id, text))
    return statuses


def summary(statuses: list[LetterStatus]) -> str:
    sent = sum(status.state.startswith("sent") for status in statuses)
    failed = sum(status.state.startswith("failed") for status in statuses)
    unresolved = sum(status.state.startswith("unresolved") for status in statuses)
    rest = len(statuses) - sent - failed - unresolved
    parts = [f"{sent} sent", f"{failed} failed", f"{rest} not sent"]
    if unresolved:
        parts.insert(2, f"{unresolved} unresolved")
    return f"status: {', '.join(parts)}"
