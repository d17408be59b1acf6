"""What a workspace holds, as text for ``letterforge list``."""

from __future__ import annotations

from letterforge.workspace.campaign import TagQuery
from letterforge.workspace.conventions import english_name
from letterforge.workspace.loader import Workspace


def describe_workspace(workspace: Workspace) -> str:
    """Campaigns, people, languages and templates, one per line under a heading each."""
    lines = ["Campaigns:"]
    for name in workspace.campaign_names():
        record = workspace.load_campaign(name)
        campaign = record.campaign
        languages = ", ".join(workspace.campaign_languages(campaign))
        to = ", ".join(
            "tags " + "+".join(item.tags) if isinstance(item, TagQuery) else item.id
            for item in campaign.to
        )
        bundle = ", bundle" if campaign.bundle else ""
        lines.append(f"  {name}  {campaign.date.isoformat()}  [{languages}{bundle}]  to: {to}")
    lines.append("People:")
    width = max((len(person_id) for person_id in workspace.people), default=0)
    for person_id, person_record in workspace.people.items():
        person = person_record.person
        tags = f"  [{', '.join(person.tags)}]" if person.tags else ""
        reads = f"  reads {', '.join(person.languages)}" if person.languages else ""
        lines.append(f"  {person_id:<{width}}  {person.full_name}{tags}{reads}")
    lines.append("Languages:")
    known = workspace.locales.languages()
    tag_width = max(len(lang) for lang in known)
    names = {lang: english_name(lang) or "" for lang in known}
    name_width = max(len(name) for name in names.values())
    for lang in known:
        sources = ", ".join(workspace.locales.sources(lang))
        lines.append(f"  {lang:<{tag_width}}  {names[lang]:<{name_width}}  {sources}")
    lines.append("Templates:")
    for name, template_languages in workspace.template_names().items():
        lines.append(f"  {name}  [{', '.join(template_languages)}]")
    return "\n".join(lines) + "\n"
