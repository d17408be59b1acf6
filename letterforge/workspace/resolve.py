"""Resolving a campaign: the people its ids and tag queries name, each recipient's languages,
the office each person holds on the letter's date, and the facts for each recipient's letter.

What goes wrong is reported at the campaign's line that names the person, so that one check
finds every unknown id, every person without an office, and every letter without a language.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from letterforge.errors import Collector, ConfigError, Finding, did_you_mean
from letterforge.workspace.campaign import Campaign, TagQuery
from letterforge.workspace.languages import Localized, base_language
from letterforge.workspace.loader import CampaignRecord, DataLayer, PersonRecord, Workspace
from letterforge.workspace.model import PersonRole
from letterforge.workspace.yamlio import YamlPath, format_field_path

# An office that ends this many days after a letter's date or sooner is worth a warning: the
# letter may reach the office after its holder has left.
OFFICE_ENDING_DAYS = 30


@dataclass(frozen=True)
class ResolvedCampaign:
    """A campaign with every person id resolved and its languages settled.

    ``languages`` are the campaign's own; each recipient's letters are in
    ``letter_languages[id]``: the languages the person reads that the campaign is written in.
    Each person is as they are on the letter's date: in the office they hold then, and with
    the campaign's facts for their letter.
    """

    record: CampaignRecord
    languages: tuple[str, ...]
    recipients: tuple[PersonRecord, ...]
    cc: tuple[PersonRecord, ...]
    signatories: tuple[PersonRecord, ...]
    letter_languages: dict[str, tuple[str, ...]]
    # A recipient's own answer to "a bundle too?", where their to: entry gives one.
    bundles: dict[str, bool] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def campaign(self) -> Campaign:
        return self.record.campaign

    def without_email(self, recipient: PersonRecord) -> Finding:
        """The warning ``check``, ``outbox`` and ``send`` give about a recipient who has no
        email: their letter is left out of delivery."""
        return Finding(
            recipient.location(),
            f"{recipient.person.id} has no email: letterforge outbox and send leave out their "
            f"letter of {self.name}; add email: to their roster entry, or send it by hand",
            severity="warning",
        )

    def languages_for(self, recipient: PersonRecord) -> tuple[str, ...]:
        """The languages of the letters to ``recipient``, in the order they read them."""
        return self.letter_languages.get(recipient.person.id, self.languages)

    def bundle_for(self, recipient: PersonRecord) -> bool:
        """Whether ``recipient`` also gets one document with every language."""
        return self.bundles.get(recipient.person.id, self.record.campaign.bundle)

    @property
    def all_letter_languages(self) -> tuple[str, ...]:
        """Every language some letter of the campaign is written in, campaign's order first."""
        found = dict.fromkeys(self.languages if not self.recipients else ())
        for recipient in self.recipients:
            found.update(dict.fromkeys(self.languages_for(recipient)))
        return tuple(found)


def letter_languages(reads: list[str] | None, offered: tuple[str, ...]) -> tuple[str, ...]:
    """The languages to write to someone who ``reads`` these, of those a campaign ``offered``.

    A person's regional form is kept where the campaign offers its language (fr-CA from fr),
    and a campaign's regional form where the person reads its language (es-MX for es).
    """
    if reads is None:
        return offered
    chosen: dict[str, None] = {}
    for wanted in reads:
        for lang in offered:
            if wanted == lang or base_language(wanted) == lang:
                chosen[wanted] = None
                break
            if base_language(lang) == wanted:
                chosen[lang] = None
                break
    return tuple(chosen)


def resolve_campaign(
    workspace: Workspace,
    record: CampaignRecord,
    problems: Collector | None = None,
    *,
    languages: list[str] | None = None,
) -> ResolvedCampaign:
    """Resolve a campaign's ids and tag queries to people, in the order it names them.

    Args:
        workspace: the loaded workspace.
        record: the loaded campaign.
        problems: where to report unknown ids, people out of office and unsupported languages
            and go on with the rest, so a check finds the mistakes in the letters too;
            without it, the first problems are raised.
        languages: the campaign's writable languages, when the caller has them already.
    """
    collected = problems or Collector()
    if languages is None:
        languages = workspace.writable_languages(record, collected)
    resolved = _Resolution(workspace, record, collected).run(tuple(languages))
    if problems is None:
        collected.raise_if_any()
    return resolved


class _Resolution:
    """One campaign being resolved."""

    def __init__(self, workspace: Workspace, record: CampaignRecord, problems: Collector) -> None:
        self.workspace = workspace
        self.record = record
        self.document = record.document
        self.problems = problems
        self.date = record.campaign.date

    def run(self, languages: tuple[str, ...]) -> ResolvedCampaign:
        campaign = self.record.campaign
        recipients: dict[str, PersonRecord] = {}  # by id: a person named twice gets one letter
        named_at: dict[str, tuple[YamlPath, TagQuery | None]] = {}
        facts: dict[str, list[DataLayer]] = {}
        bundles: dict[str, bool] = {}
        for index, entry in enumerate(campaign.to):
            where = ("to", index)
            query = entry if isinstance(entry, TagQuery) else None
            chosen: list[PersonRecord] = []
            with self.problems.collect():
                if isinstance(entry, TagQuery):
                    chosen = self._query(entry, where)
                else:
                    chosen = [self._person(entry.id, where)]
            for person in chosen:
                person_id = person.person.id
                recipients.setdefault(person_id, person)
                named_at.setdefault(person_id, (where, query))
                # Entries naming a person again add to their facts, the later key by key.
                if entry.data:
                    layer = DataLayer(entry.data, self.document, (*where, "data"))
                    facts.setdefault(person_id, []).append(layer)
                if entry.bundle is not None:
                    bundles[person_id] = entry.bundle
        cc = self._people(campaign.cc, "cc")
        signatories = self._people(campaign.signatories, "from")
        self._recipients_in_copy(recipients)
        languages_by_id = {
            person_id: self._recipient_languages(person, languages, *named_at[person_id])
            for person_id, person in recipients.items()
        }
        in_office = {
            person_id: dataclasses.replace(
                self._in_office(person, named_at[person_id][0], languages),
                campaign_data=tuple(facts.get(person_id, ())),
            )
            for person_id, person in recipients.items()
        }
        return ResolvedCampaign(
            self.record,
            languages,
            # Someone who reads none of the campaign's languages gets no letter.
            tuple(person for person in in_office.values() if languages_by_id[person.person.id]),
            tuple(self._in_office(person, where, languages) for person, where in cc),
            tuple(self._in_office(person, where, languages) for person, where in signatories),
            languages_by_id,
            bundles,
        )

    def _in_office(
        self, record: PersonRecord, where: YamlPath, languages: tuple[str, ...]
    ) -> PersonRecord:
        """``record`` in the office they hold on the letter's date. Holding none is an error
        that names their nearest one; an office that ends soon after the date, a warning."""
        person = record.person
        if not person.roles:
            return record
        index = person.role_on(self.date)
        location = self.document.location(where)
        field = format_field_path(where)
        if index is None:
            self.problems.errors.append(
                ConfigError(
                    f"{field}: {person.id}: no office on {self.date}; "
                    f"{_nearest_office(person.roles, self.date, languages)}",
                    location,
                )
            )
            return record
        role = person.roles[index]
        if role.until is not None and (role.until - self.date).days <= OFFICE_ENDING_DAYS:
            days = (role.until - self.date).days
            title = _title(role, languages)
            self.problems.warnings.append(
                Finding(
                    location,
                    f"{field}: {person.id}: the office{f' of {title}' if title else ''} ends on "
                    f"{role.until}, {days} day{'s' * (days != 1)} after the letter's date: "
                    f"make sure the letter reaches them in office",
                    severity="warning",
                )
            )
        return dataclasses.replace(record, person=person.in_role(index), role=index)

    def _recipient_languages(
        self,
        recipient: PersonRecord,
        offered: tuple[str, ...],
        where: YamlPath,
        query: TagQuery | None,
    ) -> tuple[str, ...]:
        """The languages of the letters to ``recipient``: those they read that the campaign is
        written in. Reading none of them means no letter: an error for a person the campaign
        names, a warning for one a tag query takes (it cannot leave one person out)."""
        person = recipient.person
        if person.languages is None or not offered:
            return offered
        chosen = letter_languages(person.languages, offered)
        if not chosen:
            reads = (
                f"receives letters in {', '.join(person.languages)} only "
                f"({recipient.location('languages')}), and this campaign is written in "
                f"{', '.join(offered)}"
            )
            if query is None:
                self.problems.errors.append(
                    ConfigError(
                        f"{format_field_path(where)}: {person.id} {reads}: add "
                        f"{person.languages[0]} to its languages, or leave {person.id} out",
                        self.document.location(where),
                    )
                )
            else:
                self.problems.warnings.append(
                    Finding(
                        self.document.location(where),
                        f"{format_field_path(where)}: the tags {', '.join(query.tags)} take "
                        f"{person.id}, who {reads}: no letter for {person.id}",
                        severity="warning",
                    )
                )
            return ()
        written = []
        for lang in chosen:
            # A regional form the person reads (fr-CA) is checked as well as the campaign's fr.
            if lang in offered or self.workspace.can_write(
                lang,
                recipient.document,
                (*recipient.path, "languages", person.languages.index(lang)),
                self.problems,
            ):
                written.append(lang)
        return tuple(written)

    def _people(self, ids: list[str], key: str) -> list[tuple[PersonRecord, YamlPath]]:
        """The people of the CC list or the signatories, each with where the campaign names
        them."""
        found: list[tuple[PersonRecord, YamlPath]] = []
        first: dict[str, int] = {}
        for index, person_id in enumerate(ids):
            earlier = first.setdefault(person_id, index)
            if earlier != index:  # the letter would copy them twice, or sign twice
                self.problems.errors.append(
                    ConfigError(
                        f"{key}[{index}]: {person_id} is listed twice (first as "
                        f"{key}[{earlier}]): remove one",
                        self.document.location((key, index)),
                    )
                )
                continue
            with self.problems.collect():
                found.append((self._person(person_id, (key, index)), (key, index)))
        return found

    def _recipients_in_copy(self, recipients: dict[str, PersonRecord]) -> None:
        """Warn about a recipient in the CC list: the letter to them leaves them out of it,
        as copying someone to themselves makes no sense, but the list may be a mistake."""
        cc = self.record.campaign.cc
        for index, person_id in enumerate(cc):
            if person_id in recipients and index == cc.index(person_id):
                self.problems.warnings.append(
                    Finding(
                        self.document.location(("cc", index)),
                        f"cc[{index}]: {person_id} is also a recipient of this campaign: the "
                        f"letter to {person_id} leaves them out of its CC list",
                        severity="warning",
                    )
                )

    def _person(self, person_id: str, where: YamlPath) -> PersonRecord:
        people = self.workspace.people
        if person_id in people:
            return people[person_id]
        suggestion = did_you_mean(person_id, people)
        raise ConfigError(
            f"{format_field_path(where)}: no person with id {person_id!r} in recipients/"
            f"{suggestion}",
            self.document.location(where),
        )

    def _query(self, query: TagQuery, where: YamlPath) -> list[PersonRecord]:
        people = self.workspace.people.values()
        chosen = [record for record in people if query.matches(record.person)]
        if not chosen:
            tags = ", ".join(query.tags)
            raise ConfigError(
                f"{format_field_path(where)}: nobody in recipients/ has all of these tags: {tags}",
                self.document.location(where),
            )
        return chosen


def _nearest_office(
    roles: list[PersonRole], date: datetime.date, languages: tuple[str, ...]
) -> str:
    """The office held last before ``date`` (``last: Secretary of Foreign Affairs, until
    2023-06-12``), or, when none ended before it, the first after it."""
    ended = [role for role in roles if role.until is not None and role.until < date]
    if ended:
        role = max(ended, key=lambda role: role.until or date)
        return f"last: {_title(role, languages) or 'an office'}, until {role.until}"
    role = min(roles, key=lambda role: role.start or date)
    return f"first: {_title(role, languages) or 'an office'}, from {role.start}"


def _title(role: PersonRole, languages: tuple[str, ...]) -> str | None:
    """The role's title in the first of ``languages`` it has, else in any."""
    title: Localized | None = role.title
    if title is None:
        return None
    for lang in languages:
        text = title.get(lang)
        if text is not None:
            return text
    return title.same or next((text for _, text in title.per_language), None)
