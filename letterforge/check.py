"""The rules behind ``letterforge check``, which ``build`` runs first.

An inspection loads the whole workspace, validates every file, checks every template in every
language (statically, through Jinja's syntax tree, and by a trial render of every letter), and
compares the language versions of each letter for translation drift. It collects every finding
instead of stopping at the first, and keeps the rendered letters so that a build reuses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Template, meta, nodes

from letterforge.document import Letter
from letterforge.drift import Fact, missing_facts
from letterforge.errors import (
    Collector,
    ConfigError,
    Finding,
    LetterforgeError,
    Location,
    sorted_findings,
)
from letterforge.locale import Labels
from letterforge.model import language_name
from letterforge.render import (
    CONTEXT_NAMES,
    PERSON_FIELDS,
    SENDER_FIELDS,
    LetterRenderer,
    LetterSource,
    undefined_message,
)
from letterforge.workspace import ResolvedCampaign, Workspace, load_workspace

LetterKey = tuple[str, str, str]  # campaign, recipient id, language


@dataclass
class Inspection:
    """What an inspection found, and the letters it rendered on the way."""

    workspace: Workspace | None = None
    campaigns: list[ResolvedCampaign] = field(default_factory=list)
    letters: dict[LetterKey, Letter] = field(default_factory=dict)
    found: list[Finding] = field(default_factory=list)
    letter_count: int = 0

    def add(self, problem: LetterforgeError | Finding) -> None:
        if isinstance(problem, LetterforgeError):
            self.found.extend(problem.findings)
        else:
            self.found.append(problem)

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
) -> Inspection:
    """Check the workspace at ``root`` and render the requested letters in memory.

    Args:
        root: the workspace folder.
        campaigns: campaign names; empty means every campaign.
        languages: only these language versions.
        only: only the letters to these recipient ids.
    """
    inspection = Inspection()
    try:
        workspace = load_workspace(root)
    except LetterforgeError as err:
        inspection.add(err)
        return inspection
    inspection.workspace = workspace
    names = list(dict.fromkeys(campaigns)) or workspace.campaign_names()
    if not names:
        inspection.add(ConfigError("there are no campaigns: add a file to campaigns/"))
    problems = Collector()
    for name in names:
        with problems.collect():
            record = workspace.load_campaign(name)
            inspection.campaigns.append(workspace.resolve(record, problems))
    for problem in problems.errors:
        inspection.add(problem)
    _check_narrowing(inspection.campaigns, languages=list(languages), only=list(only))
    renderer = LetterRenderer(workspace)
    for campaign in inspection.campaigns:
        chosen = [lang for lang in campaign.languages if not languages or lang in languages]
        _check_templates(inspection, renderer, campaign, chosen)
        for recipient in campaign.recipients:
            if only and recipient.person.id not in only:
                continue
            versions: dict[str, Letter] = {}
            for lang in chosen:
                inspection.letter_count += 1
                try:
                    versions[lang] = renderer.render(LetterSource(campaign, recipient, lang))
                except LetterforgeError as err:
                    inspection.add(err)
            for lang, letter in versions.items():
                inspection.letters[(campaign.name, recipient.person.id, lang)] = letter
            if len(versions) > 1:
                _check_drift(inspection, renderer, campaign, versions)
    return inspection


def _check_narrowing(
    campaigns: list[ResolvedCampaign], *, languages: list[str], only: list[str]
) -> None:
    """``--lang`` and ``--only`` must name something the chosen campaigns have."""
    offered = {lang for campaign in campaigns for lang in campaign.languages}
    for lang in languages:
        if campaigns and lang not in offered:
            raise ConfigError(
                f"--lang {lang}: no chosen campaign is written in {language_name(lang)}; "
                f"they offer {', '.join(sorted(offered))}"
            )
    recipients = {person.person.id for campaign in campaigns for person in campaign.recipients}
    for person_id in only:
        if campaigns and person_id not in recipients:
            raise ConfigError(f"--only {person_id}: no chosen campaign writes to {person_id!r}")


def _check_templates(
    inspection: Inspection,
    renderer: LetterRenderer,
    campaign: ResolvedCampaign,
    languages: list[str],
) -> None:
    """Each language's template exists and compiles, and names only variables that exist."""
    shapes = _shapes(renderer, campaign)
    try:
        layout = renderer.layout(campaign)
        _check_names(inspection, renderer, layout, {**shapes, "body": None})
    except LetterforgeError as err:
        inspection.add(err)
    for lang in languages:
        try:
            template = renderer.body_template(campaign, lang)
        except LetterforgeError as err:
            inspection.add(err)
            continue
        _check_names(inspection, renderer, template, shapes)


def _shapes(renderer: LetterRenderer, campaign: ResolvedCampaign) -> dict[str, Any]:
    """What each name a template sees holds: a set of keys, or None when anything goes."""
    return {
        **dict.fromkeys(CONTEXT_NAMES),
        "recipient": {*PERSON_FIELDS, "salutation"},
        "sender": set(SENDER_FIELDS),
        "campaign": {"name", "title", "subject", "date"},
        "labels": set(Labels.model_fields),
        "vars": set(campaign.campaign.vars),
    }


def _check_names(
    inspection: Inspection,
    renderer: LetterRenderer,
    template: Template,
    shapes: dict[str, Any],
) -> None:
    """Find undefined names statically, so a branch no letter takes is checked too."""
    if not template.filename or not template.name:
        return
    source = Path(template.filename).read_text(encoding="utf-8")
    tree = renderer.environment.parse(source, template.name, template.filename)
    shown = renderer.shown(template.filename)
    undeclared = meta.find_undeclared_variables(tree)
    allowed = set(shapes) | set(renderer.environment.globals)
    for name_node in tree.find_all(nodes.Name):
        if name_node.ctx == "load" and name_node.name in undeclared - allowed:
            inspection.add(
                _undefined(shown, name_node.lineno, undefined_message(name_node.name, None))
            )
    # Loop variables over people get the fields of a person: {% for p in cc %}{{ p.title }}
    keys_of = {name: shapes[name] for name in undeclared if isinstance(shapes.get(name), set)}
    for loop in tree.find_all(nodes.For):
        iterated = loop.iter
        if (
            isinstance(iterated, nodes.Name)
            and iterated.name in {"cc", "signatories"}
            and isinstance(loop.target, nodes.Name)
        ):
            keys_of[loop.target.name] = set(PERSON_FIELDS)
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(access, nodes.Getattr | nodes.Getitem)
        owner = access.node
        if not (isinstance(owner, nodes.Name) and owner.name in keys_of):
            continue
        if isinstance(access, nodes.Getattr):
            key: object = access.attr
        elif isinstance(access.arg, nodes.Const):
            key = access.arg.value
        else:
            continue
        # Names with an underscore are the sandbox's to refuse, with its own message.
        if isinstance(key, str) and not key.startswith("_") and key not in keys_of[owner.name]:
            message = undefined_message(key, keys_of[owner.name])
            inspection.add(_undefined(shown, access.lineno, message))


def _undefined(path: str, line: int, message: str) -> Finding:
    return Finding(Location(path, line), f"undefined variable: {message}")


def _check_drift(
    inspection: Inspection,
    renderer: LetterRenderer,
    campaign: ResolvedCampaign,
    versions: dict[str, Letter],
) -> None:
    """Warn about numbers, dates and names one language version states and another does not."""
    people = {
        person_id: record.person.name.family.split()[0]
        for person_id, record in renderer.workspace.people.items()
    }
    templates = {lang: renderer.body_template(campaign, lang) for lang in versions}
    for lang, letter in versions.items():
        for other, other_letter in versions.items():
            if other == lang:
                continue
            for fact in missing_facts(letter, other_letter, people):
                inspection.add(
                    _drift_warning(renderer, fact, templates[lang], lang, templates[other], other)
                )


def _drift_warning(
    renderer: LetterRenderer,
    fact: Fact,
    template: Template,
    lang: str,
    other_template: Template,
    other: str,
) -> Finding:
    what = {
        "number": f"the number {fact.shown}",
        "month": f"the month {fact.shown}",
        "person": fact.shown,
    }[fact.kind]
    line = None
    if template.filename:
        source = Path(template.filename).read_text(encoding="utf-8").split("\n")
        pattern = re.compile(rf"(?<!\w){re.escape(fact.shown)}(?!\w)")
        line = next((n for n, text in enumerate(source, 1) if pattern.search(text)), None)
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
    campaigns = len(inspection.campaigns)
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
