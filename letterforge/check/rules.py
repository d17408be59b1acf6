"""The rules behind ``letterforge check``, which ``build`` runs first.

An inspection loads the whole workspace, validates every file, checks every template in every
language (statically, through Jinja's syntax tree, and by a trial render of every letter), and
compares the language versions of each letter for translation drift. It collects every finding
instead of stopping at the first, and keeps the rendered letters so that a build reuses them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

from jinja2 import Template

from letterforge.check.drift import (
    NOBODY,
    Fact,
    People,
    facts,
    missing_facts,
    surname,
    text_facts,
)
from letterforge.check.template_scan import Shapes, scan_template
from letterforge.commands.new import PLACEHOLDER
from letterforge.document import Letter, Role
from letterforge.errors import (
    Collector,
    ConfigError,
    Finding,
    LetterforgeError,
    Location,
    sorted_findings,
)
from letterforge.render.context import (
    CAMPAIGN_FIELDS,
    CONTEXT_NAMES,
    PERSON_FIELDS,
    SENDER_FIELDS,
    person_context,
)
from letterforge.render.renderer import (
    EMPTY_TEMPLATE,
    LetterRenderer,
    LetterSource,
    template_language,
)
from letterforge.workspace.conventions import Labels, language_name
from letterforge.workspace.languages import language_fallbacks, narrowed
from letterforge.workspace.loader import (
    CampaignRecord,
    PersonRecord,
    ResolvedCampaign,
    Workspace,
    case_collisions,
    load_campaign,
    load_people,
    load_settings,
)
from letterforge.workspace.paths import SETTINGS_FILE, campaign_names, read_input
from letterforge.workspace.yamlio import format_field_path


@dataclass
class Inspection:
    """What an inspection found, and the letters it rendered on the way."""

    workspace: Workspace | None = None
    renderer: LetterRenderer | None = None
    campaign_count: int = 0
    campaigns: list[ResolvedCampaign] = field(default_factory=list)
    # The campaigns whose letters can be rendered: every person in them resolved.
    renderable: list[ResolvedCampaign] = field(default_factory=list)
    found: list[Finding] = field(default_factory=list)
    letter_count: int = 0
    # What the static scan reported, by file and message: a trial render that fails on the
    # same mistake (on the line where the expression starts) adds nothing.
    scanned: set[tuple[str, str]] = field(default_factory=set)

    def add(self, problem: LetterforgeError | Finding) -> None:
        findings = problem.findings if isinstance(problem, LetterforgeError) else [problem]
        for finding in findings:
            path = finding.location.path if finding.location else ""
            if (path, finding.message) not in self.scanned:
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


def inspect_workspace(
    root: Path,
    *,
    campaigns: Iterable[str] = (),
    languages: Iterable[str] = (),
    only: Iterable[str] = (),
    render: bool = True,
) -> Inspection:
    """Check the workspace at ``root`` and trial-render the requested letters.

    The check goes as far as the workspace allows: broken rosters still leave the campaigns
    and templates checked, and an unknown id in one list leaves the rest of the campaign
    checked, but letters are only trial-rendered from a complete roster and campaign.

    Args:
        root: the workspace folder.
        campaigns: campaign names; empty means every campaign.
        languages: only these language versions.
        only: only the letters to these recipient ids.
        render: false to check everything but the letters themselves, which the caller then
            renders with :func:`render_letters` (a build renders only what it writes).
    """
    inspection = Inspection()
    problems = Collector()
    settings = None
    with problems.collect():
        settings, settings_document = load_settings(root)
    people = load_people(root, problems)
    rosters_complete = not problems.errors
    names = list(dict.fromkeys(campaigns)) or campaign_names(root)
    if not names:
        problems.errors.append(ConfigError("there are no campaigns: add a file to campaigns/"))
    problems.errors.extend(case_collisions(campaign_names(root)))
    records = []
    for name in names:
        with problems.collect():
            records.append(load_campaign(root, name))
    inspection.campaign_count = len(records)
    if settings is None:
        for problem in problems.errors:
            inspection.add(problem)
        return inspection
    workspace = Workspace(root, settings, settings_document, people)
    inspection.workspace = workspace
    if not workspace.templates_dir.resolve().is_relative_to(root.resolve()):
        inspection.add(
            ConfigError("is a link that leads outside the workspace", Location("templates/"))
        )
        return inspection
    problems.errors.extend(workspace.locales.problems())
    _check_fonts(inspection, workspace)
    renderer = LetterRenderer(workspace)
    inspection.renderer = renderer
    for record in records:
        writable = workspace.writable_languages(record, problems)
        if not rosters_complete:
            _check_templates(inspection, renderer, record, narrowed(writable, languages))
            continue
        before = len(problems.errors)
        campaign = workspace.resolve(record, problems, languages=writable)
        inspection.campaigns.append(campaign)
        _check_templates(
            inspection, renderer, record, narrowed(campaign.all_letter_languages, languages)
        )
        _check_place(inspection, campaign)
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
                    person_context(person, lang)
        # With a person missing from cc or from, every letter would fail on it: say it once.
        if len(problems.errors) == before:
            inspection.renderable.append(campaign)
    for problem in problems.errors:
        inspection.add(problem)
    for warning in problems.warnings:
        inspection.add(warning)
    _check_narrowing(inspection.campaigns, languages=list(languages), only=list(only))
    if render:
        for campaign in inspection.renderable:
            for _ in render_letters(inspection, campaign, languages=languages, only=only):
                pass
    return inspection


def render_letters(
    inspection: Inspection,
    campaign: ResolvedCampaign,
    *,
    languages: Iterable[str] = (),
    only: Iterable[str] = (),
    recipients: Collection[str] | None = None,
) -> Iterator[tuple[PersonRecord, dict[str, Letter]]]:
    """Render the letters of ``campaign``, one recipient at a time, with their language
    versions compared for drift; what goes wrong is added to ``inspection``.

    Letters are handed on as they are made, and only a letter per template is kept for
    comparing templates, so a campaign of ten thousand letters is never all in memory.

    Args:
        inspection: an inspection of the workspace, made with ``render=False``.
        campaign: one of the inspection's renderable campaigns.
        languages: only these language versions.
        only: only the letters to these recipient ids.
        recipients: only these recipients (a build renders only the letters it writes).
    """
    assert inspection.renderer is not None  # a campaign is renderable only with a workspace
    renderer = inspection.renderer
    languages, only = list(languages), list(only)
    drift = _DriftCheck(inspection, renderer, campaign)
    for recipient in campaign.recipients:
        person_id = recipient.person.id
        if (only and person_id not in only) or (
            recipients is not None and person_id not in recipients
        ):
            continue
        versions: dict[str, Letter] = {}
        for lang in narrowed(campaign.languages_for(recipient), languages):
            inspection.letter_count += 1
            try:
                versions[lang] = renderer.render(LetterSource(campaign, recipient, lang))
            except LetterforgeError as err:
                inspection.add(err)
        drift.compare(person_id, versions)
        yield recipient, versions
    drift.compare_templates()


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


def _check_templates(
    inspection: Inspection,
    renderer: LetterRenderer,
    record: CampaignRecord,
    languages: list[str],
) -> None:
    """Each language's template and the layout exist and compile, and every branch of them
    uses only names, filters and tests that exist."""
    shapes: Shapes = {
        **dict.fromkeys(CONTEXT_NAMES),
        "recipient": frozenset({*PERSON_FIELDS, "salutation"}),
        "sender": frozenset(SENDER_FIELDS),
        "campaign": frozenset(CAMPAIGN_FIELDS),
        "labels": frozenset({*Labels.model_fields, "closing"}),
        "vars": frozenset(record.campaign.vars),
    }
    people = frozenset(PERSON_FIELDS)
    loop_shapes = {"cc": people, "signatories": people}
    templates: dict[str | None, tuple[Template, Shapes]] = {}
    layout_template = None
    try:
        layout = layout_template = renderer.layout(record)
        templates[layout.name] = (layout, {**shapes, "body": None})
    except LetterforgeError as err:
        inspection.add(err)
    for lang in languages:  # en-US and en-CA letters share letter.en.md.j2: scan it once
        try:
            template = renderer.body_template(record, lang)
            templates.setdefault(template.name, (template, shapes))
        except LetterforgeError as err:
            inspection.add(err)
    for template, template_shapes in templates.values():
        assert template.name is not None
        try:
            scanned = scan_template(
                renderer.environment, template.name, template_shapes, loop_shapes=loop_shapes
            )
        except RecursionError:  # nested too deeply to walk; compiling and rendering say so
            scanned = []
        for problem in scanned:
            where = Location(renderer.shown(problem.filename), problem.line)
            inspection.add(Finding(where, problem.message))
            inspection.scanned.add((where.path, problem.message))
        if template is not layout_template:
            _check_placeholder(inspection, renderer, template)


def _check_placeholder(
    inspection: Inspection, renderer: LetterRenderer, template: Template
) -> None:
    """Warn about the paragraph ``letterforge new`` left in a body template it wrote."""
    loader = renderer.environment.loader
    assert template.name is not None and loader is not None
    source, _, _ = loader.get_source(renderer.environment, template.name)
    if not source.strip():
        # Said here too, so that it is found while a roster's mistakes keep letters unrendered.
        where = Location(renderer.shown(template.filename or template.name))
        inspection.add(Finding(where, EMPTY_TEMPLATE))
        inspection.scanned.add((where.path, EMPTY_TEMPLATE))
    for number, line in enumerate(source.splitlines(), 1):
        if PLACEHOLDER in line:
            inspection.add(
                Finding(
                    Location(renderer.shown(template.filename or template.name), number),
                    "this is still the placeholder paragraph of letterforge new: write the "
                    "letter here",
                    severity="warning",
                )
            )


# The Debian package of the built-in theme's font, Caladea.
BUILT_IN_FONT_PACKAGE = "fonts-crosextra-caladea"
# Where a person's values are printed: their size decides how wide a long word is.
_NAME_ROLES = (Role.ADDRESS, Role.SALUTATION, Role.SIGNATURE, Role.CC, Role.RUNNING_HEAD)
# No glyph of a letter font is wider than this many ems, so a word of fewer characters than
# a line's width over this fits, and its width is not worth reading the font for.
_WIDEST_GLYPH = 1.5
# Where a line may break inside a value: white space, and after a hyphen or a slash.
_BREAK = re.compile(r"[^\S\u00a0\u2007\u202f]+|(?<=[-\u2010/])")


def _check_fonts(inspection: Inspection, workspace: Workspace) -> None:
    """Warn about what the PDF would not show as written: a theme font that is not installed,
    characters of a roster no installed font has (Pango draws them as empty boxes), and
    words too wide for a line (broken wherever the line ends).

    A word's width is measured with the metrics of the font the PDF uses, not estimated from
    its length: letters differ too much in width (a line holds 75 i's or 35 W's) for a count
    to warn about every word that overflows without warning about many that fit.
    """
    from letterforge import fonts  # loads libfontconfig: only once the workspace is read

    theme = workspace.theme
    face = fonts.text_face(theme.fonts)
    if not workspace.settings.theme.fonts and fonts.installed_face(theme.fonts[0]) is None:
        instead = face.family if face is not None else "a font the system chooses"
        inspection.add(
            Finding(
                Location(SETTINGS_FILE),
                f"the theme's font, {theme.fonts[0]}, is not installed, so the PDF is set in "
                f"{instead} instead and breaks lines unlike Word: install {BUILT_IN_FONT_PACKAGE}, "
                "or name an installed font in theme.fonts",
                severity="warning",
            )
        )
    for index, font in enumerate(workspace.settings.theme.fonts or ()):
        if font.lower() in fonts.GENERIC_FAMILIES or fonts.installed_face(font) is not None:
            break  # the fonts after the first installed one are not used for the text
        instead = face.family if face is not None else "a font the system chooses"
        inspection.add(
            Finding(
                workspace.settings_document.location(("theme", "fonts", index)),
                f"theme.fonts[{index}]: the font {font!r} is not installed, so the PDF is set "
                f"in {instead} instead: install it, or name an installed one (fc-list lists "
                "them)",
                severity="warning",
            )
        )
    size = max(theme.style(role).size or theme.size for role in _NAME_ROLES)
    shortest_too_long = int(theme.text_width / (size * _WIDEST_GLYPH))
    for record in workspace.people.values():
        person = record.person.id
        for path, text in record.printed_values():
            where = f"{format_field_path(path)} ({person})"
            missing = [] if text.isascii() else fonts.undrawable(text)
            if missing:
                codes = ", ".join(f"U+{ord(character):04X}" for character in missing)
                inspection.add(
                    Finding(
                        record.document.location(path),
                        f"{where}: no installed font has {' '.join(missing)} ({codes}), so the "
                        f"PDF shows empty boxes for them: install "
                        f"{' and '.join(fonts.package_for(missing))} (letterforge doctor)",
                        severity="warning",
                    )
                )
            if face is None or len(text) < shortest_too_long:
                continue
            for word in _BREAK.split(text):
                if len(word) < shortest_too_long:
                    continue
                width = fonts.text_width(face, word, size)
                if width > theme.text_width:
                    shown = word if len(word) <= 24 else word[:20] + "…"
                    inspection.add(
                        Finding(
                            record.document.location(path),
                            f"{where}: {shown!r} is {width:.0f}pt wide in {face.family} at "
                            f"{size:g}pt, wider than a line ({theme.text_width:g}pt), so letters "
                            "break it wherever the line ends: add a space or a hyphen where it "
                            "may break",
                            severity="warning",
                        )
                    )


def _check_place(inspection: Inspection, campaign: ResolvedCampaign) -> None:
    """A place may leave languages out (they get the date alone), so a language it names
    that no letter is written in is probably a typo: es-MX where the letters are es."""
    place = campaign.campaign.place
    if place is None:
        return
    written = campaign.all_letter_languages
    for tag, _ in place.per_language:
        if not any(tag in language_fallbacks(lang) for lang in (*campaign.languages, *written)):
            inspection.add(
                Finding(
                    campaign.record.document.location(("place", tag)),
                    f"place.{tag}: no letter of this campaign is written in "
                    f"{language_name(tag)}, so this place is never printed (its letters are "
                    f"in {', '.join(written)})",
                    severity="warning",
                )
            )


class _DriftCheck:
    """Warns about numbers, dates and names one language's template states and another's
    does not. Each recipient's language versions are compared as they are rendered;
    templates that no recipient reads together (Spanish for one minister, English for
    another) are compared at the end through letters to two different people, leaving out
    what comes from those two people's own roster entries."""

    def __init__(
        self, inspection: Inspection, renderer: LetterRenderer, campaign: ResolvedCampaign
    ) -> None:
        self.inspection = inspection
        self.renderer = renderer
        self.campaign = campaign
        self.everyone = {
            record.person.id: record
            for record in (*campaign.recipients, *campaign.cc, *campaign.signatories)
        }
        self.surnames = {
            person_id: surname(record.person.name.family)
            for person_id, record in self.everyone.items()
        }
        self.people = People(self.surnames)
        self.templates: dict[str, Template] = {}
        self.first: dict[str, tuple[str, str, Letter]] = {}  # template → a letter made from it
        self.compared: set[tuple[str, str]] = set()

    def compare(self, person_id: str, versions: dict[str, Letter]) -> None:
        """Compare the language versions of the letters to one person."""
        templates = self.templates
        for lang, letter in versions.items():
            if lang not in templates:
                templates[lang] = self.renderer.body_template(self.campaign.record, lang)
            self.first.setdefault(str(templates[lang].name), (person_id, lang, letter))
        stated = {lang: facts(letter, self.people) for lang, letter in versions.items()}
        for lang, other in permutations(versions, 2):
            pair = (str(templates[lang].name), str(templates[other].name))
            if pair[0] == pair[1]:
                continue  # en-US and en-CA letters from one template
            self.compared.add(pair)
            for fact in missing_facts(stated[lang], stated[other]):
                self._warn(fact, templates[lang], templates[other])

    def compare_templates(self) -> None:
        """Compare the templates that no recipient's letters compared."""
        for (name, (person, lang, letter)), (
            other_name,
            (other_person, other, other_letter),
        ) in permutations(self.first.items(), 2):
            if (name, other_name) in self.compared:
                continue
            own = _own_facts(self.everyone[person], lang) | _own_facts(
                self.everyone[other_person], other
            )
            others = People(
                {
                    key: value
                    for key, value in self.surnames.items()
                    if key not in {person, other_person}
                }
            )
            for fact in missing_facts(facts(letter, others), facts(other_letter, others)):
                if (fact.kind, fact.key) not in own:
                    self._warn(fact, self.templates[lang], self.templates[other])

    def _warn(self, fact: Fact, template: Template, other_template: Template) -> None:
        self.inspection.add(_drift_warning(self.renderer, fact, template, other_template))


def _own_facts(record: PersonRecord, lang: str) -> set[tuple[str, str]]:
    """What a person's roster entry states (a street number, the Mayo of Calle 5 de Mayo):
    in letters to two different people, these differ without any drift."""
    context = person_context(record, lang)
    texts = [value for value in context.values() if isinstance(value, str)]
    text = "\n".join([*texts, *context["address"]])
    return {(fact.kind, fact.key) for fact in text_facts(text, lang, NOBODY)}


def _drift_warning(
    renderer: LetterRenderer, fact: Fact, template: Template, other_template: Template
) -> Finding:
    what = {
        "number": f"the number {fact.shown}",
        "month": f"the month {fact.shown}",
        "person": fact.shown,
    }[fact.kind]
    line = None
    if template.filename:
        source = read_input(Path(template.filename)).decode("utf-8", "replace").split("\n")
        pattern = re.compile(rf"(?<!\w){re.escape(fact.shown)}(?!\w)")
        line = next((n for n, text in enumerate(source, 1) if pattern.search(text)), None)
    # Named after the templates' languages, so en-US and en-CA letters warn once.
    lang, other = template_language(template), template_language(other_template)
    return Finding(
        Location(renderer.shown(template.filename or ""), line),
        f"{what} is in this {language_name(lang)} letter but not in its "
        f"{language_name(other)} version, {renderer.shown(other_template.filename or '')}",
        severity="warning",
    )


def report(inspection: Inspection, *, output_format: str) -> str:
    """The findings as text, one line each, or as a JSON document for CI."""
    if output_format == "json":
        import json

        return json.dumps(
            {
                "errors": len(inspection.errors),
                "warnings": len(inspection.warnings),
                "letters": inspection.letter_count,
                "findings": [finding.as_dict() for finding in inspection.findings],
            },
            ensure_ascii=False,
            indent=2,
        )
    return "\n".join(str(finding) for finding in inspection.findings)


def summary(inspection: Inspection) -> str:
    """One line: what was checked and how it went."""
    campaigns = inspection.campaign_count
    checked = (
        f"{campaigns} campaign{'s' * (campaigns != 1)}, "
        f"{inspection.letter_count} letter{'s' * (inspection.letter_count != 1)}"
    )
    errors, warnings = len(inspection.errors), len(inspection.warnings)
    if not errors and not warnings:
        return f"checked {checked}: no problems"
    counts = [
        f"{count} {word}{'s' * (count != 1)}"
        for count, word in ((errors, "error"), (warnings, "warning"))
        if count
    ]
    return f"checked {checked}: {', '.join(counts)}"
