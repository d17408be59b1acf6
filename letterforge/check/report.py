"""What ``letterforge check`` prints: the findings, one line each or as JSON for CI, and a
summary line."""

from __future__ import annotations

import json

from letterforge.compose import Composer


def report(composer: Composer, *, output_format: str) -> str:
    """The findings as text, one line each, or as a JSON document for CI."""
    if output_format == "json":
        return json.dumps(
            {
                "errors": len(composer.errors),
                "warnings": len(composer.warnings),
                "letters": composer.letter_count,
                "findings": [finding.as_dict() for finding in composer.findings],
            },
            ensure_ascii=False,
            indent=2,
        )
    return "\n".join(str(finding) for finding in composer.findings)


def summary(composer: Composer) -> str:
    """One line: what was checked and how it went."""
    campaigns = composer.campaign_count
    checked = (
        f"{campaigns} campaign{'s' * (campaigns != 1)}, "
        f"{composer.letter_count} letter{'s' * (composer.letter_count != 1)}"
    )
    errors, warnings = len(composer.errors), len(composer.warnings)
    if not errors and not warnings:
        return f"checked {checked}: no problems"
    counts = [
        f"{count} {word}{'s' * (count != 1)}"
        for count, word in ((errors, "error"), (warnings, "warning"))
        if count
    ]
    return f"checked {checked}: {', '.join(counts)}"
