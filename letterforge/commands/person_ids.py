"""The ids of imported people: from the sheet's id column, or made from their names.

A made id is the name as a lowercase ASCII slug, accents folded (``María Eugenia Campos
Galván`` → ``maria-eugenia-campos-galvan``), numbered ``-2``, ``-3`` ... when taken. Ids stay
stable across imports: a person the roster already has under the same name keeps their id, so
importing the same sheet again gives the same ids, and an id edited by hand in the roster is
kept. People of one name are told apart by what else the sheet and the roster say of them
(their email, title, facts), never by their order in the sheet.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterforge.errors import CellLocation, ConfigError, LetterforgeError, Location
from letterforge.workspace.model import is_device_name
from letterforge.workspace.paths import yaml_files
from letterforge.workspace.yamlio import load_yaml_file

MAX_SLUG = 60  # ids are at most 64 characters; leave room for a number


@dataclass
class Imported:
    """A person being imported, with the places its id and name came from."""

    person: dict[str, Any]
    id_cell: Location | None
    """The cell of its id, or None when the id is to be made from the name."""
    name_cell: Location


def slug(text: str) -> str:
    """``María Eugenia Campos`` → ``maria-eugenia-campos``: lowercase ASCII letters and digits
    joined by ``-``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:MAX_SLUG].strip("-")


def _name_key(person: Any) -> tuple[str, str] | None:
    name = person.get("name") if isinstance(person, dict) else None
    if not isinstance(name, dict):
        return None
    given, family = name.get("given"), name.get("family")
    if not (isinstance(given, str) and isinstance(family, str)):
        return None
    return (" ".join(given.split()).casefold(), " ".join(family.split()).casefold())


def ids_elsewhere(root: Path, roster: Path) -> dict[str, Location]:
    """The ids of the people of the workspace's other rosters, and where each stands (a
    roster that cannot be read is for ``check`` to report)."""
    found: dict[str, Location] = {}
    for path in yaml_files(root / "recipients"):
        if path.name == roster.name:
            continue
        try:
            document = load_yaml_file(path, root)
        except ConfigError:
            continue
        people = document.data.get("people") if isinstance(document.data, dict) else None
        for index, person in enumerate(people if isinstance(people, list) else []):
            if isinstance(person, dict) and isinstance(person.get("id"), str):
                found.setdefault(person["id"], document.location(("people", index, "id")))
    return found


def _also(where: Location) -> str:
    if isinstance(where, CellLocation):
        return f"in {where.cell}" if where.sheet else f"on line {where.line}"
    return f"at {where}"


def assign_ids(
    imported: Sequence[Imported],
    roster_people: list[dict[str, Any]],
    elsewhere: dict[str, Location],
) -> list[LetterforgeError]:
    """Give every imported person an id: their own, checked unique, or one made from their
    name. Returns the problems: an id twice in the sheet, or a person's of another roster."""
    problems: list[LetterforgeError] = []
    first: dict[str, Location] = {}
    for entry in imported:
        person_id = entry.person.get("id")
        if entry.id_cell is None or not isinstance(person_id, str):
            continue
        if person_id in first:
            message = f"id: {person_id!r} is also the id {_also(first[person_id])}"
            problems.append(ConfigError(message, entry.id_cell))
        elif person_id in elsewhere:
            message = (
                f"id: {person_id!r} is already the id of a person in {elsewhere[person_id]}: "
                "ids are unique across rosters"
            )
            problems.append(ConfigError(message, entry.id_cell))
        first.setdefault(person_id, entry.id_cell)
    # People of the roster whose ids the sheet does not give, by name, in roster order.
    by_name: dict[tuple[str, str], deque[dict[str, Any]]] = defaultdict(deque)
    for person in roster_people:
        key = _name_key(person)
        if key is not None and person["id"] not in first:
            by_name[key].append(person)
    problems += _match_namesakes(imported, by_name)
    taken = set(first) | set(elsewhere) | {person["id"] for person in roster_people}
    for number, entry in enumerate(imported, start=1):
        if entry.id_cell is not None:
            continue
        key = _name_key(entry.person)
        if key is None:  # the missing name is reported; the id does not matter
            entry.person["id"] = f"row-{number}"
        elif "id" in entry.person:  # a namesake matched by what else the roster says
            continue
        elif by_name[key]:
            entry.person["id"] = by_name[key].popleft()["id"]
        else:
            base = slug(f"{key[0]} {key[1]}")
            if not base:
                message = (
                    "id: cannot make an id of ASCII letters from this name: give the people "
                    "ids in a column (columns: {id: ...})"
                )
                problems.append(ConfigError(message, entry.name_cell))
                entry.person["id"] = f"row-{number}"
                continue
            candidate, count = base, 1
            while candidate in taken or is_device_name(candidate):
                count += 1
                candidate = f"{base}-{count}"
            entry.person["id"] = candidate
            taken.add(candidate)
    return problems


def _match_namesakes(
    imported: Sequence[Imported], by_name: dict[tuple[str, str], deque[dict[str, Any]]]
) -> list[LetterforgeError]:
    """Give people of one name in the sheet the roster ids of the same people, told apart by
    what else both say of them (email, title, facts): a re-sorted sheet must not hand one
    governor's id, and with it their letters, to another. Namesakes nothing tells apart are
    an error: they need ids in a column."""
    groups: dict[tuple[str, str], list[Imported]] = defaultdict(list)
    for entry in imported:
        key = _name_key(entry.person)
        if entry.id_cell is None and key is not None and len(by_name.get(key, ())) > 1:
            groups[key].append(entry)
    problems: list[LetterforgeError] = []
    for key, entries in groups.items():
        candidates = list(by_name[key])
        # Only what tells the roster's namesakes apart counts: not the title they share.
        known = [_facts(person) for person in candidates]
        shared = set.intersection(*known)
        scores = sorted(
            (-len(_facts(entry.person) & (facts - shared)), number, index)
            for number, entry in enumerate(entries)
            for index, facts in enumerate(known)
        )
        matched: dict[int, int] = {}
        for score, number, index in scores:
            if score < 0 and number not in matched and index not in matched.values():
                matched[number] = index
        for number, entry in enumerate(entries):
            if number in matched:
                entry.person["id"] = candidates[matched[number]]["id"]
            else:
                problems.append(
                    ConfigError(
                        f"name: the roster has {len(candidates)} people named "
                        f"{entry.person['name']['given']} {entry.person['name']['family']}, "
                        "and nothing else in this row tells which one this is: give the "
                        "people ids in a column (columns: {id: ...})",
                        entry.name_cell,
                    )
                )
        used = {candidates[index]["id"] for index in matched.values()}
        by_name[key] = deque(person for person in candidates if person["id"] not in used)
    return problems


def _facts(person: Any, path: tuple[str, ...] = ()) -> set[tuple[tuple[str, ...], str]]:
    """What a person's entry says besides their id and name, as (path, text) pairs."""
    if isinstance(person, dict):
        return {
            fact
            for key, value in person.items()
            if path or key not in {"id", "name"}
            for fact in _facts(value, (*path, str(key)))
        }
    if isinstance(person, list):
        return {fact for item in person for fact in _facts(item, path)}
    return {(path, str(person))}
