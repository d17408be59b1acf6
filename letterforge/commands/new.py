"""``letterforge new``: the next campaign or template, from the workspace's own defaults.

A new campaign copies the people and settings of the workspace's latest campaign (or of the
one named with ``--like``): the same recipients, CC list, signatories, languages and bundle
setting, since a policy team's next letter usually goes to the same officials, copied to the
same people, signed by the same people. It is dated today and gets a template of its own,
in each of its languages, unless it names an existing one; when that is the followed
campaign's template, the subject, enclosures and vars it reads are copied too.

A new template holds a comment that says what a template may use, and one placeholder
paragraph. ``letterforge check`` warns while the placeholder is there, so ``check --strict``
in CI keeps a letter nobody wrote from going out.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from letterforge.errors import ConfigError
from letterforge.workspace.conventions import language_name
from letterforge.workspace.paths import campaign_names

# check warns about a template line that holds this (see letterforge.check.rules).
PLACEHOLDER = "letterforge new left this paragraph here"
# Keys a new campaign takes from the one it follows, in the order campaign files write them.
COPIED_KEYS = ("languages", "layout", "place", "sender", "to", "cc", "from", "bundle")
# And, when it keeps that campaign's template, what the template reads.
TEMPLATE_KEYS = ("subject", "enclosures", "vars")

TEMPLATE_TEXT = """\
{{#- The body of the {language} letter, in Markdown: one paragraph per line or block, a blank
    line between paragraphs, *italics*, **bold**, lists. The layout adds the rest: letterhead,
    date, address, salutation, closing, signatures, enclosures and CC list.
    Names to use: {{{{ recipient.full_name }}}}, {{{{ recipient.title }}}},
    {{{{ campaign.title }}}}, {{{{ campaign.date | date }}}}, {{{{ sender.name }}}}, and the
    campaign's own values as {{{{ vars.NAME }}}}; filters: date, number, join_and, join_or.
    See it with: letterforge preview CAMPAIGN --lang {lang}
    Check it with: letterforge check -#}}
{{{{ campaign.title }}}}: {placeholder}. Replace this paragraph with the letter.
"""


@dataclass(frozen=True)
class _Base:
    """The campaign a new one follows: its name and the keys it copies."""

    name: str
    data: dict[str, Any]


def new_template(root: Path, name: str, *, languages: list[str] | None = None) -> list[Path]:
    """Write ``templates/<name>/letter.<lang>.md.j2`` for each language (default: the
    workspace's), each with a placeholder paragraph; return the files written.

    Raises:
        ConfigError: a bad name or language, or one of the files exists; nothing is
            written then.
    """
    from letterforge.workspace.languages import LANGUAGE_TAG
    from letterforge.workspace.loader import load_settings

    _check_template_name(root, name)
    if not languages:
        settings, _ = load_settings(root)
        languages = list(settings.languages)
    for lang in languages:
        if not LANGUAGE_TAG.fullmatch(lang):
            raise ConfigError(f"--lang {lang}: not a language tag such as en, es or fr-CA")
    files = dict(_template_file(root, name, lang, lang) for lang in languages)
    return _write_new(root, files)


def new_campaign(
    root: Path,
    name: str,
    *,
    like: str | None = None,
    template: str | None = None,
    title: str | None = None,
    today: datetime.date | None = None,
) -> list[Path]:
    """Write ``campaigns/<name>.yaml``, following the campaign ``like`` (default: the latest
    by date), dated ``today``; and, unless ``template`` names an existing template, a new
    template named after the campaign. Return the files written.

    Raises:
        ConfigError: a bad or taken name, no campaign to follow, an unknown template; nothing
            is written then.
    """
    from letterforge.workspace.loader import case_collisions, load_settings

    _check_file_name(name, "a campaign", "a file and folder name")
    collisions = case_collisions([*campaign_names(root), name])
    if collisions and name not in campaign_names(root):
        raise ConfigError(collisions[0].message)
    base = _base(root, like)
    settings, _ = load_settings(root)
    languages = list(base.data.get("languages") or settings.languages)
    if template is not None and not (root / "templates" / template).is_dir():
        raise ConfigError(f"--template {template}: there is no templates/{template}/")
    if template is None:
        if (root / "templates" / name).exists():
            raise ConfigError(
                f"templates/{name}/ already exists: to write this campaign with it, add "
                f"--template {name}"
            )
        _check_template_name(root, name)
    heading = title or name.replace("-", " ").replace("_", " ").capitalize()
    data: dict[str, Any] = {
        "title": dict.fromkeys(languages, heading) if len(languages) > 1 else heading,
        "date": today or datetime.date.today(),
        "template": template or name,
    }
    keeps_template = template == base.data.get("template")
    copied = COPIED_KEYS + (TEMPLATE_KEYS if keeps_template else ())
    data.update((key, base.data[key]) for key in copied if key in base.data)
    kept = "people, languages and template" if keeps_template else "people and languages"
    text = (
        f"# Made by letterforge new from campaigns/{base.name}.yaml, with its {kept};\n"
        "# dated today. Translate the title; see the README for subject:, reference:, "
        "enclosures: and vars:.\n"
        + yaml.dump(data, Dumper=_CampaignDumper, sort_keys=False, allow_unicode=True, width=100)
    )
    files = {root / "campaigns" / f"{name}.yaml": text}
    if template is None:
        for lang in languages:  # es-MX letters read letter.es.md.j2
            path, text = _template_file(root, name, lang.split("-")[0], lang)
            files.setdefault(path, text)
    return _write_new(root, files)


class _CampaignDumper(yaml.SafeDumper):
    """Writes lists of ids on one line, as people write them (``to: [greer, sidhu]``), and
    everything else in blocks."""

    def represent_ids(self, data: list[Any]) -> yaml.SequenceNode:
        flow = all(isinstance(item, (str, int, datetime.date)) for item in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_CampaignDumper.add_representer(list, _CampaignDumper.represent_ids)


def _check_template_name(root: Path, name: str) -> None:
    """Refuse a template name that cannot be a folder everywhere, or that differs from an
    existing template's only by case (one folder on Windows and macOS)."""
    _check_file_name(name, "a template", "a folder name")
    folder = root / "templates"
    existing = [path.name for path in folder.iterdir()] if folder.is_dir() else []
    for other in existing:
        if other != name and other.casefold() == name.casefold():
            raise ConfigError(
                f"templates/{other}/ differs from {name!r} only by case: on Windows and macOS "
                "they would be one folder; choose another name"
            )


def _check_file_name(name: str, what: str, becomes: str) -> None:
    from letterforge.workspace.model import FILE_NAME, is_device_name

    if not FILE_NAME.fullmatch(name) or is_device_name(name):
        raise ConfigError(
            f"{name!r} cannot name {what}: use letters, digits, '-', '_' and '.' (it becomes "
            f"{becomes}), and not a Windows device name"
        )


def _template_file(root: Path, name: str, file_lang: str, lang: str) -> tuple[Path, str]:
    """The path of template ``name``'s file for ``file_lang``, and its text, which speaks of
    the letters in ``lang``."""
    text = TEMPLATE_TEXT.format(language=language_name(lang), lang=lang, placeholder=PLACEHOLDER)
    return root / "templates" / name / f"letter.{file_lang}.md.j2", text


def _base(root: Path, like: str | None) -> _Base:
    """The campaign a new one follows: ``like``, or the latest by date."""
    from letterforge.errors import LetterforgeError
    from letterforge.workspace.loader import load_campaign

    names = [like] if like is not None else campaign_names(root)
    found: list[tuple[datetime.date, str, dict[str, Any]]] = []
    for name in names:
        try:
            record = load_campaign(root, name)
        except LetterforgeError:
            if like is not None:
                raise
            continue  # a broken campaign is not one to copy; check reports it
        # The file's own text for each key (tag queries stay queries), but bundle: and vars:
        # as read, since the file's data holds every scalar as text: a date stays a date.
        data = dict(record.document.data)
        if "bundle" in data:
            data["bundle"] = record.campaign.bundle
        if "vars" in data:
            data["vars"] = record.campaign.vars
        data["to"] = [_entry_data(entry) for entry in record.campaign.to]
        found.append((record.campaign.date, name, data))
    if not found:
        raise ConfigError(
            "no campaign to follow: letterforge new campaign copies the people of an existing "
            "campaign, and campaigns/ has none that loads; write one (letterforge init shows how)"
        )
    _, name, data = max(found)
    return _Base(name, data)


def _entry_data(entry: Any) -> Any:
    """A ``to:`` entry as read, for writing again: a bare id where it is one, and its facts
    and bundle typed (a date stays a date, true stays true)."""
    from letterforge.workspace.campaign import TagQuery

    data: dict[str, Any] = (
        {"tags": list(entry.tags)} if isinstance(entry, TagQuery) else {"id": entry.id}
    )
    if entry.bundle is not None:
        data["bundle"] = entry.bundle
    if entry.data:
        data["data"] = entry.data
    return data if len(data) > 1 or "tags" in data else entry.id


def _write_new(root: Path, files: dict[Path, str]) -> list[Path]:
    """Write ``files``, none of which may exist: one that does stops everything."""
    from letterforge.errors import relative_path

    for path in files:
        if os.path.lexists(path):
            raise ConfigError(
                f"{relative_path(path, root)} already exists: letterforge new never replaces "
                "a file; choose another name"
            )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
