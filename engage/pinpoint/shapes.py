"""Requests and responses against the model's shapes.

`shape_input` checks a request body the way Pinpoint did server-side (types, enum values and required members,
which botocore only partly checks client-side) and keeps only the members the model knows: unknown keys are
ignored, as Pinpoint ignored them. `shape_output` keeps only what the output shape declares, so every answer
is exactly the model's JSON whatever extras the apps' serializers add.
"""

from __future__ import annotations

import math
from typing import Any

from botocore.model import Shape

from engage.errors import Invalid

_TYPE_NAMES = {
    "structure": "an object",
    "map": "an object",
    "list": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "long": "a whole number",
    "double": "a number",
    "float": "a number",
    "timestamp": "an ISO 8601 date-time",
    "blob": "a base64 string",
}
MAX_DEPTH = 40


def _wire(name: str, member: Shape) -> str:
    return str(member.serialization.get("name", name))


def _where(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _refuse(path: str, shape: Shape, value: Any) -> Invalid:
    got = "null" if value is None else type(value).__name__
    expected = _TYPE_NAMES.get(shape.type_name, shape.type_name)
    return Invalid(f"Invalid type for parameter {path}: expected {expected}, got {got}", field=path)


def _scalar(value: Any, shape: Shape, path: str) -> Any:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            raise _refuse(path, shape, value)
        allowed = getattr(shape, "enum", None)
        if allowed and value not in allowed:
            raise Invalid(
                f"Invalid value for parameter {path}: {value!r}; valid values are {', '.join(allowed)}", field=path
            )
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _refuse(path, shape, value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(path, shape, value)
        return value
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _refuse(path, shape, value)
        return value
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _refuse(path, shape, value)
        return value
    if not isinstance(value, str):  # blob: base64 text in JSON
        raise _refuse(path, shape, value)
    return value


def shape_input(value: Any, shape: Shape, path: str = "", depth: int = 0) -> Any:
    """The value checked against `shape`, with members the model does not know left out; Invalid names the
    first offending member by its path (e.g. `Item[2].ChannelType`)."""
    if depth > MAX_DEPTH:
        raise Invalid(f"{path or 'the body'} nests too deeply", field=path or None)
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _refuse(path or "body", shape, value)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire = _wire(name, member)
            if value.get(wire) is not None:
                out[wire] = shape_input(value[wire], member, _where(path, wire), depth + 1)
        for name in shape.required_members:
            wire = _wire(name, shape.members[name])
            if wire not in out:
                where = _where(path, wire)
                raise Invalid(f"Missing required parameter {where}", field=where)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise _refuse(path, shape, value)
        member = shape.member
        return [shape_input(item, member, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _refuse(path, shape, value)
        inner = shape.value
        return {str(k): shape_input(v, inner, _where(path, str(k)), depth + 1) for k, v in value.items()}
    return _scalar(value, shape, path)


def _coerce(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if kind in ("integer", "long") and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def shape_output(value: Any, shape: Shape) -> Any:
    """The value trimmed to what `shape` declares: unknown members and nulls dropped, numbers and strings as the
    model types them."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return None
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire = _wire(name, member)
            if value.get(wire) is not None:
                shaped = shape_output(value[wire], member)
                if shaped is not None:
                    out[wire] = shaped
        return out
    if kind == "list":
        if not isinstance(value, list | tuple):
            return None
        member = shape.member
        return [shape_output(item, member) for item in value if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            return None
        inner = shape.value
        return {str(k): shape_output(v, inner) for k, v in value.items() if v is not None}
    return _coerce(value, shape)
