"""The README stays true: its Quick start, its file examples and its command examples work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from letterforge.workspace.campaign import Campaign
from letterforge.workspace.model import Roster
from letterforge.workspace.settings import Settings
from letterforge.workspace.validation import validate_document
from letterforge.workspace.yamlio import load_yaml_file, load_yaml_text
from tests.conftest import (
    REPO,
    documented_commands,
    docx_paragraphs,
    make_workspace,
    replace_in,
    run,
)

README = (REPO / "README.md").read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n# (\S+)\n(.*?)```", README, flags=re.DOTALL)
MODELS = {"letterforge.yaml": Settings, "recipients": Roster, "campaigns": Campaign}
WORKSPACE_BLOCKS = [(name, text) for name, text in YAML_BLOCKS if not name.startswith("locales/")]
LOCALE_BLOCKS = dict((name, text) for name, text in YAML_BLOCKS if name.startswith("locales/"))


def test_quick_start_is_make_demo_and_make_test() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^    (make \w+)", quick_start, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]


def workspace_file(name: str) -> tuple[Path, str]:
    """The workspace a README block's file is in, and its name there: the example workspace,
    or one in examples/ (``examples/governors/recipients/governors.yaml``)."""
    if name.startswith("examples/"):
        _, workspace, inner = name.split("/", 2)
        return REPO / "examples" / workspace, inner
    return REPO, name


def test_every_file_format_has_an_example() -> None:
    kinds = {workspace_file(name)[1].split("/")[0] for name, _ in YAML_BLOCKS}
    assert kinds == {*MODELS, "locales"}


@pytest.mark.parametrize(
    ("name", "text"), WORKSPACE_BLOCKS, ids=[name for name, _ in WORKSPACE_BLOCKS]
)
def test_file_examples_are_valid_and_match_the_example_workspace(name: str, text: str) -> None:
    root, inner = workspace_file(name)
    model = MODELS[inner.split("/")[0]]
    example = validate_document(model, load_yaml_text(text, name))
    actual = validate_document(model, load_yaml_file(root / inner, root))
    if isinstance(example, Roster) and isinstance(actual, Roster):
        people = {person.id: person for person in actual.people}
        assert all(person == people[person.id] for person in example.people)
    else:
        assert example == actual


BUILD_EXAMPLES = documented_commands(README, "build")


@pytest.mark.parametrize("arguments", BUILD_EXAMPLES, ids=[" ".join(a) for a in BUILD_EXAMPLES])
def test_command_examples_run(example: Path, arguments: list[str]) -> None:
    result = run(example, *arguments)
    assert result.exit_code == 0, result.output


def test_check_example_is_what_check_prints(example: Path) -> None:
    block = README.split("```\n$ letterforge check\n", 1)[1].split("```", 1)[0]
    replace_in(example / "campaigns/essential-services-2020.yaml", "lopez-gatell,", "lopez-gatel,")
    replace_in(
        example / "recipients/mexico-federal.yaml",
        "      es: Jefe de la Oficina de la Presidencia de la República\n",
        "",
    )
    replace_in(
        example / "templates/essential-services/letter.es.md.j2",
        "Le agradecemos",
        "{{ firma }} Le agradecemos",
    )
    result = run(example, "check")
    assert result.stdout + result.stderr == block


def test_drift_example_is_the_corpus_case() -> None:
    block = README.split("the English 31 March:\n\n```\n", 1)[1].split("```", 1)[0]
    case = yaml.safe_load(
        (REPO / "tests/bad_inputs/number-drift-between-languages.yaml").read_text(encoding="utf-8")
    )
    assert block.splitlines() == case["expect"]


def test_locale_examples_do_what_the_readme_says(example: Path, tmp_path: Path) -> None:
    assert set(LOCALE_BLOCKS) == {"locales/fr-CA.yaml", "locales/de.yaml", "locales/es.yaml"}
    # The fr-CA override: a label and the closing change, the rest stays built in.
    (example / "locales").mkdir()
    (example / "locales/fr-CA.yaml").write_text(LOCALE_BLOCKS["locales/fr-CA.yaml"], "utf-8")
    result = run(example, "build", "usmca-review-2025", "--format", "docx", "--lang", "fr")
    assert result.exit_code == 0, result.output
    french = dict(docx_paragraphs(example / "build/usmca-review-2025/fr-CA/sidhu.docx"))
    assert french["Letter Salutation"] == "Monsieur le Ministre,"
    assert french["Letter Closing"] == (
        "Nous vous prions d’agréer, Monsieur le Ministre, l’expression de nos sentiments "
        "distingués."
    )
    assert french["Letter Enclosures"].startswith("p.\u00a0j.\n")
    # The German file teaches a new language: the date and salutation the README promises.
    german = make_workspace(
        tmp_path / "german",
        {
            "locales/de.yaml": LOCALE_BLOCKS["locales/de.yaml"],
            "letterforge.yaml": "sender:\n  name: Example Association\nlanguages: [de]\n",
            "recipients/people.yaml": (
                "people:\n"
                "  - id: marquez\n"
                "    name: {given: Graciela, family: Márquez Colín, surname: Márquez}\n"
                "    gender: f\n"
                "  - id: sam\n"
                "    name: {given: Sam, family: Lee}\n"
            ),
            "templates/note/letter.de.md.j2": "Wir schreiben Ihnen.\n",
            "campaigns/note.yaml": (
                "title: Anfrage\ndate: 2025-07-01\ntemplate: note\nto: [marquez]\nfrom: [sam]\n"
            ),
        },
    )
    result = run(german, "build", "--format", "docx")
    assert result.exit_code == 0, result.output
    letter = dict(docx_paragraphs(german / "build/note/de/marquez.docx"))
    assert (letter["Letter Date"], letter["Letter Salutation"]) == (
        "1. Juli 2025",
        "Sehr geehrte Frau Márquez,",
    )
    assert "`1. Juli 2025` and `Sehr geehrte Frau Márquez,`" in README


def test_readme_picture_is_the_first_page_of_the_example_letter(
    built_example: Path, tmp_path: Path
) -> None:
    """docs/example-letter.png is what `make picture` draws today: redrawn here, at most a
    few pixels in a thousand may differ (anti-aliasing), so an edited letter or theme that
    changes the page shows up until the picture is redrawn."""
    import subprocess

    from PIL import Image, ImageChops

    assert 'src="docs/example-letter.png"' in README
    committed = Image.open(REPO / "docs/example-letter.png").convert("L")
    pdf = built_example / "build/essential-services-2020/en/romo.pdf"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "90",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    drawn = Image.open(tmp_path / "page.png").convert("L")
    assert committed.size == drawn.size == (765, 990)  # US Letter at 90 dpi
    difference = ImageChops.difference(committed, drawn)
    changed = sum(difference.histogram()[65:])  # pixels more than a quarter off
    assert changed / (765 * 990) < 0.002, f"{changed} pixels differ: run make picture"


IMPORT_SECTION = README.split("### Rosters from spreadsheets: `letterforge import`", 1)[1].split(
    "\n### ", 1
)[0]


def test_import_example_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's sheet and map, imported with --dry-run, print its diff and summary; the
    map is also a valid map file, and the error lines it shows are those of the corpus."""
    sheet = IMPORT_SECTION.split("```csv\n", 1)[1].split("```", 1)[0]
    map_file = IMPORT_SECTION.split("```yaml\n", 1)[1].split("```", 1)[0]
    diff = IMPORT_SECTION.split("```diff\n", 1)[1].split("```", 1)[0]
    assert map_file.startswith("# governors.map.yaml:")
    (tmp_path / "governors.csv").write_text(sheet, encoding="utf-8")
    (tmp_path / "governors.map.yaml").write_text(map_file, encoding="utf-8")
    workspace = make_workspace(tmp_path / "workspace", {})
    monkeypatch.chdir(tmp_path)
    arguments = documented_commands(IMPORT_SECTION, "import")[0]
    assert arguments[1:] == ["governors.csv", "--map", "governors.map.yaml", "--into",
                             "recipients/governors.yaml"]  # fmt: skip
    result = run(workspace, *arguments, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == diff
    summary = " ".join(result.stderr.split())
    assert f"and on stderr `{summary}`" in " ".join(IMPORT_SECTION.split())
    assert not (workspace / "recipients/governors.yaml").exists()
    # Each error the README shows is one the corpus checks, word for word.
    corpus = [
        line.split("error: ", 1)[1]
        for path in (REPO / "tests/bad_imports").glob("*.yaml")
        for line in yaml.safe_load(path.read_text(encoding="utf-8"))["expect"]
    ]
    shown = IMPORT_SECTION.split("nothing:\n\n```\n", 1)[1].split("```", 1)[0].splitlines()
    assert len(shown) == 4
    for line in shown:
        assert line.split("error: ", 1)[1] in corpus, line


def test_the_spanish_address_example_leaves_the_honorific_out(example: Path) -> None:
    (example / "locales").mkdir()
    (example / "locales/es.yaml").write_text(LOCALE_BLOCKS["locales/es.yaml"], "utf-8")
    result = run(example, "build", "usmca-review-2025", "--format", "docx", "--lang", "es")
    assert result.exit_code == 0, result.output
    letter = dict(docx_paragraphs(example / "build/usmca-review-2025/es-MX/ebrard.docx"))
    # es-MX's own closing line stays: the workspace's es.yaml changes only what it says.
    assert letter["Letter Address"].split("\n")[0] == "Marcelo Ebrard Casaubón"
    assert letter["Letter Address"].endswith("\nPresente")
