"""The linter's rules: what ``letterforge check`` adds to loading, resolving and rendering
the workspace, and what ``build``, ``preview`` and ``diff`` run too (the command line hands
them a :class:`Linter`).

Every template is checked in every language, statically through Jinja's syntax tree (names,
filters, tests, every branch), the fonts are checked against what the rosters print, and the
language versions of each letter are compared for translation drift.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from itertools import permutations
from pathlib import Path
from typing import Any

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
from letterforge.check.email import check_emails
from letterforge.check.template_scan import Shapes, scan_template
from letterforge.commands.new import PLACEHOLDER
from letterforge.compose import Composer, LetterRules, Rules
from letterforge.document import Letter, Role
from letterforge.errors import Finding, LetterforgeError, Location
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
    template_language,
)
from letterforge.workspace.conventions import Labels, language_name
from letterforge.workspace.languages import language_fallbacks
from letterforge.workspace.loader import (
    CampaignRecord,
    PersonRecord,
    Workspace,
)
from letterforge.workspace.paths import SETTINGS_FILE, read_input
from letterforge.workspace.resolve import ResolvedCampaign
from letterforge.workspace.yamlio import format_field_path


class Linter(Rules):
    """The linter's rules, handed to a :class:`~letterforge.compose.Composer`: every
    template scanned in every language, fonts, places, and language versions compared."""

    def workspace_opened(self, composer: Composer, workspace: Workspace) -> None:
        _check_fonts(composer, workspace)

    def campaign_opened(
        self,
        composer: Composer,
        record: CampaignRecord,
        languages: list[str],
        campaign: ResolvedCampaign | None,
    ) -> None:
        assert composer.renderer is not None  # made before any campaign is opened
        _check_templates(composer, composer.renderer, record, languages)
        if campaign is not None:
            _check_place(composer, campaign)
            if composer.renderer.workspace.settings.delivery is not None:
                check_emails(composer, composer.renderer, campaign)

    def letters(self, composer: Composer, campaign: ResolvedCampaign) -> _DriftCheck:
        assert composer.renderer is not None  # a campaign is renderable only with a workspace
        return _DriftCheck(composer, composer.renderer, campaign)


def inspect_workspace(root: Path, *, campaigns: Iterable[str] = ()) -> Composer:
    """Check the workspace at ``root`` (every campaign when none is named): load and
    resolve it with the linter's rules, and trial-render every letter."""
    composer = Composer.open(root, campaigns=campaigns, rules=Linter())
    for campaign in composer.renderable:
        for _ in composer.letters(campaign):
            pass
    return composer


def _check_templates(
    composer: Composer,
    renderer: LetterRenderer,
    record: CampaignRecord,
    languages: list[str],
) -> None:
    """Each language's template and the layout exist and compile, and every branch of them
    uses only names, filters and tests that exist."""
    shapes: Shapes = {
        **dict.fromkeys(CONTEXT_NAMES),
        "recipient": frozenset({*PERSON_FIELDS, "salutation", "inside_address"}),
        "sender": frozenset(SENDER_FIELDS),
        "campaign": frozenset(CAMPAIGN_FIELDS),
        "labels": frozenset({*Labels.model_fields, "closing"}),
        "vars": frozenset(record.campaign.vars),
    }
    people = frozenset(PERSON_FIELDS)
    loop_shapes = {
        "cc": people | {"cc_line"},
        "signatories": people,
        "senders": frozenset(SENDER_FIELDS),
    }
    templates: dict[str | None, tuple[Template, Shapes]] = {}
    layout_template = None
    try:
        layout = layout_template = renderer.layout(record)
        templates[layout.name] = (layout, {**shapes, "body": None})
    except LetterforgeError as err:
        composer.add(err)
    for lang in languages:  # en-US and en-CA letters share letter.en.md.j2: scan it once
        try:
            template = renderer.body_template(record, lang)
            templates.setdefault(template.name, (template, shapes))
        except LetterforgeError as err:
            composer.add(err)
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
            composer.add(Finding(where, problem.message))
            composer.reported.add((where.path, problem.message))
        if template is not layout_template:
            _check_placeholder(composer, renderer, template)


def _check_placeholder(composer: Composer, renderer: LetterRenderer, template: Template) -> None:
    """Warn about the paragraph ``letterforge new`` left in a body template it wrote."""
    loader = renderer.environment.loader
    assert template.name is not None and loader is not None
    source, _, _ = loader.get_source(renderer.environment, template.name)
    if not source.strip():
        # Said here too, so that it is found while a roster's mistakes keep letters unrendered.
        where = Location(renderer.shown(template.filename or template.name))
        composer.add(Finding(where, EMPTY_TEMPLATE))
        composer.reported.add((where.path, EMPTY_TEMPLATE))
    for number, line in enumerate(source.splitlines(), 1):
        if PLACEHOLDER in line:
            composer.add(
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


def _check_fonts(composer: Composer, workspace: Workspace) -> None:
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
        composer.add(
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
        composer.add(
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
                composer.add(
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
                    composer.add(
                        Finding(
                            record.document.location(path),
                            f"{where}: {shown!r} is {width:.0f}pt wide in {face.family} at "
                            f"{size:g}pt, wider than a line ({theme.text_width:g}pt), so letters "
                            "break it wherever the line ends: add a space or a hyphen where it "
                            "may break",
                            severity="warning",
                        )
                    )


def _check_place(composer: Composer, campaign: ResolvedCampaign) -> None:
    """A place may leave languages out (they get the date alone), so a language it names
    that no letter is written in is probably a typo: es-MX where the letters are es."""
    place = campaign.campaign.place
    if place is None:
        return
    written = campaign.all_letter_languages
    for tag, _ in place.per_language:
        if not any(tag in language_fallbacks(lang) for lang in (*campaign.languages, *written)):
            composer.add(
                Finding(
                    campaign.record.document.location(("place", tag)),
                    f"place.{tag}: no letter of this campaign is written in "
                    f"{language_name(tag)}, so this place is never printed (its letters are "
                    f"in {', '.join(written)})",
                    severity="warning",
                )
            )


class _DriftCheck(LetterRules):
    """Warns about numbers, dates and names one language's template states and another's
    does not. Each recipient's language versions are compared as they are rendered;
    templates that no recipient reads together (Spanish for one minister, English for
    another) are compared at the end through letters to two different people, leaving out
    what comes from those two people's own roster entries."""

    def __init__(
        self, composer: Composer, renderer: LetterRenderer, campaign: ResolvedCampaign
    ) -> None:
        self.composer = composer
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

    def finish(self) -> None:
        """Compare the templates that no recipient's letters compared."""
        for (name, (person, lang, letter)), (
            other_name,
            (other_person, other, other_letter),
        ) in permutations(self.first.items(), 2):
            if (name, other_name) in self.compared:
                continue
            languages = self.campaign.languages
            own = _own_facts(self.everyone[person], lang, languages) | _own_facts(
                self.everyone[other_person], other, languages
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
        self.composer.add(_drift_warning(self.renderer, fact, template, other_template))


def _own_facts(record: PersonRecord, lang: str, languages: tuple[str, ...]) -> set[tuple[str, str]]:
    """What a person's roster entry and facts state (a street number, the Mayo of Calle 5 de
    Mayo, the date of their state's decree): in letters to two different people, these
    differ without any drift."""
    context = person_context(record, lang, languages)
    texts = [value for value in context.values() if isinstance(value, str)]
    text = "\n".join([*texts, *context["address"]])
    found = {(fact.kind, fact.key) for fact in text_facts(text, lang, NOBODY)}
    return found | _data_facts(context["data"], lang)


def _data_facts(value: Any, lang: str) -> set[tuple[str, str]]:
    """The numbers, months and text facts a person's data states, however a template prints
    them."""
    if isinstance(value, dict):
        return {fact for item in value.values() for fact in _data_facts(item, lang)}
    if isinstance(value, list):
        return {fact for item in value for fact in _data_facts(item, lang)}
    if isinstance(value, datetime.date):
        return {
            ("number", str(value.day)),
            ("number", str(value.year)),
            ("month", str(value.month)),
        }
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {("number", re.sub(r"\D", "", str(value)))}
    if isinstance(value, str):
        return {(fact.kind, fact.key) for fact in text_facts(value, lang, NOBODY)}
    return set()


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
