"""Find and load a workspace; resolve the people a campaign names.

A workspace is a folder with ``letterforge.yaml`` at its root, rosters in ``recipients/``,
templates in ``templates/`` and campaigns in ``campaigns/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from letterforge.errors import Collector, ConfigError, Finding, Location, did_you_mean
from letterforge.theme import Theme, workspace_theme
from letterforge.workspace.assets import ASSET_DIR, AssetProblem, read_image
from letterforge.workspace.conventions import LocaleBook
from letterforge.workspace.languages import Localized, base_language
from letterforge.workspace.model import (
    FILE_NAME,
    Campaign,
    Person,
    Roster,
    TagQuery,
    is_device_name,
    resolve_scalars,
)
from letterforge.workspace.paths import BUILD_DIR, SETTINGS_FILE, campaign_names, yaml_files
from letterforge.workspace.settings import Settings
from letterforge.workspace.validation import validate_document
from letterforge.workspace.yamlio import YamlDocument, YamlPath, format_field_path, load_yaml_file

# A campaign is named by its file name; anything else (a path) must not reach the file system.
CAMPAIGN_NAME = FILE_NAME


@dataclass(frozen=True)
class PersonRecord:
    """A person together with where the roster defines them."""

    person: Person
    document: YamlDocument
    path: YamlPath

    def location(self, *fields: str | int) -> Location:
        return self.document.location((*self.path, *fields))

    def printed_values(self) -> list[tuple[YamlPath, str]]:
        """Each text of this person's roster entry a letter may print (names, titles,
        addresses, salutations), with its path in the roster."""
        person = self.person
        found: list[tuple[YamlPath, str]] = [
            (("name", part), text)
            for part in ("given", "family", "surname")
            if (text := getattr(person.name, part))
        ]
        localized: list[tuple[YamlPath, Localized | None]] = [
            (("honorific",), person.honorific),
            (("title",), person.title),
            (("office",), person.office),
            (("organization",), person.organization),
        ]
        if person.address is not None:
            localized += [
                (("address", "lines", index), line)
                for index, line in enumerate(person.address.lines)
            ]
            localized += [
                (("address", "locality"), person.address.locality),
                (("address", "country"), person.address.country),
            ]
        for path, value in localized:
            if value is not None and value.same is not None:
                found.append((path, value.same))
            elif value is not None:
                found += [((*path, lang), text) for lang, text in value.per_language]
        for key in ("salutation", "closing"):
            found += [((key, lang), text) for lang, text in getattr(person, key).items()]
        return [((*self.path, *path), text) for path, text in found]


@dataclass(frozen=True)
class CampaignRecord:
    """A validated campaign and the file it came from."""

    name: str
    campaign: Campaign
    document: YamlDocument


@dataclass(frozen=True)
class ResolvedCampaign:
    """A campaign with every person id resolved and its languages settled.

    ``languages`` are the campaign's own; each recipient's letters are in
    ``letter_languages[id]``: the languages the person reads that the campaign is written in.
    """

    record: CampaignRecord
    languages: tuple[str, ...]
    recipients: tuple[PersonRecord, ...]
    cc: tuple[PersonRecord, ...]
    signatories: tuple[PersonRecord, ...]
    letter_languages: dict[str, tuple[str, ...]]

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def campaign(self) -> Campaign:
        return self.record.campaign

    def languages_for(self, recipient: PersonRecord) -> tuple[str, ...]:
        """The languages of the letters to ``recipient``, in the order they read them."""
        return self.letter_languages.get(recipient.person.id, self.languages)

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


class Workspace:
    """A loaded workspace: settings and every roster; campaigns load on request."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        settings_document: YamlDocument,
        people: dict[str, PersonRecord],
    ) -> None:
        self.root = root
        self.settings = settings
        self.settings_document = settings_document
        self.people = people
        self.locales = LocaleBook(root)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def build_dir(self) -> Path:
        return self.root / BUILD_DIR

    @property
    def theme(self) -> Theme:
        """The look of its letters: the built-in theme with ``theme:``, images from assets/."""
        settings = self.settings
        return workspace_theme(settings.theme, settings.page_size, asset_root=self.root / ASSET_DIR)

    def campaign_languages(self, campaign: Campaign) -> list[str]:
        """The languages a campaign is written in: its own, or the workspace's default."""
        return list(campaign.languages or self.settings.languages)

    def writable_languages(self, record: CampaignRecord, problems: Collector) -> list[str]:
        """The campaign's languages that letterforge can write; the others are reported."""
        campaign = record.campaign
        document = record.document if campaign.languages else self.settings_document
        languages = []
        for index, lang in enumerate(self.campaign_languages(campaign)):
            if self.can_write(lang, document, ("languages", index), problems):
                languages.append(lang)
        return languages

    def can_write(
        self, lang: str, document: YamlDocument, where: YamlPath, problems: Collector
    ) -> bool:
        """Whether letters can be written in ``lang``; if not, say why at ``where``."""
        # A language whose locale files have mistakes stays: those are reported in the files,
        # and its letters fail with the same errors, instead of vanishing from the campaign.
        reason = self.locales.unsupported(lang)
        if reason is not None:
            problems.errors.append(
                ConfigError(f"{format_field_path(where)}: {reason}", document.location(where))
            )
            return False
        return True

    def campaign_names(self) -> list[str]:
        """Every campaign file's name, without ``.yaml``, sorted."""
        return campaign_names(self.root)

    def template_names(self) -> dict[str, list[str]]:
        """Each letter template and the languages it exists in."""
        found: dict[str, list[str]] = {}
        if self.templates_dir.is_dir():
            for folder in sorted(self.templates_dir.iterdir()):
                if folder.is_dir() and not folder.name.startswith("_"):
                    found[folder.name] = sorted(
                        path.name.split(".")[1] for path in folder.glob("letter.*.md.j2")
                    )
        return found

    def load_campaign(self, name: str) -> CampaignRecord:
        """Load and validate ``campaigns/<name>.yaml``."""
        return load_campaign(self.root, name)

    def resolve(
        self,
        record: CampaignRecord,
        problems: Collector | None = None,
        *,
        languages: list[str] | None = None,
    ) -> ResolvedCampaign:
        """Resolve a campaign's ids and tag queries to people, in the order it names them.

        Args:
            record: the loaded campaign.
            problems: where to report unknown ids and unsupported languages and go on with
                the rest, so a check finds the mistakes in the letters too; without it, the
                first problems are raised.
            languages: the campaign's writable languages, when the caller has them already.
        """
        campaign = record.campaign
        collected = problems or Collector()
        if languages is None:
            languages = self.writable_languages(record, collected)
        recipients: dict[str, PersonRecord] = {}  # by id: a person named twice gets one letter
        named_at: dict[str, tuple[YamlPath, TagQuery | None]] = {}
        for index, selector in enumerate(campaign.to):
            with collected.collect():
                where = ("to", index)
                if isinstance(selector, TagQuery):
                    chosen = self._query(selector, record.document, where)
                else:
                    chosen = [self._person(selector, record.document, where)]
                query = selector if isinstance(selector, TagQuery) else None
                for person in chosen:
                    recipients.setdefault(person.person.id, person)
                    named_at.setdefault(person.person.id, (where, query))
        cc = self._people(campaign.cc, record.document, "cc", collected)
        signatories = self._people(campaign.signatories, record.document, "from", collected)
        self._recipients_in_copy(record, recipients, collected)
        languages_by_id = {
            person_id: self._recipient_languages(
                person, tuple(languages), record.document, *named_at[person_id], collected
            )
            for person_id, person in recipients.items()
        }
        if problems is None:
            collected.raise_if_any()
        return ResolvedCampaign(
            record,
            tuple(languages),
            # Someone who reads none of the campaign's languages gets no letter.
            tuple(person for person in recipients.values() if languages_by_id[person.person.id]),
            tuple(cc),
            tuple(signatories),
            languages_by_id,
        )

    def _recipient_languages(
        self,
        recipient: PersonRecord,
        offered: tuple[str, ...],
        document: YamlDocument,
        where: YamlPath,
        query: TagQuery | None,
        problems: Collector,
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
                problems.errors.append(
                    ConfigError(
                        f"{format_field_path(where)}: {person.id} {reads}: add "
                        f"{person.languages[0]} to its languages, or leave {person.id} out",
                        document.location(where),
                    )
                )
            else:
                problems.warnings.append(
                    Finding(
                        document.location(where),
                        f"{format_field_path(where)}: the tags {', '.join(query.tags)} take "
                        f"{person.id}, who {reads}: no letter for {person.id}",
                        severity="warning",
                    )
                )
            return ()
        written = []
        for lang in chosen:
            # A regional form the person reads (fr-CA) is checked as well as the campaign's fr.
            if lang in offered or self.can_write(
                lang,
                recipient.document,
                (*recipient.path, "languages", person.languages.index(lang)),
                problems,
            ):
                written.append(lang)
        return tuple(written)

    def _people(
        self, ids: list[str], document: YamlDocument, key: str, problems: Collector
    ) -> list[PersonRecord]:
        found = []
        first: dict[str, int] = {}
        for index, person_id in enumerate(ids):
            earlier = first.setdefault(person_id, index)
            if earlier != index:  # the letter would copy them twice, or sign twice
                problems.errors.append(
                    ConfigError(
                        f"{key}[{index}]: {person_id} is listed twice (first as "
                        f"{key}[{earlier}]): remove one",
                        document.location((key, index)),
                    )
                )
                continue
            with problems.collect():
                found.append(self._person(person_id, document, (key, index)))
        return found

    def _recipients_in_copy(
        self, record: CampaignRecord, recipients: dict[str, PersonRecord], problems: Collector
    ) -> None:
        """Warn about a recipient in the CC list: the letter to them leaves them out of it,
        as copying someone to themselves makes no sense, but the list may be a mistake."""
        for index, person_id in enumerate(record.campaign.cc):
            if person_id in recipients and index == record.campaign.cc.index(person_id):
                problems.warnings.append(
                    Finding(
                        record.document.location(("cc", index)),
                        f"cc[{index}]: {person_id} is also a recipient of this campaign: the "
                        f"letter to {person_id} leaves them out of its CC list",
                        severity="warning",
                    )
                )

    def _person(self, person_id: str, document: YamlDocument, where: YamlPath) -> PersonRecord:
        if person_id in self.people:
            return self.people[person_id]
        suggestion = did_you_mean(person_id, self.people)
        raise ConfigError(
            f"{format_field_path(where)}: no person with id {person_id!r} in recipients/"
            f"{suggestion}",
            document.location(where),
        )

    def _query(
        self, query: TagQuery, document: YamlDocument, where: YamlPath
    ) -> list[PersonRecord]:
        chosen = [record for record in self.people.values() if query.matches(record.person)]
        if not chosen:
            tags = ", ".join(query.tags)
            raise ConfigError(
                f"{format_field_path(where)}: nobody in recipients/ has all of these tags: {tags}",
                document.location(where),
            )
        return chosen


def load_workspace(root: Path) -> Workspace:
    """Load settings and every roster of the workspace at ``root``, reporting every problem."""
    problems = Collector()
    with problems.collect():
        settings, settings_document = load_settings(root)
    people = load_people(root, problems)
    problems.raise_if_any()
    return Workspace(root, settings, settings_document, people)


def case_collisions(names: list[str]) -> list[ConfigError]:
    """Campaigns whose names differ only by case: one folder in build/ on Windows and macOS."""
    seen: dict[str, str] = {}
    problems = []
    for name in names:
        first = seen.setdefault(name.casefold(), name)
        if first != name:
            problems.append(
                ConfigError(
                    f"campaign names {first!r} and {name!r} differ only by case: on Windows "
                    "and macOS their letters would overwrite each other; rename one",
                    Location(f"campaigns/{name}.yaml"),
                )
            )
    return problems


def load_campaign(root: Path, name: str) -> CampaignRecord:
    """Load and validate ``campaigns/<name>.yaml``."""
    path = root / "campaigns" / f"{name}.yaml"
    if is_device_name(name) and path.is_file():
        raise ConfigError(
            f"campaign name {name!r} is kept by Windows for a device, so its letters cannot be "
            f"written there: rename campaigns/{name}.yaml",
            Location(f"campaigns/{name}.yaml"),
        )
    if not CAMPAIGN_NAME.fullmatch(name) or not path.is_file():
        names = campaign_names(root)
        suggestion = did_you_mean(name, names)
        known = f"; campaigns: {', '.join(names)}" if names else "; campaigns/ has none"
        raise ConfigError(f"no campaign named {name!r}{suggestion}{known}")
    document = load_yaml_file(path, root)
    campaign = validate_document(Campaign, document)
    if campaign.sender is not None:
        check_image(root, campaign.sender.logo, document, ("sender", "logo"))
    typed_vars = resolve_scalars(campaign.vars, document, ("vars",))
    return CampaignRecord(name, campaign.model_copy(update={"vars": typed_vars}), document)


def load_settings(root: Path) -> tuple[Settings, YamlDocument]:
    """``letterforge.yaml``, validated, and the document it came from."""
    document = load_yaml_file(root / SETTINGS_FILE, root)
    settings = validate_document(Settings, document)
    check_image(root, settings.sender.logo, document, ("sender", "logo"))
    return settings, document


def check_image(root: Path, name: str | None, document: YamlDocument, path: YamlPath) -> None:
    """Raise a ConfigError at ``path`` when the image ``name`` cannot go into a letter."""
    if name is None:
        return
    try:
        read_image(root, name)
    except AssetProblem as problem:
        raise ConfigError(
            f"{format_field_path(path)}: {problem}", document.location(path)
        ) from None


def load_people(root: Path, problems: Collector) -> dict[str, PersonRecord]:
    """Everyone in ``recipients/``, by id; a broken roster is reported and left out."""
    people: dict[str, PersonRecord] = {}
    for path in yaml_files(root / "recipients"):
        with problems.collect():
            document = load_yaml_file(path, root)
            roster = validate_document(Roster, document)
            # From here on the people are the models, and the file is needed only for its
            # marks: letting go of its plain data saves a third of a big roster's memory.
            document.data = None
            for index, person in enumerate(roster.people):
                record = PersonRecord(person, document, ("people", index))
                with problems.collect():
                    check_image(root, person.signature, document, (*record.path, "signature"))
                if person.id in people:
                    first = people[person.id].location("id")
                    problems.errors.append(
                        ConfigError(
                            f"duplicate person id {person.id!r} (first defined at {first})",
                            record.location("id"),
                        )
                    )
                else:
                    people[person.id] = record
    return people
