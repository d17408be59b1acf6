"""The house rules of letterforge's layout, read from every import in the package (those inside
functions too): each stage imports only from the stages before it.

See docs/architecture.md for the layout and why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "letterforge"

# What each stage must not import: the stages after it.
AFTER_WORKSPACE = ("render", "writers", "check", "build", "commands", "cli")
FORBIDDEN = {
    "workspace": AFTER_WORKSPACE,
    "render": ("writers", "check", "build", "commands", "cli"),
    # Writers read the document model, the theme and images, nothing of the YAML model.
    "writers": (
        "workspace.model",
        "workspace.loader",
        "workspace.yamlio",
        "render",
        "check",
        "build",
        "commands",
        "cli",
    ),
    "document": ("workspace.loader", "workspace.model", "render", "build", "commands", "cli"),
    "theme": ("render", "writers", "check", "build", "commands", "cli"),
    "errors": ("workspace", "render", "writers", "check", "build", "commands", "cli"),
    # The front half of the pipeline: it hands letters on, and knows nothing of what is done
    # with them.
    "compose": ("writers", "check", "build", "commands", "cli"),
    "build": ("deliver", "commands", "cli"),
    # Delivery comes after the build: it reads what the build wrote, and the sent log.
    "deliver": ("check", "commands", "cli"),
    "commands": ("cli",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[str]:
    """Every name ``path`` imports, at the top, inside a function or for type checking only,
    as a full name (``from a import b`` gives ``a`` and ``a.b``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: relative import"  # the house writes them whole
            base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports, and ``click``."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for imported in imports(path):
            if imported in modules and imported != name:
                found.add(imported)
            elif imported.split(".")[0] == "click":
                found.add("click")
        edges[name] = found
    return edges


def within(module: str, part: str) -> bool:
    """Whether ``module`` is ``letterforge.<part>`` or inside it."""
    stage = f"letterforge.{part}"
    return module == stage or module.startswith(stage + ".")


def broken_rules(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    broken = set()
    for module, targets in edges.items():
        for target in targets:
            if target == "click" and not within(module, "cli"):
                broken.add((module, target))  # only the command line speaks click
            if within(target, "check") and not (within(module, "check") or within(module, "cli")):
                broken.add((module, target))  # the linter is a consumer, never a supplier
            for stage, forbidden in FORBIDDEN.items():
                if within(module, stage) and any(within(target, part) for part in forbidden):
                    broken.add((module, target))
    return broken


def cycles(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Each import that closes a cycle, as (module, the module it imports)."""
    found = set()
    for module, targets in edges.items():
        for target in targets:
            seen, stack = set(), [target]
            while stack:
                current = stack.pop()
                if current == module:
                    found.add((module, target))
                    break
                if current not in seen:
                    seen.add(current)
                    stack.extend(edges.get(current, ()))
    return found


def test_each_stage_imports_only_what_comes_before_it() -> None:
    edges = graph()
    broken = broken_rules(edges) | cycles(edges)
    assert sorted(broken) == [], "imports that break the layering rules"


def test_the_reader_sees_imports_inside_functions_and_for_type_checking() -> None:
    edges = graph()
    assert "letterforge.build.run" in edges["letterforge.cli.letters"]  # inside the build command
    assert "letterforge.compose" in edges["letterforge.build.run"]  # for type checking too


MODULE_LINES = 500
FUNCTION_LINES = 80


def test_no_module_over_500_lines_and_no_function_over_80() -> None:
    """A module over 500 lines holds more than one job, and a function over 80 lines more
    than one step: split them where the seam is."""
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = module_name(path)
        if text.count("\n") > MODULE_LINES:
            too_long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{name}.{node.name}: {length} lines")
    assert too_long == []


def test_docs_architecture_names_every_module() -> None:
    """docs/architecture.md has a line for each module (the writers as one), so that it stays
    the map of the package."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = [
        name
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.stem not in {"__init__", "__main__"}
        and f"`{(name := path.relative_to(PACKAGE).as_posix())}`" not in text
        and not (name.startswith("writers/") and "| `writers/` |" in text)
    ]
    assert unnamed == []
