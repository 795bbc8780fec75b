"""Request bodies checked against the OpenAPI document's own schemas (one source of truth).

A small subset of JSON Schema, enough for `app.api.openapi`: type, enum, const,
required, properties, items, maxItems, minimum/maximum. Text (lengths, characters,
formats such as email and date-time) and the business rules are checked by the
domain and the services with the same limits (app.domain.text_input) and finer messages. Errors are English msgids per field
(``sessions.0.title``), translated by `validation_error`.
"""
from __future__ import annotations

from typing import Any

from app.domain.registration_input import N_

MESSAGES = {
    "string": N_("Enter text."),
    "integer": N_("Enter a whole number."),
    "boolean": N_("Enter true or false."),
    "array": N_("Send a list."),
    "object": N_("Send an object."),
    "null": N_("Leave this empty (null)."),
    "choice": N_("Choose one of the options."),
    "required": N_("This field is required."),
    "too_many": N_("This list is too long."),
    "too_small": N_("This number is too small."),
    "too_large": N_("This number is too large."),
    "datetime": N_("Enter a date and time like 2026-07-12T13:30."),
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "null":
        return value is None
    return True


def check(value: Any, schema: dict, path: str = "", errors: dict[str, list[str]] | None = None,
          components: dict | None = None) -> dict[str, list[str]]:
    """Field errors of `value` against `schema` (empty: it conforms)."""
    errors = {} if errors is None else errors
    if "$ref" in schema and components is not None:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]

    def add(key: str) -> None:
        errors.setdefault(path or "_", []).append(MESSAGES[key])

    if "const" in schema and not (value == schema["const"] and type(value) is type(schema["const"])):
        add("choice")
        return errors
    if "enum" in schema and not any(value == v and type(value) is type(v) for v in schema["enum"]):
        add("choice")
        return errors
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_type_ok(value, kind) for kind in kinds):
            add(next((k for k in kinds if k != "null"), "null"))
            return errors
    if isinstance(value, str) and schema.get("format") == "date-time" and not value.strip():
        add("datetime")  # an empty string is not "no date" (that is null); the services check the rest
        return errors
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            add("too_small")
        elif "maximum" in schema and value > schema["maximum"]:
            add("too_large")
    elif isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                errors.setdefault(f"{path}.{name}" if path else name, []).append(MESSAGES["required"])
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check(value[name], sub, f"{path}.{name}" if path else name, errors, components)
    elif isinstance(value, list) and "items" in schema:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            add("too_many")
            return errors
        for i, item in enumerate(value):
            check(item, schema["items"], f"{path}.{i}" if path else str(i), errors, components)
    return errors


def check_body(data: dict, schema_name: str) -> dict[str, list[str]]:
    """Errors of a request body against the named schema of the OpenAPI document."""
    from app.api.openapi import schemas

    components = schemas()
    return check(data, components[schema_name], components=components)
