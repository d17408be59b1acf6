"""Shared helpers: copies of the example workspace, a CLI runner, and readers for the outputs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from letterforge.cli import cli
from tests.smtp_server import SmtpServer

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PARTS = ("letterforge.yaml", "recipients", "templates", "campaigns")


def copy_example(target: Path) -> Path:
    """Copy the repository's example workspace (without build/) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def is_letter(path: Path) -> bool:
    """Whether ``path`` in build/ is a letter (not a campaign's manifest)."""
    return path.suffix in {".pdf", ".docx"} and path.is_file()


def documented_commands(text: str, command: str) -> list[list[str]]:
    """The arguments of each ``letterforge COMMAND ...`` line a Markdown text shows as an
    indented example, without ``letterforge`` and the comment after ``#``."""
    lines = re.findall(
        rf"^    letterforge ({re.escape(command)}\b[^#\n]*)", text, flags=re.MULTILINE
    )
    return [shlex.split(line) for line in lines]


def git(repository: Path, *arguments: str) -> str:
    """Run git in ``repository`` as a test user; return what it printed."""
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *arguments],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_all(repository: Path, message: str) -> None:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)


def run(workspace: Path, *args: str) -> Result:
    """Run ``letterforge -C workspace ARGS`` through click's runner, as a user would."""
    return CliRunner().invoke(cli, ["-C", str(workspace), *args], catch_exceptions=False)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF, as a reader would copy it."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


# A continuation page's header, as the built-in layout writes it: "Alfonso Romo · April 21,
# 2020 · Page 2". A PDF reader extracts it with the page's text; the DOCX keeps it apart.
RUNNING_HEAD = re.compile(r"[^\n]* · [^\n]* · (?:Page|Página) \d+\n?")


def without_running_heads(text: str) -> str:
    """A PDF page's text without its running head, to compare with the DOCX body."""
    return RUNNING_HEAD.sub("", text)


def flat(text: str) -> str:
    """Collapse every run of white space to one space, so wrapped lines compare equal."""
    return re.sub(r"\s+", " ", text).strip()


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) for every paragraph of a DOCX file in reading order, those in
    tables (signatories side by side) row by row."""
    import docx
    from docx.table import Table

    paragraphs = []
    for item in docx.Document(str(path)).iter_inner_content():
        if isinstance(item, Table):
            paragraphs += [p for row in item.rows for cell in row.cells for p in cell.paragraphs]
        else:
            paragraphs.append(item)
    return [(p.style.name, p.text) for p in paragraphs]


def assert_in_order(text: str, expected: list[str]) -> None:
    """Each expected string occurs in ``text``, after the one before it."""
    position = 0
    for item in expected:
        found = text.find(item, position)
        assert found >= 0, f"{item!r} missing after position {position} in:\n{text}"
        position = found + len(item)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh copy of the example workspace."""
    return copy_example(tmp_path / "workspace")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace, built once for every test that only reads the results."""
    workspace = copy_example(tmp_path_factory.mktemp("built") / "workspace")
    result = run(workspace, "build")
    assert result.exit_code == 0, result.output
    return workspace


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a workspace file, failing loudly if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MINIMAL = {
    "letterforge.yaml": "sender:\n  name: Example Association\nlanguages: [en]\n",
    "recipients/people.yaml": (
        "people:\n"
        "  - id: ana\n"
        "    name: {given: Ana, family: Ruiz}\n"
        "    gender: f\n"
        "    honorific: Ms.\n"
        "  - id: sam\n"
        "    name: {given: Sam, family: Lee}\n"
        "    title: Director\n"
    ),
    "templates/note/letter.en.md.j2": "We write about {{ campaign.title }}.\n",
    "campaigns/note.yaml": (
        "title: Our request\ndate: 2024-05-02\ntemplate: note\nto: [ana]\nfrom: [sam]\n"
    ),
}


def make_workspace(root: Path, files: dict[str, str]) -> Path:
    """Write a small working workspace, with ``files`` replacing or adding to its files."""
    for name, text in {**MINIMAL, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


SOFFICE = shutil.which("soffice")
# LibreOffice stands in for Word; make test installs it. Without it, tests that need it fail,
# unless LETTERFORGE_NO_LIBREOFFICE=1 says to leave them out.
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("LETTERFORGE_NO_LIBREOFFICE") == "1",
    reason="LETTERFORGE_NO_LIBREOFFICE=1 and no LibreOffice",
)


def libreoffice_pdfs(documents: list[Path], work: Path) -> dict[Path, Path]:
    """Each DOCX laid out and saved as PDF by LibreOffice, in one run: DOCX path → PDF path."""
    assert SOFFICE, "LibreOffice (soffice) is not installed: run make test"
    names = {}
    for index, document in enumerate(documents):
        names[document] = f"{index:03d}-{document.stem}"  # one folder, no clashing names
        shutil.copy(document, work / f"{names[document]}.docx")
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            *(str(work / f"{name}.docx") for name in names.values()),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {document: work / "out" / f"{name}.pdf" for document, name in names.items()}


@pytest.fixture
def smtp_servers(tmp_path: Path) -> Iterator[Callable[..., SmtpServer]]:
    """Start real SMTP servers (tests/smtp_server.py) for this test, stopped after it:
    ``smtp_servers(security="tls")``, ``smtp_servers(certificate_for="mail.example.org")``."""
    started: list[SmtpServer] = []

    def start(**options: Any) -> SmtpServer:
        folder = tmp_path / f"smtp-{len(started)}"
        folder.mkdir()
        started.append(SmtpServer(folder, **options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_servers: Callable[..., SmtpServer]) -> SmtpServer:
    """A real SMTP server on 127.0.0.1 that requires STARTTLS and a login, its certificate
    from the authority in ``smtp_server.cafile``."""
    return smtp_servers()
