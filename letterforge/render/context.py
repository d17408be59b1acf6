"""What a letter template sees: the campaign, the recipient, the sender, the signatories and
the people in copy, each in the letter's language.

A value the files give per language is taken in the letter's language (es-MX falls back to es);
one given for other languages only is an error that names the file and line it is missing from.
"""

from __future__ import annotations

from typing import Any

from letterforge.errors import Collector, ConfigError
from letterforge.render.environment import PersonData, Untranslated, UntranslatedError
from letterforge.workspace.conventions import Conventions, language_name
from letterforge.workspace.formatting import (
    SalutationGap,
    cc_line,
    closing,
    date_line,
    inside_address,
    salutation,
)
from letterforge.workspace.languages import LANGUAGE_TAG, Localized, in_language, language_fallbacks
from letterforge.workspace.loader import CampaignRecord, PersonRecord, Workspace
from letterforge.workspace.model import Sender
from letterforge.workspace.resolve import ResolvedCampaign
from letterforge.workspace.yamlio import YamlDocument, YamlPath, format_field_path

# What a template sees; check.py reads these to find undefined names without rendering.
CONTEXT_NAMES = (
    "lang",
    "labels",
    "sender",
    "senders",
    "campaign",
    "recipient",
    "cc",
    "signatories",
    "vars",
    "date_line",
    "closing",
)
PERSON_FIELDS = (
    "id",
    "given",
    "family",
    "surname",
    "full_name",
    "gender",
    "honorific",
    "style",
    "post_nominals",
    "title",
    "office",
    "organization",
    "address",
    "email",
    "tags",
    "languages",
    "signature",
    "data",
)
SENDER_FIELDS = ("name", "short_name", "address", "website", "email", "phone", "place", "logo")
CAMPAIGN_FIELDS = ("name", "title", "subject", "reference", "date", "place", "enclosures")


def letter_context(
    workspace: Workspace,
    campaign: ResolvedCampaign,
    addressee: PersonRecord,
    lang: str,
    conventions: Conventions,
) -> dict[str, Any]:
    """The variables a template sees in the letter of ``campaign`` to ``addressee`` in ``lang``."""
    record = campaign.record
    document = record.document
    languages = campaign.languages
    recipient = person_context(addressee, lang, languages)
    recipient["salutation"] = _salutation(addressee, lang, recipient, conventions)
    recipient["inside_address"] = inside_address(recipient, conventions)
    senders = senders_context(workspace, lang, record)
    sender = _as_one(senders)
    # The campaign's place, or its (first) letterhead organization's.
    place_text = (
        campaign.campaign.place.get(lang)
        if campaign.campaign.place is not None
        else sender["place"]
    )
    closing_line = _closing(
        addressee, lang, recipient["salutation"], len(campaign.signatories), conventions
    )
    return {
        "lang": lang,
        # labels.closing: layouts copied before closings depended on the recipient use it.
        "labels": {**conventions.labels.model_dump(), "closing": closing_line},
        "sender": sender,
        "senders": senders,
        "campaign": {
            "name": campaign.name,
            "title": localize(campaign.campaign.title, lang, document, ("title",)),
            "subject": localize(campaign.campaign.subject, lang, document, ("subject",)),
            "reference": localize(campaign.campaign.reference, lang, document, ("reference",)),
            "date": campaign.campaign.date,
            "place": place_text,
            "enclosures": [
                localize(item, lang, document, ("enclosures", index))
                if isinstance(item, Localized)
                else localize(item.text, lang, document, ("enclosures", index, "text"))
                for index, item in enumerate(campaign.campaign.enclosures)
            ],
        },
        "recipient": recipient,
        # A recipient in the campaign's CC list is not copied on their own letter.
        "cc": [
            _in_copy(person_context(person, lang, languages), conventions)
            for person in campaign.cc
            if person.person.id != addressee.person.id
        ],
        "signatories": [person_context(person, lang, languages) for person in campaign.signatories],
        "vars": localize_vars(
            campaign.campaign.vars, lang, campaign.languages, document, ("vars",)
        ),
        "date_line": date_line(campaign.campaign.date, lang, conventions, place_text),
        "closing": closing_line,
    }


def _in_copy(person: dict[str, Any], conventions: Conventions) -> dict[str, Any]:
    """A person of the CC list, with the line the list gives them."""
    return {**person, "cc_line": cc_line(person, conventions)}


def senders_context(
    workspace: Workspace, lang: str, record: CampaignRecord
) -> list[dict[str, Any]]:
    """The letterhead's organizations: the campaign's own (one, or a joint letter's several),
    or the settings'."""
    many = isinstance(record.campaign.sender, list)
    if not record.campaign.senders:
        return [_sender(workspace.settings.sender, lang, workspace.settings_document, ("sender",))]
    return [
        _sender(sender, lang, record.document, ("sender", index) if many else ("sender",))
        for index, sender in enumerate(record.campaign.senders)
    ]


def _as_one(senders: list[dict[str, Any]]) -> dict[str, Any]:
    """The sender as one: the organization, or a joint letter's names joined (AMITI · ITI ·
    TECHNATION), for the text and the documents' author."""
    if len(senders) == 1:
        return senders[0]
    joined = " · ".join(sender["short_name"] or sender["name"] for sender in senders)
    return {
        **dict.fromkeys(SENDER_FIELDS),
        "name": joined,
        "address": [],
        "place": senders[0]["place"],
    }


def _sender(sender: Sender, lang: str, document: YamlDocument, path: YamlPath) -> dict[str, Any]:
    return {
        "name": localize(sender.name, lang, document, (*path, "name")),
        "short_name": sender.short_name,
        "address": [
            localize(line, lang, document, (*path, "address", index))
            for index, line in enumerate(sender.address)
        ],
        "website": sender.website,
        "email": sender.email,
        "phone": sender.phone,
        "place": sender.place.get(lang) if sender.place is not None else None,
        "logo": sender.logo,
    }


def missing_language(lang: str) -> str:
    """The language to name when a value lacks ``lang``: its base (a Spanish value serves
    es-MX letters too), so es and es-MX letters report one mistake, not two."""
    return language_name(language_fallbacks(lang)[-1])


def localize(
    value: Localized | None, lang: str, document: YamlDocument, path: YamlPath
) -> str | None:
    """The text of ``value`` in ``lang``; a value given for other languages only is an error."""
    if value is None:
        return None
    text = value.get(lang)
    if text is None:
        raise ConfigError(
            f"{format_field_path(path)}: no {missing_language(lang)} value", document.location(path)
        )
    return text


def localize_vars(
    value: Any, lang: str, languages: tuple[str, ...], document: YamlDocument, path: YamlPath
) -> Any:
    """Campaign variables in ``lang``.

    A mapping is localized when its keys are language tags and one of them is a language of
    the campaign or of the letter: ``{en: 5, es: 5}`` is, and so is ``{en-CA: .., fr-CA: ..}``
    in the fr-CA letter of a campaign in ``fr``; ``{us: 5, mx: 3}`` in an English and Spanish
    campaign is not (those keys are data that happen to look like tags).
    """
    if isinstance(value, dict):
        keys = [key for key in value if isinstance(key, str) and LANGUAGE_TAG.fullmatch(key)]
        tags = {tag for language in (*languages, lang) for tag in language_fallbacks(language)}
        if value and len(keys) == len(value) and tags.intersection(keys):
            for tag in language_fallbacks(lang):
                if tag in value:
                    return value[tag]
            raise ConfigError(
                f"{format_field_path(path)}: no {missing_language(lang)} value",
                document.location(path),
            )
        return {
            key: localize_vars(item, lang, languages, document, (*path, key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            localize_vars(item, lang, languages, document, (*path, index))
            for index, item in enumerate(value)
        ]
    return value


def person_context(record: PersonRecord, lang: str, languages: tuple[str, ...]) -> dict[str, Any]:
    """What a template sees of a person, in ``lang``, in a campaign written in ``languages``
    (which tell facts given per language from facts that only look so)."""
    person = record.person
    problems = Collector()  # report every field that lacks the language, not just the first

    def field(value: Localized | None, *path: str | int) -> str | None:
        with problems.collect():
            return localize(value, lang, record.document, record.field_path(*path))
        return None

    def salutation_field(value: Localized | None, name: str) -> str | Untranslated | None:
        # Only salutations need these, and their forms differ by language: French names the
        # office (Monsieur le Ministre) where English uses an honorific (Dear Minister
        # Sidhu), so a language may be left out; a salutation that needs one says so.
        if value is None:
            return None
        text = value.get(lang)
        if text is not None:
            return text
        path = record.field_path(name)
        return Untranslated(
            hint=f"{person.id} has no {name} in {missing_language(lang)} "
            f"({format_field_path(path)}, {record.document.location(path)})",
            exc=UntranslatedError,
        )

    address: list[str] = []
    if person.address is not None:
        for index, line in enumerate(person.address.lines):
            address.append(field(line, "address", "lines", index) or "")
        for part in ("locality", "country"):
            text = field(getattr(person.address, part), "address", part)
            if text:
                address.append(text)
    context = {
        "id": person.id,
        "given": person.name.given,
        "family": person.name.family,
        "surname": person.surname,
        "full_name": person.full_name,
        "gender": person.gender,
        "honorific": salutation_field(person.honorific, "honorific"),
        # Left out in a language where they are not used: in the address, a missing one is
        # no gap, and a template that prints one in that language gets an error.
        "style": salutation_field(person.style, "style"),
        "post_nominals": salutation_field(person.post_nominals, "post_nominals"),
        "title": field(person.title, "title"),
        "office": salutation_field(person.office, "office"),
        "organization": field(person.organization, "organization"),
        "address": address,
        "email": person.email,
        "tags": list(person.tags),
        "languages": list(person.languages or ()),
        "signature": person.signature,
        "data": _facts(record, lang, languages, problems),
    }
    problems.raise_if_any()
    return context


def _facts(
    record: PersonRecord, lang: str, languages: tuple[str, ...], problems: Collector
) -> PersonData:
    """A person's facts in ``lang``: their own, then the campaign's for their letter, which
    win key by key."""
    facts: dict[str, Any] = {}
    for layer in record.data_layers:
        with problems.collect():
            facts.update(localize_vars(layer.data, lang, languages, layer.document, layer.path))
    where = record.location("data") if record.person.data else record.location()
    return PersonData(facts, record.person.id, str(where))


def _salutation(
    record: PersonRecord, lang: str, fields: dict[str, Any], conventions: Conventions
) -> str:
    person = record.person
    own = in_language(person.salutation, lang)
    if own is not None:
        return own
    try:
        return salutation(
            conventions,
            lang=lang,
            gender=person.gender,
            fields={key: value for key, value in fields.items() if isinstance(value, str)},
        )
    except SalutationGap as gap:
        # Point at the field when the roster has it (in other languages), else at the person.
        given = gap.field in person.model_fields_set
        where = record.location(gap.field) if given else record.location()
        raise ConfigError(f"{person.id}: {gap}", where) from None


def _closing(
    record: PersonRecord,
    lang: str,
    salutation_line: str,
    signatories: int,
    conventions: Conventions,
) -> str:
    own = in_language(record.person.closing, lang)
    if own is not None:
        return own
    return closing(conventions, salutation_line=salutation_line, signatories=signatories)
