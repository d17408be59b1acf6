"""What WeasyPrint may load: data: URLs and regular files inside the workspace, nothing else.

These run the real WeasyPrint with letterforge's fetcher on HTML that tries each way out. The
letter writer escapes all text, so no template can put such HTML in a letter; the fetcher is
the second wall, and these tests fail if it is replaced by WeasyPrint's default.
"""

from __future__ import annotations

import base64
import socket
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from letterforge.writers.pdf import LockedFetcher

PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def render(html: str, root: Path) -> bytes:
    return weasyprint.HTML(string=html, url_fetcher=LockedFetcher(root)).write_pdf()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "logo.png").write_bytes(PIXEL)
    return root


@pytest.fixture
def listener() -> socket.socket:
    """A port on loopback that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    yield server
    server.close()


def nobody_connected(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except TimeoutError:
        return True
    return False


ATTEMPTS = {
    "image from /etc": '<img src="file:///etc/passwd">',
    "attachment": '<link rel="attachment" href="file:///etc/passwd">',
    "stylesheet import": "<style>@import url(file:///etc/passwd);</style><p>x</p>",
    "css url": "<p style=\"background: url('file:///etc/hostname')\">x</p>",
    "image outside through ..": '<img src="file://{root}/../../../../etc/passwd">',
    "device": '<img src="file:///dev/urandom">',
}


@pytest.mark.parametrize("html", ATTEMPTS.values(), ids=list(ATTEMPTS))
def test_files_outside_the_workspace_fail_the_render(workspace: Path, html: str) -> None:
    with pytest.raises(FatalURLFetchingError, match="letters may load only files inside"):
        render(html.format(root=workspace), workspace)


def test_a_link_inside_the_workspace_to_outside_fails(workspace: Path) -> None:
    (workspace / "assets" / "passwd.png").symlink_to("/etc/passwd")
    with pytest.raises(FatalURLFetchingError):
        render(f'<img src="{(workspace / "assets" / "passwd.png").as_uri()}">', workspace)


@pytest.mark.parametrize(
    "html",
    [
        '<img src="http://127.0.0.1:{port}/logo.png">',
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
        "<style>@import url(http://127.0.0.1:{port}/x.css);</style><p>x</p>",
    ],
)
def test_the_network_is_never_reached(workspace: Path, listener: socket.socket, html: str) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(FatalURLFetchingError):
        render(html.format(port=port), workspace)
    assert nobody_connected(listener)


def test_workspace_files_and_data_urls_are_served(workspace: Path) -> None:
    inline = base64.b64encode(PIXEL).decode()
    pdf = render(
        f'<img src="{(workspace / "assets" / "logo.png").as_uri()}">'
        f'<img src="data:image/png;base64,{inline}">',
        workspace,
    )
    target = workspace / "out.pdf"
    target.write_bytes(pdf)
    assert len(PdfReader(target).pages[0].images) == 2
