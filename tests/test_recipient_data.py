"""Facts for each letter (a person's ``data``, a campaign's ``to:`` entries with ``data`` and
``bundle``) and offices over time (``roles``), through the command line as users run it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import docx_paragraphs, make_workspace, run

GOVERNORS = """\
people:
  - id: corral
    name: {given: Javier, family: Corral Jurado}
    gender: m
    honorific: {en: Mr., es: Lic.}
    title: {en: Governor of Chihuahua, es: Gobernador de Chihuahua}
    tags: [governor, border]
    data:
      state: Chihuahua
      capital: {en: Chihuahua City, es: Chihuahua}
      decree: 2020-03-31
  - id: alfaro
    name: {given: Enrique, family: Alfaro Ramírez}
    gender: m
    honorific: {en: Mr., es: Ing.}
    title: {en: Governor of Jalisco, es: Gobernador de Jalisco}
    tags: [governor]
    data:
      state: Jalisco
      capital: Guadalajara
      decree: 2020-04-02
  - id: sam
    name: {given: Sam, family: Lee}
    title: Director
"""
TEMPLATE_EN = (
    "We write to you as governor of {{ recipient.data.state }}, whose decree of "
    "{{ recipient.data.decree | date }} we welcome, from {{ recipient.data.capital }}.\n"
    "{% if recipient.data.meeting is defined %}We propose to meet on "
    "{{ recipient.data.meeting | date }}.{% endif %}"
    " Priority: {{ recipient.data.priority | default('essential services') }}.\n"
)
TEMPLATE_ES = (
    "Le escribimos como gobernador de {{ recipient.data.state }}, cuyo decreto del "
    "{{ recipient.data.decree | date }} celebramos, desde {{ recipient.data.capital }}.\n"
    "{% if recipient.data.meeting is defined %}Proponemos reunirnos el "
    "{{ recipient.data.meeting | date }}.{% endif %}"
    " Prioridad: {{ recipient.data.priority | default('servicios esenciales') }}.\n"
)


def governors(tmp_path: Path, to: str, bundle: str = "false") -> Path:
    return make_workspace(
        tmp_path / "workspace",
        {
            "letterforge.yaml": "sender:\n  name: Example Association\nlanguages: [en, es]\n",
            "recipients/people.yaml": GOVERNORS,
            "templates/note/letter.en.md.j2": TEMPLATE_EN,
            "templates/note/letter.es.md.j2": TEMPLATE_ES,
            "campaigns/note.yaml": (
                "title: {en: Essential services, es: Servicios esenciales}\n"
                f"date: 2020-04-21\ntemplate: note\nbundle: {bundle}\nto: {to}\nfrom: [sam]\n"
            ),
        },
    )


def body(path: Path) -> str:
    return "\n".join(text for style, text in docx_paragraphs(path) if style == "Letter Body")


def written(stdout: str) -> list[str]:
    return sorted(line for line in stdout.splitlines() if line.startswith("build/"))


def test_each_letter_reads_its_recipients_facts_typed_and_in_its_language(
    tmp_path: Path,
) -> None:
    workspace = governors(tmp_path, "{tags: [governor]}")
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert body(workspace / "build/note/en/corral.docx") == (
        "We write to you as governor of Chihuahua, whose decree of March 31, 2020 we welcome, "
        "from Chihuahua City. Priority: essential services."
    )
    assert body(workspace / "build/note/es/alfaro.docx") == (
        "Le escribimos como gobernador de Jalisco, cuyo decreto del 2 de abril de 2020 "
        "celebramos, desde Guadalajara. Prioridad: servicios esenciales."
    )


def test_a_to_entry_adds_facts_over_the_persons_own_and_decides_their_bundle(
    tmp_path: Path,
) -> None:
    workspace = governors(
        tmp_path,
        "\n  - {tags: [governor], data: {priority: connectivity}}"
        "\n  - {id: corral, data: {meeting: 2020-05-12, capital: Ciudad Juárez}, bundle: true}",
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    # The later entry wins key by key over the earlier one and over the roster.
    assert body(workspace / "build/note/en/corral.docx") == (
        "We write to you as governor of Chihuahua, whose decree of March 31, 2020 we welcome, "
        "from Ciudad Juárez. We propose to meet on May 12, 2020. Priority: connectivity."
    )
    assert body(workspace / "build/note/en/alfaro.docx").endswith(
        "from Guadalajara. Priority: connectivity."
    )
    # bundle: true on one entry, in a campaign without bundles: only Corral gets one.
    bundles = sorted(path.name for path in (workspace / "build/note/bundle").iterdir())
    assert bundles == ["corral.docx"]


def test_an_entry_can_turn_a_campaigns_bundle_off(tmp_path: Path) -> None:
    workspace = governors(
        tmp_path, "[{tags: [governor]}, {id: alfaro, bundle: false}]", bundle="true"
    )
    assert run(workspace, "build", "--format", "docx").exit_code == 0
    bundles = sorted(path.name for path in (workspace / "build/note/bundle").iterdir())
    assert bundles == ["corral.docx"]


def test_editing_one_recipients_facts_rewrites_only_their_letters(tmp_path: Path) -> None:
    workspace = governors(
        tmp_path, "[{tags: [governor]}, {id: corral, data: {meeting: 2020-05-12}}]"
    )
    assert run(workspace, "build", "--format", "docx").exit_code == 0
    campaign = workspace / "campaigns/note.yaml"
    campaign.write_text(
        campaign.read_text(encoding="utf-8").replace("2020-05-12", "2020-05-19"),
        encoding="utf-8",
    )
    again = run(workspace, "build", "--format", "docx", "-v")
    assert written(again.stdout) == ["build/note/en/corral.docx", "build/note/es/corral.docx"]
    # And a fact in the roster: only that governor's letters again.
    roster = workspace / "recipients/people.yaml"
    roster.write_text(
        roster.read_text(encoding="utf-8").replace("2020-04-02", "2020-04-03"), encoding="utf-8"
    )
    third = run(workspace, "build", "--format", "docx", "-v")
    assert written(third.stdout) == ["build/note/en/alfaro.docx", "build/note/es/alfaro.docx"]
    assert "3 de abril de 2020" in body(workspace / "build/note/es/alfaro.docx")


def test_cc_and_signatories_have_their_data_too(tmp_path: Path) -> None:
    workspace = make_workspace(
        tmp_path / "workspace",
        {
            "recipients/people.yaml": (
                "people:\n"
                "  - id: ana\n    name: {given: Ana, family: Ruiz}\n    gender: f\n"
                "    honorific: Ms.\n"
                "  - id: sam\n    name: {given: Sam, family: Lee}\n    title: Director\n"
                "    data: {extension: 0412}\n"
                "  - id: kim\n    name: {given: Kim, family: Park}\n    title: Adviser\n"
                "    data: {unit: Trade}\n"
            ),
            "templates/note/letter.en.md.j2": (
                "Call {{ signatories[0].data.extension }}; copy to {{ cc[0].data.unit }}.\n"
            ),
            "campaigns/note.yaml": (
                "title: Note\ndate: 2024-05-02\ntemplate: note\nto: [ana]\ncc: [kim]\nfrom: [sam]\n"
            ),
        },
    )
    result = run(workspace, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    # 0412 stays text: a leading zero is kept, as in vars.
    assert body(workspace / "build/note/en/ana.docx") == "Call 0412; copy to Trade."


def test_a_letter_takes_the_office_held_on_its_date(tmp_path: Path) -> None:
    roster = (
        "people:\n"
        "  - id: ebrard\n"
        "    name: {given: Marcelo, family: Ebrard Casaubón, surname: Ebrard}\n"
        "    gender: m\n"
        "    honorific: Mr.\n"
        "    title: Former official\n"
        "    roles:\n"
        "      - title: Secretary of Foreign Affairs\n"
        "        from: 2018-12-01\n"
        "        until: 2023-06-12\n"
        "      - title: Secretary of Economy\n"
        "        organization: Ministry of Economy\n"
        "        from: 2024-10-01\n"
        "  - id: sam\n    name: {given: Sam, family: Lee}\n    title: Director\n"
    )
    letters = {}
    for date in ("2020-04-21", "2025-07-01"):
        workspace = make_workspace(
            tmp_path / date,
            {
                "recipients/people.yaml": roster,
                "templates/note/letter.en.md.j2": "To the {{ recipient.title }}.\n",
                "campaigns/note.yaml": (
                    f"title: Note\ndate: {date}\ntemplate: note\nto: [ebrard]\nfrom: [sam]\n"
                ),
            },
        )
        result = run(workspace, "build", "--format", "docx")
        assert result.exit_code == 0, result.output
        letters[date] = dict(docx_paragraphs(workspace / "build/note/en/ebrard.docx"))
    assert letters["2020-04-21"]["Letter Body"] == "To the Secretary of Foreign Affairs."
    assert letters["2025-07-01"]["Letter Body"] == "To the Secretary of Economy."
    # The office's own organization is printed under its title in the inside address.
    assert "Ministry of Economy" in letters["2025-07-01"]["Letter Address"]
    assert "Ministry of Economy" not in letters["2020-04-21"]["Letter Address"]
    # Between the two offices he holds none: check says so, naming the last one.
    between = tmp_path / "2025-07-01"
    campaign = between / "campaigns/note.yaml"
    campaign.write_text(
        campaign.read_text(encoding="utf-8").replace("2025-07-01", "2024-01-15"), "utf-8"
    )
    checked = run(between, "check")
    assert checked.exit_code == 1
    assert checked.stdout == (
        "campaigns/note.yaml:4:6: error: to[0]: ebrard: no office on 2024-01-15; last: "
        "Secretary of Foreign Affairs, until 2023-06-12\n"
    )
    # Before the first: it names the first.
    campaign.write_text(
        campaign.read_text(encoding="utf-8").replace("2024-01-15", "2017-01-15"), "utf-8"
    )
    assert run(between, "check").stdout == (
        "campaigns/note.yaml:4:6: error: to[0]: ebrard: no office on 2017-01-15; first: "
        "Secretary of Foreign Affairs, from 2018-12-01\n"
    )


def test_a_missing_fact_is_fine_where_the_template_guards_it(tmp_path: Path) -> None:
    workspace = governors(tmp_path, "{tags: [governor]}")
    checked = run(workspace, "check", "--strict")
    assert checked.exit_code == 0, checked.output
    # Unguarded, it is an error at the template line, naming the person and their facts.
    template = workspace / "templates/note/letter.en.md.j2"
    template.write_text("Meeting: {{ recipient.data.meetin }}.\n", encoding="utf-8")
    checked = run(workspace, "check")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines() == [
        "templates/note/letter.en.md.j2:1: error: undefined variable: corral has no 'meetin' in "
        "their data (recipients/people.yaml:9:7)",
        "templates/note/letter.en.md.j2:1: error: undefined variable: alfaro has no 'meetin' in "
        "their data (recipients/people.yaml:19:7)",
    ]
