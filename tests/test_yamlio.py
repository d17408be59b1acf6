"""YAML loading: no type surprises, marks kept, unsafe constructs refused."""

from __future__ import annotations

import pytest

from letterforge.errors import ConfigError
from letterforge.workspace.yamlio import load_yaml_text


def test_scalars_stay_text_so_yaml_1_1_cannot_surprise() -> None:
    document = load_yaml_text("answer: no\nzip: 06066\nversion: 1.10\non: yes\nempty:\n", "x.yaml")
    assert document.data == {
        "answer": "no",
        "zip": "06066",
        "version": "1.10",
        "on": "yes",
        "empty": None,
    }


def test_marks_point_at_keys_and_values() -> None:
    document = load_yaml_text("people:\n  - id: a\n    title: {en: X}\n", "r.yaml")
    assert str(document.location(("people", 0, "title", "en"))) == "r.yaml:3:17"
    assert str(document.location(("people", 0, "title"), key=True)) == "r.yaml:3:5"
    # A path that does not exist falls back to its nearest parent.
    assert str(document.location(("people", 0, "missing"))) == "r.yaml:2:5"


def test_strings_are_nfc_normalized() -> None:
    decomposed = "Me\u0301xico"
    document = load_yaml_text(f"name: {decomposed}\n", "x.yaml")
    assert document.data == {"name": "México"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "x.yaml:2:1: error: duplicate key 'a' (first defined on line 1)"),
        (
            "a: &x [1]\nb: *x\n",
            "x.yaml:1:4: error: YAML anchors (&x) are not supported: write the value out "
            "where it is needed",
        ),
        ("base: {a: 1}\n<<: {b: 2}\n", "x.yaml:2:1: error: YAML merge keys (<<) are not supported"),
        (
            "a: !!python/name:os.system\n",
            "x.yaml:1:4: error: YAML tag !!python/name:os.system is not allowed",
        ),
        ("a: !custom x\n", "x.yaml:1:4: error: YAML tag !custom is not allowed"),
        ("? [a, b]\n: c\n", "x.yaml:1:3: error: a key must be plain text"),
        (
            "a: 1\n---\nb: 2\n",
            (
                "x.yaml:2:1: error: invalid YAML: a file holds one YAML document: "
                "remove this '---' and what follows"
            ),
        ),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml_text(text, "x.yaml")
    assert caught.value.format_message() == message


def test_deep_nesting_is_refused_without_crashing() -> None:
    # libyaml's composer recursed in C and crashed the process at 25,000 levels.
    with pytest.raises(ConfigError) as caught:
        load_yaml_text("tags: " + "[" * 25_000 + "]" * 25_000 + "\n", "x.yaml")
    assert (
        caught.value.format_message()
        == "x.yaml:1:70: error: invalid YAML: nested more than 64 levels deep"
    )


def test_an_alias_is_refused_where_it_stands() -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml_text("a: [1]\nb: *x\n", "x.yaml")
    assert "x.yaml:2:4" in caught.value.format_message()


def test_control_characters_in_keys_are_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml_text('vars: {"a\\u0001": 1}\n', "x.yaml")
    assert caught.value.format_message() == (
        "x.yaml:1:8: error: vars: the control character U+0001 cannot appear in a letter"
    )
