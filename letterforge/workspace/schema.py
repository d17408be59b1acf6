"""The JSON Schema of each kind of workspace file, for editors' YAML language servers
(``letterforge schema``): settings, rosters and campaigns from their models, locale files from
the conventions, each property described by its field's docstring.

Apart from the models so that the models and the conventions, which build on them, need not
know each other.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from letterforge.workspace.campaign import Campaign
from letterforge.workspace.conventions import Conventions
from letterforge.workspace.import_map import ImportMap
from letterforge.workspace.model import Roster, StrictModel
from letterforge.workspace.settings import Settings

SCHEMA_KINDS: dict[str, tuple[type[StrictModel], str]] = {
    "settings": (Settings, "letterforge.yaml"),
    "roster": (Roster, "recipients/*.yaml"),
    "campaign": (Campaign, "campaigns/*.yaml"),
    "import-map": (ImportMap, "the --map file of letterforge import"),
}


def _describe_fields(schema: dict[str, Any]) -> None:
    """Give each model's properties in ``schema`` (the root and its ``$defs``) the field's
    attribute docstring as its description."""
    models: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [StrictModel]
    while pending:
        subclass = pending.pop()
        models[subclass.__name__] = subclass
        pending.extend(subclass.__subclasses__())
    for name, node in [(schema.get("title"), schema), *schema.get("$defs", {}).items()]:
        model = models.get(str(name))
        if model is None or "properties" not in node:
            continue
        for field, text in _attribute_docs(model).items():
            info = model.model_fields.get(field)
            key = info.alias if info is not None and info.alias else field
            prop = node["properties"].get(key)
            if prop is not None and "description" not in prop:
                # Keys in order, as pydantic writes them.
                node["properties"][key] = dict(sorted({**prop, "description": text}.items()))


def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """The string under each field of ``model`` and of the models it inherits from."""
    import ast
    import inspect
    import itertools
    import textwrap

    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of workspace file, for editors' YAML language servers:
    ``settings``, ``roster``, ``campaign``, ``locale`` or ``import-map``."""
    if kind == "locale":
        generated, files = conventions_schema(), "locales/*.yaml"
    else:
        model, files = SCHEMA_KINDS[kind]
        generated = model.model_json_schema(by_alias=True)
    _describe_fields(generated)
    # Draft-07, which the YAML language servers editors use support fully; the schema uses
    # no keyword newer than that, only pydantic's $defs name, which draft-07 calls definitions.
    text = json.dumps(generated).replace("#/$defs/", "#/definitions/")
    schema = json.loads(text)
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **schema,
        "title": f"letterforge {kind} ({files})",
    }


def conventions_schema() -> dict[str, Any]:
    """The JSON Schema of a workspace's ``locales/*.yaml``: every key optional, since a file
    overrides only what it names (a new language must still give them all)."""
    schema = Conventions.model_json_schema()

    def optional(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("required", None)
            for value in node.values():
                optional(value)
        elif isinstance(node, list):
            for value in node:
                optional(value)

    optional(schema)
    return schema
