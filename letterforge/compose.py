"""The front half of the pipeline as one object: a composer opens a workspace, resolves its
campaigns and renders their letters, collecting every finding on the way instead of stopping
at the first.

``build``, ``check``, ``preview`` and ``diff`` all start from a composer. What the linter adds
(a static scan of every template, fonts, translation drift) comes in as :class:`Rules`, which
the command line hands over, so that the pipeline never imports the linter and the linter
consumes the pipeline like any other command.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from letterforge.document import Letter
from letterforge.errors import (
    Collector,
    ConfigError,
    Finding,
    LetterforgeError,
    Location,
    sorted_findings,
)
from letterforge.render.context import person_context
from letterforge.render.renderer import LetterRenderer, LetterSource
from letterforge.workspace.conventions import language_name
from letterforge.workspace.languages import narrowed
from letterforge.workspace.loader import (
    CampaignRecord,
    PersonRecord,
    Workspace,
    case_collisions,
    load_campaign,
    load_people,
    load_settings,
)
from letterforge.workspace.paths import campaign_names
from letterforge.workspace.resolve import ResolvedCampaign, resolve_campaign


class LetterRules:
    """The rules that read a campaign's letters as they are rendered; these read nothing."""

    def compare(self, person_id: str, versions: dict[str, Letter]) -> None:
        """Read the language versions of the letters to one person."""

    def finish(self) -> None:
        """Every letter of the campaign that was asked for has been rendered."""


class Rules:
    """What a reviewer adds to the composer: it is told what the composer opens, and adds
    what it finds with :meth:`Composer.add`. These rules add nothing: the composer only
    loads, resolves and renders."""

    def workspace_opened(self, composer: Composer, workspace: Workspace) -> None:
        """The settings and rosters are loaded."""

    def campaign_opened(
        self,
        composer: Composer,
        record: CampaignRecord,
        languages: list[str],
        campaign: ResolvedCampaign | None,
    ) -> None:
        """A campaign is loaded, to be written in ``languages``; ``campaign`` is ``None``
        when the rosters have errors, so that its people cannot be resolved."""

    def letters(self, composer: Composer, campaign: ResolvedCampaign) -> LetterRules:
        """The rules for the letters of ``campaign``, about to be rendered."""
        return LetterRules()


@dataclass
class Composer:
    """A workspace opened: its campaigns resolved, the letters rendered so far, and what was
    found wrong on the way.

    Open one with :meth:`open`; then :meth:`letters` renders a campaign's letters.
    """

    rules: Rules = field(default_factory=Rules)
    workspace: Workspace | None = None
    renderer: LetterRenderer | None = None
    campaign_count: int = 0
    campaigns: list[ResolvedCampaign] = field(default_factory=list)
    # The campaigns whose letters can be rendered: every person in them resolved.
    renderable: list[ResolvedCampaign] = field(default_factory=list)
    found: list[Finding] = field(default_factory=list)
    letter_count: int = 0
    # Findings a rule reported, by file and message, that a letter failing to render on the
    # same mistake would only repeat (the static scan of a template finds an undefined name
    # on the line where the expression starts; rendering fails on it too).
    reported: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        campaigns: Iterable[str] = (),
        languages: Iterable[str] = (),
        only: Iterable[str] = (),
        rules: Rules | None = None,
    ) -> Composer:
        """Load the workspace at ``root`` and resolve the named campaigns (every campaign when
        none is named), going as far as the workspace allows.

        Broken rosters still leave the campaigns and templates read, and an unknown id in one
        list leaves the rest of the campaign checked, but only a campaign whose people all
        resolved is renderable.

        Args:
            root: the workspace folder.
            campaigns: campaign names; empty means every campaign.
            languages: only these language versions.
            only: only the letters to these recipient ids.
            rules: what a reviewer adds (the linter's).

        Raises:
            ConfigError: ``languages`` or ``only`` name nothing the campaigns have.
        """
        composer = cls(rules=rules or Rules())
        languages, only = list(languages), list(only)
        problems = Collector()
        records, rosters_complete = composer._load(root, list(dict.fromkeys(campaigns)), problems)
        workspace = composer.workspace
        if workspace is not None and _templates_inside(workspace, problems):
            composer._resolve(workspace, records, languages, problems, rosters_complete)
        for problem in problems.errors:
            composer.add(problem)
        for warning in problems.warnings:
            composer.add(warning)
        _check_narrowing(composer.campaigns, languages=languages, only=only)
        return composer

    def _load(
        self, root: Path, names: list[str], problems: Collector
    ) -> tuple[list[CampaignRecord], bool]:
        """Load the settings, rosters and campaign files, and say whether the rosters loaded
        without errors; the workspace is left unset when the settings cannot be used."""
        settings = None
        with problems.collect():
            settings, settings_document = load_settings(root)
        people = load_people(root, problems)
        rosters_complete = not problems.errors
        names = names or campaign_names(root)
        if not names:
            problems.errors.append(ConfigError("there are no campaigns: add a file to campaigns/"))
        problems.errors.extend(case_collisions(campaign_names(root)))
        records = []
        for name in names:
            with problems.collect():
                records.append(load_campaign(root, name))
        self.campaign_count = len(records)
        if settings is not None:
            self.workspace = Workspace(root, settings, settings_document, people)
        return records, rosters_complete

    def _resolve(
        self,
        workspace: Workspace,
        records: list[CampaignRecord],
        languages: list[str],
        problems: Collector,
        rosters_complete: bool,
    ) -> None:
        """Resolve each campaign's people and languages, and the context each person gives
        a letter in each language they appear in (with errors in the rosters, campaigns are
        only read, not resolved)."""
        problems.errors.extend(workspace.locales.problems())
        self.rules.workspace_opened(self, workspace)
        self.renderer = LetterRenderer(workspace)
        for record in records:
            writable = workspace.writable_languages(record, problems)
            if not rosters_complete:
                self.rules.campaign_opened(self, record, narrowed(writable, languages), None)
                continue
            before = len(problems.errors)
            campaign = resolve_campaign(workspace, record, problems, languages=writable)
            self.campaigns.append(campaign)
            self.rules.campaign_opened(
                self, record, narrowed(campaign.all_letter_languages, languages), campaign
            )
            # Each person in the languages they appear in: a recipient in their own letters,
            # people in copy and signatories in every letter.
            involved: dict[str, tuple[PersonRecord, tuple[str, ...]]] = {
                person.person.id: (person, campaign.languages_for(person))
                for person in campaign.recipients
            }
            for person in (*campaign.cc, *campaign.signatories):
                involved[person.person.id] = (person, campaign.all_letter_languages)
            for person, person_languages in involved.values():
                for lang in narrowed(person_languages, languages):
                    with problems.collect():
                        person_context(person, lang, campaign.languages)
            # With a person missing from cc or from, every letter would fail on it: say it once.
            if len(problems.errors) == before:
                self.renderable.append(campaign)

    def letters(
        self,
        campaign: ResolvedCampaign,
        *,
        languages: Iterable[str] = (),
        only: Iterable[str] = (),
        recipients: Collection[str] | None = None,
    ) -> Iterator[tuple[PersonRecord, dict[str, Letter]]]:
        """Render the letters of ``campaign``, one recipient at a time, each recipient's
        language versions handed to the rules together; what goes wrong is added to the
        findings.

        Letters are handed on as they are made and not kept, so a campaign of ten thousand
        letters is never all in memory.

        Args:
            campaign: one of the renderable campaigns.
            languages: only these language versions.
            only: only the letters to these recipient ids.
            recipients: only these recipients (a build renders only the letters it writes).
        """
        assert self.renderer is not None  # a campaign is renderable only with a workspace
        renderer = self.renderer
        languages, only = list(languages), list(only)
        rules = self.rules.letters(self, campaign)
        for recipient in campaign.recipients:
            person_id = recipient.person.id
            if (only and person_id not in only) or (
                recipients is not None and person_id not in recipients
            ):
                continue
            versions: dict[str, Letter] = {}
            for lang in narrowed(campaign.languages_for(recipient), languages):
                self.letter_count += 1
                try:
                    versions[lang] = renderer.render(LetterSource(campaign, recipient, lang))
                except LetterforgeError as err:
                    self.add(err)
            rules.compare(person_id, versions)
            yield recipient, versions
        rules.finish()

    def add(self, problem: LetterforgeError | Finding) -> None:
        """Add what was found wrong, unless a rule reported it already."""
        findings = problem.findings if isinstance(problem, LetterforgeError) else [problem]
        for finding in findings:
            path = finding.location.path if finding.location else ""
            if (path, finding.message) not in self.reported:
                self.found.append(finding)

    @property
    def findings(self) -> list[Finding]:
        """Every finding once, sorted by file, line and column."""
        return sorted_findings(self.found)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "warning"]


def _templates_inside(workspace: Workspace, problems: Collector) -> bool:
    """Whether the templates folder is inside the workspace: a link out of it is refused
    before any template is read (and nothing else is said, as the rest depends on it)."""
    if workspace.templates_dir.resolve().is_relative_to(workspace.root.resolve()):
        return True
    problems.errors[:] = [
        ConfigError("is a link that leads outside the workspace", Location("templates/"))
    ]
    problems.warnings.clear()
    return False


def _check_narrowing(
    campaigns: list[ResolvedCampaign], *, languages: list[str], only: list[str]
) -> None:
    """``--lang`` and ``--only`` must name something the chosen campaigns have."""
    if not campaigns:
        return
    offered = {lang for campaign in campaigns for lang in campaign.all_letter_languages}
    for lang in languages:
        if not narrowed(offered, [lang]):
            raise ConfigError(
                f"--lang {lang}: no chosen campaign has letters in {language_name(lang)}; "
                f"they have letters in {', '.join(sorted(offered))}"
            )
    recipients = {person.person.id for campaign in campaigns for person in campaign.recipients}
    for person_id in only:
        if person_id not in recipients:
            raise ConfigError(f"--only {person_id}: no chosen campaign writes to {person_id!r}")
    if only and languages:
        chosen = [
            lang
            for campaign in campaigns
            for person in campaign.recipients
            if person.person.id in only
            for lang in narrowed(campaign.languages_for(person), languages)
        ]
        if not chosen:
            raise ConfigError(
                f"--only {', '.join(only)} --lang {', '.join(languages)}: no letter is both; "
                f"{', '.join(only)} {'gets' if len(only) == 1 else 'get'} no letter in "
                f"{', '.join(languages)}"
            )
