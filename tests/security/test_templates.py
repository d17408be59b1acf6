"""Untrusted templates: no Python internals, no files outside templates/, bounded time and size.

Every test goes through the CLI and asserts the exact message; each fails if its protection is
removed (the escape would succeed, or the bomb would be caught later with another message, or
not at all).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import letterforge.render.sandbox
from tests.conftest import copy_example, flat, pdf_pages, replace_in, run

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
        "the letter's text would exceed 200,000 characters",
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
    monkeypatch.setattr(letterforge.render.sandbox, "RENDER_SECONDS", 0.5)
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
    # Shown as text, in the letter's typography (curly quotes).
    assert "<img src=“file:///etc/passwd”> <link rel=“attachment”" in text
    assert "root:x:0:0" not in text
    assert b"/EmbeddedFile" not in pdf.read_bytes()


MORE_BOMBS = {
    "width from a nested field": (
        "{{ '{0:{1}}'.format('x', 2000000000) }}",
        "a width taken from the values ('{:{}}') is not allowed",
    ),
    "width from the values": (
        "{{ '%*s' % (2000000000, 'x') }}",
        "a width taken from the values ('%*d') is not allowed",
    ),
    "one big value in many fields": (
        "{{ ('%(a)s' * 2000)|format(a='x' * 999999) }}",
        "a value of 2,020,008,000 characters or items (the limit is 1,000,000)",
    ),
    "join of a generator": (
        "{{ range(2000)|join('x' * 999999) }}",
        "a value of 2,000,000,000 characters or items (the limit is 1,000,000)",
    ),
    "str.join of a string": (
        "{{ ('y' * 2000).join('x' * 999999) }}",
        "a value of 2,000,997,999 characters or items (the limit is 1,000,000)",
    ),
    "expandtabs by keyword": (
        "{{ ('\\t' * 999999).expandtabs(tabsize=2000) }}",
        "a value of 2,000,997,999 characters or items (the limit is 1,000,000)",
    ),
    "translate": (
        "{{ ('x' * 999999).translate({120: 'y' * 2000}) }}",
        "a value of 1,999,998,000 characters or items (the limit is 1,000,000)",
    ),
    "bytes": ("{{ 'x'.encode() }}", "bytes have no place in a letter"),
    "a list of long strings": (
        "{{ (['x' * 999999] * 2000)|string }}",
        "a value of 2,000,000,000 characters or items (the limit is 1,000,000)",
    ),
    "captured output": (
        "{% set s %}{% for i in range(2000) %}{{ ('x' * 999999)|markdown }}{% endfor %}"
        "{% endset %}",
        "the template printed more than 1,000,000 characters",
    ),
    "batch with a fill": (
        "{{ [1]|batch(300000000, 'x')|first|length }}",
        "a value of 300,000,000 characters or items (the limit is 1,000,000)",
    ),
    "slice folded while compiling": (
        "{% if false %}{{ [1]|slice(50000000)|list|length }}{% endif %}{{ [1]|slice(50000000) }}",
        "a value of 50,000,000 characters or items (the limit is 1,000,000)",
    ),
    "sum of lists": (
        "{{ ([['x'] * 999999] * 300)|sum(start=[])|length }}",
        "a value of 1,999,998 characters or items (the limit is 1,000,000)",
    ),
    "a comparison of huge lists": (
        "{{ ([1] * 999998 + [2]) in ([[1] * 999999] * 999999) }}",
        "a value of 1,999,996 characters or items (the limit is 1,000,000)",
    ),
}


@pytest.mark.parametrize(("text", "message"), MORE_BOMBS.values(), ids=list(MORE_BOMBS))
def test_bombs_found_by_an_attacker_are_refused(example: Path, text: str, message: str) -> None:
    said = check_en(example, text)
    assert said.endswith(f": error: not allowed in a template: {message}\n"), said
    assert said.count("\n") == 1


MISUSES = {
    "dictsort of a list": ("{{ [1, 2]|dictsort }}", "'list' object has no attribute 'items'"),
    "xmlattr of a list": ("{{ [1]|xmlattr }}", "'list' object has no attribute 'items'"),
    "truncate to a negative length": (
        "{{ 'hello world'|truncate(-5) }}",
        "expected length >= 3, got -5",
    ),
    "include of a name with a NUL": (
        "{% include 'a\\x00b' %}",
        "no template named 'a\\x00b'",
    ),
    "include of a very long name": (
        "{% include 'x' * 300 %}",
        "no template named '" + "x" * 300 + "'",
    ),
}


@pytest.mark.parametrize(("text", "message"), MISUSES.values(), ids=list(MISUSES))
def test_misused_filters_are_errors_on_the_template_line(
    example: Path, text: str, message: str
) -> None:
    said = check_en(example, text)
    assert said == f"{EN}:1: error: {message}\n"


def test_a_control_character_written_as_an_entity_is_refused(example: Path) -> None:
    said = check_en(example, "A&#12;B")
    assert said == f"{EN}:1: error: the control character U+000C cannot appear in a letter\n"


def test_templates_folder_linked_out_of_the_workspace_cannot_include_outside(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret.txt").write_text("the secret\n", encoding="utf-8")
    workspace = copy_example(tmp_path / "ws")
    shutil.rmtree(workspace / "templates")
    (workspace / "templates").symlink_to("..")
    for lang in ("en", "es"):
        (workspace / f"letter.{lang}.md.j2").write_text("{% include 'secret.txt' %}\n")
    replace_in(
        workspace / "campaigns" / "essential-services-2020.yaml",
        "template: essential-services",
        "template: ws",
    )
    result = run(workspace, "build")
    assert result.exit_code == 1
    assert result.stderr == "templates/: error: is a link that leads outside the workspace\n"
    assert not (workspace / "build").exists()


def test_an_include_through_a_templates_link_inside_the_workspace_stays_inside(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret.txt").write_text("the secret\n", encoding="utf-8")
    workspace = copy_example(tmp_path / "ws")
    (workspace / "templates" / "up").symlink_to("../..")
    said = check_en(workspace, "{% include 'up/secret.txt' %}")
    assert said == f"{EN}:1: error: template 'up/secret.txt' leads outside templates/\n"


def test_a_filter_mapped_over_many_items_is_bounded_in_total(example: Path) -> None:
    said = check_en(example, "{{ range(3000)|map('center', 999999)|list|length }}")
    assert said == (
        f"{EN}:1: error: not allowed in a template: the template made more than "
        "10,000,000 characters\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "{% for i in [1] %}" * 21 + "{% endfor %}" * 21,
        "{{ " + "1+" * 210 + "1 }}",
    ],
    ids=["nested blocks", "nested expression"],
)
def test_templates_beyond_pythons_nesting_limits_are_errors(example: Path, text: str) -> None:
    said = check_en(example, text)
    assert said.startswith(f"{EN}: error: too deeply nested to compile (")
