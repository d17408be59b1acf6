"""Validating YAML documents against the typed models, with every error at its file and line.

:func:`validate_document` and :func:`validate_layers` turn pydantic's errors into
``file:line:col`` errors in a YAML author's words, naming the file that gave the value at fault,
with a hint for a misspelled key.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from letterforge.errors import ConfigError, Problems
from letterforge.workspace.model import StrictModel
from letterforge.workspace.yamlio import YamlDocument, YamlPath, format_field_path

Model = TypeVar("Model", bound=StrictModel)


def validate_document(model: type[Model], document: YamlDocument) -> Model:
    """Validate a loaded YAML file against ``model``; every problem is reported at once."""
    return validate_layers(model, [document])


def validate_layers(model: type[Model], layers: list[YamlDocument]) -> Model:
    """Validate files that override one another, each mapping merged into the one before
    (lists and text replace); every problem names the file that gave the value at fault."""
    merged: dict[str, Any] = {}
    origins: dict[YamlPath, YamlDocument] = {}
    for document in layers:
        data = document.data
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError("expected a mapping of keys to values", document.location())
        _merge_into(merged, data, document, (), origins)
    try:
        return model.model_validate(merged)
    except ValidationError as err:
        errors: list[Any] = [
            {**error, "loc": _data_path(merged, error["loc"], error["type"] == "missing")}
            for error in err.errors()
        ]
        # A misspelled key is reported as unknown, with a hint: its "missing key" twin is noise.
        hinted = {
            (tuple(error["loc"][:-1]), hint)
            for error in errors
            if error["type"] == "extra_forbidden"
            and (hint := _closest_key(model, tuple(error["loc"])))
        }
        problems = [
            _describe(model, _origin(origins, tuple(error["loc"])), error)
            for error in errors
            if not (
                error["type"] == "missing"
                and (tuple(error["loc"][:-1]), error["loc"][-1]) in hinted
            )
        ]
        raise Problems(problems) from None


def _merge_into(
    target: dict[str, Any],
    data: dict[str, Any],
    document: YamlDocument,
    path: YamlPath,
    origins: dict[YamlPath, YamlDocument],
) -> None:
    origins[path] = document
    for key, value in data.items():
        inner = (*path, key)
        if isinstance(value, dict):
            # A fresh mapping: a later layer must not change the earlier file's own data.
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _merge_into(target[key], value, document, inner, origins)
        else:
            target[key] = value
            origins[inner] = document


def _data_path(data: Any, loc: tuple[Any, ...], missing: bool) -> tuple[Any, ...]:
    """``loc`` without the parts pydantic adds that are not in the file: union members
    (``sides``), validator names, ``[key]``. A missing key, the last part, is kept."""
    path: list[Any] = []
    for index, part in enumerate(loc):
        last = missing and index == len(loc) - 1
        if isinstance(data, dict) and (part in data or last):
            path.append(part)
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            path.append(part)
            data = data[part]
    return tuple(path)


def _origin(origins: dict[YamlPath, YamlDocument], loc: YamlPath) -> YamlDocument:
    """The file that gave the value at ``loc``, or the nearest mapping around it."""
    probe = loc
    while probe not in origins:
        probe = probe[:-1]
    return origins[probe]


def _closest_key(model: type[StrictModel], loc: tuple[Any, ...]) -> str | None:
    matches = difflib.get_close_matches(str(loc[-1]), _allowed_keys(model, loc[:-1]), n=1)
    return matches[0] if matches else None


def _describe(model: type[StrictModel], document: YamlDocument, error: Any) -> ConfigError:
    loc = tuple(error["loc"])
    field_path = format_field_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        closest = _closest_key(model, loc)
        hint = f" (did you mean {closest!r}?)" if closest else ""
        return ConfigError(f"unknown key {key!r}{hint}", document.location(loc, key=True))
    if kind == "missing":
        parent = format_field_path(loc[:-1])
        where = f"{parent}: " if parent else ""
        return ConfigError(f"{where}missing required key {loc[-1]!r}", document.location(loc[:-1]))
    message = _TYPE_MESSAGES.get(kind) or error["msg"].removeprefix("Value error, ")
    if kind in {"literal_error", "enum"}:
        message = f"{error['input']!r} is not one of {message.removeprefix('Input should be ')}"
    if kind.startswith("date_"):
        message = f"{error['input']!r} is not a valid date ({message.split(', ')[-1]})"
    return ConfigError(
        f"{field_path}: {message}" if field_path else message, document.location(loc)
    )


# pydantic's wording names Python types; say what a YAML author should write instead.
_TYPE_MESSAGES = {
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "dict_type": "expected a mapping of keys to values",
    "list_type": "expected a list",
    "string_type": "expected text",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
}


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at ``loc`` inside ``model`` accepts, for "did you mean" hints."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = current.model_fields
        field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        current = _model_inside(field.annotation) if field is not None else None
    if current is None:
        return []
    return [field.alias or name for name, field in current.model_fields.items()]


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_inside(argument)
        if found is not None:
            return found
    return None
