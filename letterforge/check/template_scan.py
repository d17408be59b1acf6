"""Find mistakes in a template without rendering it: undefined names, unknown filters and tests.

A trial render only sees the branches its letters take. A template serves many recipients and
campaigns, and a branch such as ``{% if recipient.gender == "f" %}`` may wait for the next
campaign to run; the syntax tree shows every branch now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import jinja2
from jinja2 import meta, nodes

from letterforge.errors import LetterforgeError
from letterforge.render.environment import undefined_message, unknown_name_message

# Names a template may read as a mapping, and the keys each holds.
Shapes = dict[str, frozenset[str] | None]
# Filters and tests that exist to handle a value that may be missing.
_GUARDING_FILTERS = frozenset({"default", "d"})
_GUARDING_TESTS = frozenset({"defined", "undefined"})


@dataclass(frozen=True)
class TemplateProblem:
    """A mistake at a line of a template file."""

    filename: str
    line: int
    message: str


def scan_template(
    environment: jinja2.Environment,
    name: str,
    shapes: Shapes,
    *,
    loop_shapes: dict[str, frozenset[str]],
    _seen: set[str] | None = None,
) -> list[TemplateProblem]:
    """Problems in template ``name`` and the templates it includes by a fixed name.

    Args:
        environment: the environment the template renders in.
        name: the template's name in that environment.
        shapes: every name the template is given, with the keys of those that are mappings.
        loop_shapes: for lists of mappings the template is given (``cc``), their keys, so that
            ``{% for person in cc %}{{ person.titel }}`` is found too.
    """
    seen = _seen if _seen is not None else {name}
    assert environment.loader is not None
    try:
        source, filename, _ = environment.loader.get_source(environment, name)
        tree = environment.parse(source, name, filename)
    except (jinja2.TemplateError, LetterforgeError, UnicodeDecodeError, RecursionError):
        return []  # rendering reports templates that are missing, unreadable or do not parse
    filename = filename or name
    parents = {id(child): parent for parent in _walk(tree) for child in parent.iter_child_nodes()}
    problems = []
    undeclared = meta.find_undeclared_variables(tree)
    allowed = set(shapes) | set(environment.globals)
    for node in tree.find_all(nodes.Name):
        if (
            node.ctx == "load"
            and node.name not in allowed
            and node.name in undeclared
            and not _guarded(node, parents)
        ):
            problems.append(TemplateProblem(filename, node.lineno, _undefined(node.name, None)))
    for filter_node in tree.find_all(nodes.Filter):
        if filter_node.name not in environment.filters:
            message = unknown_name_message("filter", filter_node.name, environment.filters)
            problems.append(TemplateProblem(filename, filter_node.lineno, message))
    for test in tree.find_all(nodes.Test):
        if test.name not in environment.tests:
            message = unknown_name_message("test", test.name, environment.tests)
            problems.append(TemplateProblem(filename, test.lineno, message))
    scopes = list(_scopes(tree, shapes, undeclared, loop_shapes))
    # `vars.deadline is defined` anywhere makes `vars.deadline` an optional value everywhere.
    optional = {
        (owner, _key(access))
        for scope, owner, _ in scopes
        for access in _accesses(scope, owner)
        if _guarded(access, parents)
    }
    for scope, owner, keys in scopes:
        for access in _accesses(scope, owner):
            key = _key(access)
            if not isinstance(key, str) or key.startswith("_") or key in keys:
                continue  # underscored names are the sandbox's to refuse
            parent = parents.get(id(access))
            if hasattr(dict, key) and isinstance(parent, nodes.Call):
                continue  # a mapping's method; the sandbox refuses those that change it
            if (owner, key) not in optional:
                problems.append(TemplateProblem(filename, access.lineno, _undefined(key, keys)))
    for include in tree.find_all(nodes.Include):
        target = include.template
        if (
            isinstance(target, nodes.Const)
            and isinstance(target.value, str)
            and target.value not in seen
        ):
            seen.add(target.value)
            problems += scan_template(
                environment, target.value, shapes, loop_shapes=loop_shapes, _seen=seen
            )
    return problems


def _undefined(name: str, keys: Iterable[str] | None) -> str:
    return f"undefined variable: {undefined_message(name, keys)}"


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _scopes(
    tree: nodes.Template,
    shapes: Shapes,
    undeclared: set[str],
    loop_shapes: dict[str, frozenset[str]],
) -> Iterator[tuple[list[nodes.Node], str, frozenset[str]]]:
    """(nodes to search, a name, its keys): the whole template for names it is given, and
    the body of each loop over a list of mappings for the loop's variable."""
    for name in undeclared:
        keys = shapes.get(name)
        if keys is not None:
            yield [tree], name, keys
    for loop in tree.find_all(nodes.For):
        iterated, target = loop.iter, loop.target
        if (
            isinstance(iterated, nodes.Name)
            and iterated.name in loop_shapes
            and iterated.name in undeclared
            and isinstance(target, nodes.Name)
        ):
            yield list(loop.body), target.name, loop_shapes[iterated.name]


def _accesses(scope: list[nodes.Node], owner: str) -> Iterator[nodes.Getattr | nodes.Getitem]:
    """``owner.key`` and ``owner["key"]`` inside ``scope``."""
    for root in scope:
        for access in root.find_all((nodes.Getattr, nodes.Getitem)):
            assert isinstance(access, nodes.Getattr | nodes.Getitem)
            if not (isinstance(access.node, nodes.Name) and access.node.name == owner):
                continue
            if isinstance(access, nodes.Getitem) and not isinstance(access.arg, nodes.Const):
                continue
            yield access


def _key(access: nodes.Getattr | nodes.Getitem) -> object:
    if isinstance(access, nodes.Getattr):
        return access.attr
    assert isinstance(access.arg, nodes.Const)
    return access.arg.value


def _guarded(node: nodes.Node, parents: dict[int, nodes.Node]) -> bool:
    """Whether the value is only asked about: ``x | default(...)``, ``x is defined``.

    The guard may stand after a longer expression: ``vars.a.b | default("")``.
    """
    current = node
    parent = parents.get(id(current))
    while isinstance(parent, nodes.Getattr | nodes.Getitem) and parent.node is current:
        current, parent = parent, parents.get(id(parent))
    if isinstance(parent, nodes.Filter) and parent.node is current:
        return parent.name in _GUARDING_FILTERS
    if isinstance(parent, nodes.Test) and parent.node is current:
        return parent.name in _GUARDING_TESTS
    return False
