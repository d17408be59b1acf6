"""Untrusted templates: no Python internals, no files outside templates/, bounded time and size.

Every test goes through the CLI and asserts the exact message; each fails if its protection is
removed (the escape would succeed, or the bomb would be caught later with another message, or
not at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import letterforge.sandbox
from tests.conftest import flat, pdf_pages, replace_in, run

EN = "templates/essential-services/letter.en.md.j2"


def check_en(example: Path, template_text: str) -> str:
    """Put ``template_text`` before the English prose; check must fail; return what it says."""
    replace_in(example / EN, "I write on behalf", template_text + " I write on behalf")
    result = run(example, "check", "-q")
    assert result.exit_code == 1
    built = run(example, "build")
    assert built.exit_code == 1
    assert not (example / "build").exists()
    return result.stdout


ESCAPES = {
    "class of a string": "{{ ''.__class__.__mro__ }}",
    "attr filter": "{{ ''|attr('__class__') }}",
    "attr filter reaching format": "{{ ('{0.__class__}'|attr('format'))(recipient) }}",
    "str.format field": "{{ '{0.__init__.__globals__}'.format(campaign) }}",
    "format_map": "{{ '{a.__class__}'.format_map({'a': sender}) }}",
    "mutating a list": "{{ vars.directives.append(1) }}",
    "mutating a dict": "{{ recipient.update({'title': 'x'}) }}",
}


@pytest.mark.parametrize("text", ESCAPES.values(), ids=list(ESCAPES))
def test_sandbox_escapes_are_refused(example: Path, text: str) -> None:
    said = check_en(example, text)
    assert f"{EN}:1: error: not allowed in a template: " in said
    assert said.count("\n") == 1


INCLUDES = {
    "parent folders": "{% include '../../../../../etc/passwd' %}",
    "absolute path": "{% include '/etc/passwd' %}",
    "extends outside": "{% extends '../../letterforge.yaml' %}",
    "import outside": "{% import '../../../etc/hostname' as h %}",
}


@pytest.mark.parametrize("text", INCLUDES.values(), ids=list(INCLUDES))
def test_templates_cannot_reach_files_outside_templates(example: Path, text: str) -> None:
    said = check_en(example, text)
    assert said.startswith(f"{EN}:1: error: no template named ")
    assert "root:" not in said


def test_a_committed_link_to_a_folder_outside_is_refused(example: Path) -> None:
    (example / "templates" / "etc").symlink_to("/etc")
    said = check_en(example, "{% include 'etc/passwd' %}")
    assert said == f"{EN}:1: error: template 'etc/passwd' leads outside templates/\n"


def test_a_committed_link_to_a_file_outside_is_refused(example: Path) -> None:
    (example / "templates" / "essential-services" / "intro.md.j2").symlink_to("/etc/passwd")
    said = check_en(example, "{% include 'essential-services/intro.md.j2' %}")
    assert said == (
        f"{EN}:1: error: template 'essential-services/intro.md.j2' leads outside templates/\n"
    )


def test_a_layout_that_is_a_link_outside_is_refused(example: Path) -> None:
    (example / "templates" / "_layouts").mkdir()
    (example / "templates" / "_layouts" / "letter.md.j2").symlink_to("/etc/passwd")
    result = run(example, "check", "-q")
    assert result.exit_code == 1
    assert result.stdout == (
        "templates/_layouts/letter.md.j2: error: template '_layouts/letter.md.j2' leads "
        "outside templates/\n"
    )


def test_a_link_to_a_device_is_not_read(example: Path) -> None:
    (example / "templates" / "essential-services" / "zero.md.j2").symlink_to("/dev/zero")
    said = check_en(example, "{% include 'essential-services/zero.md.j2' %}")
    assert said == (
        f"{EN}:1: error: template 'essential-services/zero.md.j2' leads outside templates/\n"
    )


BOMBS = {
    "repeat a string": (
        "{{ 'x' * 10**9 }}",
        "a value of 1,000,000,000 characters or items (the limit is 1,000,000)",
    ),
    "power": ("{{ 10 ** 100000 }}", "10 ** 100000 is too large a number for a letter"),
    "center filter": (
        "{{ 'x'|center(10**9) }}",
        "a value of 1,000,000,000 characters or items (the limit is 1,000,000)",
    ),
    "str method": (
        "{{ 'x'.rjust(10**9) }}",
        "a value of 1,000,000,000 characters or items (the limit is 1,000,000)",
    ),
    "format width": (
        "{{ '{:>999999999}'.format(1) }}",
        "a width or precision of 999,999,999 (the limit is 10,000)",
    ),
    "percent width": (
        "{{ '%999999999d' % 1 }}",
        "a width or precision of 999,999,999 (the limit is 10,000)",
    ),
    "replace": (
        "{% set s = 'a' * 100000 %}{{ s|replace('a', s) }}",
        "a value of 10,000,100,000 characters or items (the limit is 1,000,000)",
    ),
    "doubling with ~": (
        "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "a value of 1,048,576 characters or items (the limit is 1,000,000)",
    ),
    "doubling with format": (
        "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
        "{% set ns.s = '{}{}'.format(ns.s, ns.s) %}{% endfor %}",
        "a value of 1,068,580 characters or items (the limit is 1,000,000)",
    ),
    "squaring": (
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}"
        "{% set ns.n = ns.n * ns.n %}{% endfor %}",
        "a product of numbers too large for a letter",
    ),
    "output of loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "the letter's text would exceed 1,000,000 characters",
    ),
}


@pytest.mark.parametrize(("text", "message"), BOMBS.values(), ids=list(BOMBS))
def test_resource_bombs_are_refused_before_they_go_off(
    example: Path, text: str, message: str
) -> None:
    said = check_en(example, text)
    assert said.endswith(f": error: not allowed in a template: {message}\n")
    assert said.count("\n") == 1


def test_python_internals_of_template_objects_are_not_there(example: Path) -> None:
    said = check_en(example, "{% macro m() %}{% endmacro %}{{ m.__globals__ }}")
    assert said == f"{EN}:1: error: undefined variable: Macro value has no '__globals__'\n"


def test_lipsum_which_makes_text_of_any_size_is_not_offered(example: Path) -> None:
    said = check_en(example, "{{ lipsum(10**6) }}")
    assert said == f"{EN}:1: error: undefined variable: 'lipsum' is not defined\n"


def test_a_loop_that_never_ends_is_stopped(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(letterforge.sandbox, "RENDER_SECONDS", 0.5)
    said = check_en(
        example,
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    )
    assert said == (
        f"{EN}:1: error: rendering took longer than 0.5 s: is there a loop that never ends?\n"
    )


def test_raw_html_and_css_are_text_not_markup(example: Path) -> None:
    replace_in(
        example / EN,
        "I write on behalf",
        '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd"> '
        "<style>@import url(http://127.0.0.1:9/x.css);</style> I write on behalf",
    )
    result = run(example, "build", "--lang", "en", "--format", "pdf")
    assert result.exit_code == 0, result.output
    pdf = example / "build" / "essential-services-2020" / "en" / "romo.pdf"
    text = flat("\n".join(pdf_pages(pdf)))
    assert '<img src="file:///etc/passwd"> <link rel="attachment"' in text
    assert "root:x:0:0" not in text
    assert b"/EmbeddedFile" not in pdf.read_bytes()
