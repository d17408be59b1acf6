"""A synthetic workspace for the benchmark: the example's letter, sent to many recipients.

Every recipient gets the essential-services letter in English and Spanish (two pages each, like
the example), with the example's CC list and signatory. Names and titles vary per recipient, so
no two letters are the same; each recipient has facts (``data``) and two offices (``roles``),
the letter's from the second.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
GIVEN = ["Ana", "Luis", "María", "José", "Carmen", "Jorge", "Lucía", "Pedro", "Elena", "Raúl"]
FAMILY = ["García", "Hernández", "López", "Martínez", "González", "Pérez", "Sánchez", "Ramírez"]
STATES = ["Jalisco", "Nuevo León", "Puebla", "Yucatán", "Sonora", "Oaxaca", "Chiapas", "Durango"]


def recipient_yaml(number: int) -> str:
    """The roster entry of recipient ``number``: a state official, in English and Spanish."""
    given = GIVEN[number % len(GIVEN)]
    family = f"{FAMILY[number % len(FAMILY)]} {FAMILY[(number // 8) % len(FAMILY)]}"
    state = STATES[number % len(STATES)]
    female = number % 2 == 1
    return (
        f"  - id: official-{number:05d}\n"
        f"    name: {{given: {given}, family: {family}}}\n"
        f"    gender: {'f' if female else 'm'}\n"
        f"    honorific: {{en: {'Ms.' if female else 'Mr.'}, es: Lic.}}\n"
        f"    address:\n"
        f"      locality: {{en: {state}, es: {state}}}\n"
        f"    tags: [state]\n"
        f"    data: {{state: {state}, office: {number}, since: 2019-01-{number % 28 + 1:02d}}}\n"
        f"    roles:\n"
        f"      - title: {{en: Under Secretary of {state}, es: Subsecretario de {state}}}\n"
        f"        until: 2018-12-31\n"
        f"      - title:\n"
        f"          en: Secretary of Economic Development of {state} (office {number})\n"
        f"          es: {'Secretaria' if female else 'Secretario'} de Desarrollo Económico "
        f"de {state} (oficina {number})\n"
        f"        from: 2019-01-01\n"
    )


def make_workspace(root: Path, recipients: int) -> Path:
    """Write a workspace at ``root`` whose one campaign writes to ``recipients`` officials."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPOSITORY / "letterforge.yaml", root / "letterforge.yaml")
    shutil.copytree(REPOSITORY / "templates" / "essential-services", root / "templates" / "states")
    (root / "recipients").mkdir(exist_ok=True)
    shutil.copy(REPOSITORY / "recipients" / "mexico-federal.yaml", root / "recipients")
    shutil.copy(REPOSITORY / "recipients" / "signatories.yaml", root / "recipients")
    (root / "recipients" / "states.yaml").write_text(
        "people:\n" + "".join(recipient_yaml(number) for number in range(recipients)),
        encoding="utf-8",
    )
    (root / "campaigns").mkdir(exist_ok=True)
    (root / "campaigns" / "states.yaml").write_text(
        "title:\n"
        "  en: Consistent essential-services guidance in every state\n"
        "  es: Lineamientos uniformes de servicios esenciales en todos los estados\n"
        "date: 2020-04-21\n"
        "languages: [en, es]\n"
        "template: states\n"
        "to: {tags: [state]}\n"
        "cc: [alcocer, lopez-gatell, ebrard, marquez, sanchez-cordero, jimenez-espriu, jalife]\n"
        "from: [oxman]\n"
        "bundle: false\n"
        "vars:\n"
        "  member_companies: 70\n"
        "  directives: [2020-03-31, 2020-04-06]\n",
        encoding="utf-8",
    )
    return root
