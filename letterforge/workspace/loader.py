"""Find and load a workspace; resolve the people a campaign names.

A workspace is a folder with ``letterforge.yaml`` at its root, rosters in ``recipients/``,
templates in ``templates/`` and campaigns in ``campaigns/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterforge.errors import Collector, ConfigError, Location, did_you_mean
from letterforge.theme import Theme, workspace_theme
from letterforge.workspace.assets import ASSET_DIR, AssetProblem, read_image
from letterforge.workspace.campaign import Campaign, resolve_scalars
from letterforge.workspace.conventions import LocaleBook
from letterforge.workspace.languages import Localized
from letterforge.workspace.model import (
    FILE_NAME,
    OFFICE_FIELDS,
    Person,
    PersonRole,
    Roster,
    is_device_name,
)
from letterforge.workspace.paths import BUILD_DIR, SETTINGS_FILE, campaign_names, yaml_files
from letterforge.workspace.settings import Settings
from letterforge.workspace.validation import validate_document
from letterforge.workspace.yamlio import YamlDocument, YamlPath, format_field_path, load_yaml_file

# The fields of an office that a letter prints as text.
OFFICE_TEXTS = ("style", "honorific", "title", "office", "organization", "post_nominals")
# A campaign is named by its file name; anything else (a path) must not reach the file system.
CAMPAIGN_NAME = FILE_NAME


@dataclass(frozen=True)
class DataLayer:
    """Facts for a letter (``recipient.data``), and where they are written."""

    data: dict[str, Any]
    document: YamlDocument
    path: YamlPath


@dataclass(frozen=True)
class PersonRecord:
    """A person together with where the roster defines them.

    Resolved for a campaign, the person is as they are on the letter's date: ``role`` is the
    index of the office they hold then, whose fields stand in for their own, and
    ``campaign_data`` holds the facts the campaign adds for their letter.
    """

    person: Person
    document: YamlDocument
    path: YamlPath
    role: int | None = None
    campaign_data: tuple[DataLayer, ...] = ()

    def field_path(self, *fields: str | int) -> YamlPath:
        """Where the roster gives ``fields``: in the office held, for what it gives."""
        if (
            self.role is not None
            and fields
            and fields[0] in OFFICE_FIELDS
            and getattr(self.person.roles[self.role], str(fields[0])) is not None
        ):
            return (*self.path, "roles", self.role, *fields)
        return (*self.path, *fields)

    def location(self, *fields: str | int) -> Location:
        return self.document.location(self.field_path(*fields))

    @property
    def data_layers(self) -> tuple[DataLayer, ...]:
        """The person's own facts, then the campaign's for their letter, which win key by
        key."""
        own = DataLayer(self.person.data, self.document, (*self.path, "data"))
        return (own, *self.campaign_data) if self.person.data else self.campaign_data

    def printed_values(self) -> list[tuple[YamlPath, str]]:
        """Each text of this person's roster entry a letter may print (names, titles,
        addresses, salutations), with its path in the roster."""
        person = self.person
        found: list[tuple[YamlPath, str]] = [
            (("name", part), text)
            for part in ("given", "family", "surname")
            if (text := getattr(person.name, part))
        ]
        localized: list[tuple[YamlPath, Localized | None]] = []
        # The person's own office fields, and each role's.
        offices: list[tuple[YamlPath, PersonRole | Person]] = [((), person)]
        offices += [(("roles", index), role) for index, role in enumerate(person.roles)]
        for at, office in offices:
            localized += [((*at, name), getattr(office, name)) for name in OFFICE_TEXTS]
            if office.address is not None:
                localized += [
                    ((*at, "address", "lines", index), line)
                    for index, line in enumerate(office.address.lines)
                ]
                localized += [
                    ((*at, "address", "locality"), office.address.locality),
                    ((*at, "address", "country"), office.address.country),
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
    many = isinstance(campaign.sender, list)
    for index, sender in enumerate(campaign.senders):
        where: YamlPath = ("sender", index, "logo") if many else ("sender", "logo")
        check_image(root, sender.logo, document, where)
    typed_vars = resolve_scalars(campaign.vars, document, ("vars",))
    entries = [
        entry.model_copy(
            update={"data": resolve_scalars(entry.data, document, ("to", index, "data"))}
        )
        for index, entry in enumerate(campaign.to)
    ]
    typed = campaign.model_copy(update={"vars": typed_vars, "to": entries})
    return CampaignRecord(name, typed, document)


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
                if person.data:
                    data = resolve_scalars(person.data, document, ("people", index, "data"))
                    person = person.model_copy(update={"data": data})
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
