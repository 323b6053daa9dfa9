"""Data paths and the raw (string) values that the Jinja macro re-renders.

Names of inputs are the field's dotted data path (``applicant.fullName``). A dynamic list's rows
are numbered from 0 inside the name: ``members.0.name``, ``members.1.name``.

"Raw values" are a flat ``dict`` from input name to what the browser would send: a ``str`` for
one-value inputs, a ``list[str]`` for checklists. Use :func:`raw_values_from` after a failed
validation, and :func:`initial_values` (or ``form.initial_values(context)``) for a first render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .schema import Field, FormDefinition

__all__ = [
    "MAX_LIST_ROWS", "delete_path", "display_values", "get_path", "getlist", "initial_values", "list_rows",
    "raw_values_from", "set_path", "to_raw",
]

#: Rows of a dynamic list beyond this index are ignored (protects against huge submissions).
MAX_LIST_ROWS = 100
#: Types a browser omits from the submission when nothing is ticked.
_ABSENT_MEANS_EMPTY = frozenset({"checkbox", "checklist", "taglist"})


def get_path(data: Any, path: str | None, default: Any = None) -> Any:
    """Return ``data[a][b]`` for ``path`` ``"a.b"``, or ``default`` when any step is missing."""
    if not path:
        return default
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return default
        data = data[part]
    return data


def set_path(data: dict, path: str, value: Any) -> None:
    """Set ``data[a][b] = value`` for ``path`` ``"a.b"``, creating (or replacing non-dict) steps."""
    *parents, last = path.split(".")
    for part in parents:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    data[last] = value


def delete_path(data: dict, path: str) -> None:
    """Remove ``data[a][b]`` for ``path`` ``"a.b"`` if it exists."""
    *parents, last = path.split(".")
    parent = get_path(data, ".".join(parents)) if parents else data
    if isinstance(parent, dict):
        parent.pop(last, None)


def list_rows(formdata: Mapping[str, Any], list_path: str) -> list[int]:
    """Return the submitted row indexes of a dynamic list, ascending (at most :data:`MAX_LIST_ROWS`).

    :param formdata: the submitted names (a werkzeug ``MultiDict`` or any mapping).
    :param list_path: the list's full dotted path, e.g. ``"members"``.
    """
    pattern = re.compile(re.escape(list_path) + r"\.(\d{1,4})\.")
    indexes = {int(match.group(1)) for name in formdata if (match := pattern.match(name))}
    return sorted(index for index in indexes if index < MAX_LIST_ROWS)


def raw_values_from(form: FormDefinition, formdata: Any) -> dict[str, str | list[str]]:
    """Return the submitted strings of ``form``'s inputs, to re-render after a failed validation.

    Unknown names are dropped, list rows are renumbered 0..n-1 (the same numbering
    :func:`.validation.validate_submission` uses for its error keys), and file pickers are left out
    (browsers never re-fill file inputs).

    :param form: the parsed form.
    :param formdata: a werkzeug ``MultiDict`` (``request.form``) or a plain mapping.
    :return: input name → ``str`` (``list[str]`` for checklists).
    """
    raw: dict[str, str | list[str]] = {}
    for field in form.fields:
        if field.type == "filepicker":
            continue
        if field.list_path is None:
            _copy_raw(field, formdata, field.key, field.key, raw)
            continue
        for row, index in enumerate(list_rows(formdata, field.list_path)):
            source = f"{field.list_path}.{index}.{field.key}"
            _copy_raw(field, formdata, source, f"{field.list_path}.{row}.{field.key}", raw)
    return raw


def initial_values(form: FormDefinition, context: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Return raw values for a first render: the workflow data at each path, else ``defaultValue``.

    :param form: the parsed form.
    :param context: the task's workflow data (nested mappings; lists of mappings for dynamic lists).
    :return: input name → ``str`` (``list[str]`` for checklists), as :func:`raw_values_from`.
    """
    return {name: raw for name, _, raw in _initial_items(form, context)}


def display_values(form: FormDefinition, values: Mapping[str, Any] | None,
                   context: Mapping[str, Any]) -> dict[str, Any]:
    """Return the raw values the macro shows: ``values`` completed by :func:`initial_values`.

    With no ``values`` (a first render) this is the initial values. Otherwise each name missing
    from ``values`` takes its initial value, except checkboxes and checklists, whose absence in a
    submission means "nothing ticked".

    :param values: submitted or prefilled raw values: name → ``str`` or ``list[str]`` (e.g.
        ``request.form.to_dict(flat=False)``, whose one-item lists the macro reads as strings).
    """
    shown: dict[str, Any] = {}
    for name, field, raw in _initial_items(form, context):
        if not values or (name not in values and field.type not in _ABSENT_MEANS_EMPTY):
            shown[name] = raw
    shown.update(values or {})
    return shown


def _initial_items(form: FormDefinition, context: Mapping[str, Any]):
    for field in form.fields:
        if field.list_path is None:
            yield field.key, field, to_raw(field, get_path(context, field.key, field.default_value))
            continue
        items = get_path(context, field.list_path)
        for row, item in enumerate(items if isinstance(items, list) else []):
            value = get_path(item, field.key, field.default_value)
            yield f"{field.list_path}.{row}.{field.key}", field, to_raw(field, value)


def to_raw(field: Field, value: Any) -> str | list[str]:
    """Turn a typed value (from workflow data or ``defaultValue``) into what a browser would send."""
    if field.type in ("checklist", "taglist"):
        return [_scalar_to_raw(item) for item in value] if isinstance(value, (list, tuple)) else []
    if field.type == "checkbox":
        return "true" if value is True else ""
    return _scalar_to_raw(value)


def _scalar_to_raw(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _copy_raw(field: Field, formdata: Any, source: str, target: str, raw: dict) -> None:
    if field.type in ("checklist", "taglist"):
        raw[target] = [str(item) for item in getlist(formdata, source)]
    elif source in formdata:
        values = getlist(formdata, source)
        raw[target] = str(values[0]) if values else ""


def getlist(formdata: Any, name: str) -> list:
    """All values sent under ``name``: ``MultiDict.getlist``, or a plain mapping's value as a list."""
    if hasattr(formdata, "getlist"):
        return list(formdata.getlist(name))
    value = formdata.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
