"""Parse and check a ``.form`` file (form-js JSON, anchors §6) into a :class:`FormDefinition`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import Expression, is_expression
from .fields import build_field, check_data_path, compile_feel
from .schema import INPUT_TYPES, Component, Field, FormDefinition, FormSchemaError

__all__ = ["parse_form", "MAX_SCHEMA_VERSION"]

#: The newest form-js ``schemaVersion`` understood (anchors §6: the JSON Schema accepts 1–19).
MAX_SCHEMA_VERSION = 19
LAYOUT_TYPES = frozenset({"text", "group", "dynamiclist", "separator", "spacer", "button"})
#: form-js types that exist but that this renderer refuses, so designers learn at deploy time.
UNSUPPORTED_TYPES = frozenset({"html", "image", "table", "iframe", "documentPreview", "expression"})


def parse_form(data: str | bytes | Mapping[str, Any], source: str, *, default_id: str | None = None) -> FormDefinition:
    """Parse a Camunda Form and check it strictly enough to catch a designer's mistakes.

    :param data: the ``.form`` file's JSON text (str or UTF-8 bytes) or the decoded object.
    :param source: the file name, used in error messages (e.g. ``"forms/hkd.form"``).
    :param default_id: the id of a form that has none (one found by file name through
        ``camunda-forms:deployment:<file>.form``, or generated from ``camunda:formData``); without it a
        missing ``id`` is an error.
    :return: the :class:`FormDefinition`, with every FEEL condition and regex compiled.
    :raises FormSchemaError: on invalid JSON, a wrong top level (``type`` not ``"default"``,
        missing ``id`` or ``components``, ``schemaVersion`` not an int in 1–19), an unknown or
        unsupported component type, a missing, malformed, duplicate or reserved (``typename``)
        key or path, malformed options or ``validate`` properties, a bad regex, or a FEEL
        expression outside the supported subset. ``path`` names the offending property.
    """
    document = _load(data, source)
    schema_version = _check_top(document, source, require_id=default_id is None)
    builder = _TreeBuilder(source)
    components = builder.components(document["components"], "components", _Scope())
    return FormDefinition(
        id=document.get("id") or default_id, source=source, components=components, fields=builder.fields,
        schema_version=schema_version, submit_label=builder.submit_label,
    )


def _load(data: str | bytes | Mapping[str, Any], source: str) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise FormSchemaError(source, "", f"JSON không hợp lệ: {error}") from None
    if not isinstance(document, Mapping):
        raise FormSchemaError(source, "", "tệp biểu mẫu phải là một đối tượng JSON")
    return document


def _check_top(document: Mapping[str, Any], source: str, *, require_id: bool = True) -> int | None:
    if document.get("type") != "default":
        raise FormSchemaError(source, "type", 'phải là "default"')
    if (require_id or document.get("id") is not None) and (not isinstance(document.get("id"), str)
                                                           or not document["id"].strip()):
        raise FormSchemaError(source, "id", "thiếu mã biểu mẫu (id)")
    if not isinstance(document.get("components"), list):
        raise FormSchemaError(source, "components", "phải là một danh sách thành phần")
    version = document.get("schemaVersion")
    if version is not None and (type(version) is not int or not 1 <= version <= MAX_SCHEMA_VERSION):
        raise FormSchemaError(source, "schemaVersion", f"phải là số nguyên từ 1 đến {MAX_SCHEMA_VERSION}")
    for forbidden in ("layout", "conditional"):
        if forbidden in document:
            raise FormSchemaError(source, forbidden, "không được đặt ở cấp biểu mẫu")
    return version


@dataclass(frozen=True)
class _Scope:
    """Where a component sits: data path prefix, enclosing dynamic list, enclosing conditions."""

    prefix: str = ""
    list_path: str | None = None
    conditions: tuple[Expression, ...] = ()

    def qualified(self, key: str) -> str:
        """The name used to detect clashes: list children live under ``<list path>[]``."""
        name = self.prefix + key
        return f"{self.list_path}[].{name}" if self.list_path else name


class _TreeBuilder:
    """Walks the component JSON, building components and registering keys and paths."""

    def __init__(self, source: str):
        self.source = source
        self.fields: list[Field] = []
        self.submit_label: str | None = None
        self._keys: set[str] = set()  # qualified field keys
        self._lists: set[str] = set()  # dynamic list paths
        self._paths: set[str] = set()  # group paths and every parent path of a key

    def error(self, path: str, message: str) -> FormSchemaError:
        return FormSchemaError(self.source, path, message)

    def components(self, items: Any, where: str, scope: _Scope) -> list[Component]:
        if not isinstance(items, list):
            raise self.error(where, "phải là một danh sách thành phần")
        return [self.component(item, f"{where}[{index}]", scope) for index, item in enumerate(items)]

    def component(self, item: Any, where: str, scope: _Scope) -> Component:
        if not isinstance(item, Mapping):
            raise self.error(where, "thành phần phải là một đối tượng JSON")
        kind = item.get("type")
        if kind in UNSUPPORTED_TYPES:
            raise self.error(f"{where}.type", f"kiểu thành phần {kind!r} chưa được hỗ trợ")
        if kind not in INPUT_TYPES and kind not in LAYOUT_TYPES:
            raise self.error(f"{where}.type", f"kiểu thành phần không xác định: {kind!r}")
        hide = self.condition(item, where)
        component = Component(
            type=kind, id=self.text(item, "id", where), label=self.text(item, "label", where),
            hide=hide, props=dict(item),
        )
        inner = _Scope(scope.prefix, scope.list_path, scope.conditions + ((hide,) if hide else ()))
        if kind in INPUT_TYPES:
            component.field = self.field(item, where, inner)
            component.field.hide, component.label = hide, component.field.label
        elif kind in ("group", "dynamiclist"):
            self.container(component, item, where, inner)
        elif kind == "text":
            component.text = self.text(item, "text", where)
        elif kind == "button" and item.get("action", "submit") == "submit" and self.submit_label is None:
            self.submit_label = component.label or None
        return component

    def container(self, component: Component, item: Mapping[str, Any], where: str, scope: _Scope) -> None:
        path = item.get("path")
        if component.type == "dynamiclist":
            if scope.list_path is not None:
                raise self.error(f"{where}.type", "không hỗ trợ danh sách động lồng trong danh sách động")
            if not path:
                raise self.error(f"{where}.path", "danh sách động phải có path")
        if path:
            self.check_name(path, f"{where}.path")
            full = scope.prefix + path
            self.claim(scope.qualified(path), f"{where}.path", "list" if component.type == "dynamiclist" else "group")
            component.path = full
            scope = _Scope(full + ".", scope.list_path, scope.conditions)
        if component.type == "dynamiclist":
            repetitions = item.get("defaultRepetitions", 1)
            if type(repetitions) is not int or not 0 <= repetitions <= 50:
                raise self.error(f"{where}.defaultRepetitions", "phải là số nguyên từ 0 đến 50")
            scope = _Scope("", component.path, scope.conditions)
        component.children = self.components(item.get("components", []), f"{where}.components", scope)

    def field(self, item: Mapping[str, Any], where: str, scope: _Scope) -> Field:
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise self.error(f"{where}.key", "thành phần nhập liệu phải có key")
        self.check_name(key, f"{where}.key")
        self.claim(scope.qualified(key), f"{where}.key", "key")
        try:
            field = build_field(item, scope.prefix + key)
        except FormSchemaError as error:
            raise self.error(f"{where}.{error.path}", error.message) from None
        field.list_path, field.conditions = scope.list_path, scope.conditions
        self.fields.append(field)
        return field

    def check_name(self, name: Any, where: str) -> None:
        message = check_data_path(name)
        if message:
            raise self.error(where, message)

    def claim(self, name: str, where: str, kind: str) -> None:
        """Refuse a key or path that repeats a key or list, or nests inside a key or list.

        :param kind: ``"key"`` (a field), ``"group"`` (may be shared) or ``"list"``.
        """
        clash = next((k for k in self._keys | self._lists if k == name or name.startswith(k + ".")), None)
        if clash is None and kind != "group" and name in self._paths:
            clash = name
        if clash is not None:
            raise self.error(where, f"trùng hoặc chồng lấn với {clash!r}")
        {"key": self._keys, "list": self._lists, "group": self._paths}[kind].add(name)
        parts = name.split(".")
        self._paths.update(".".join(parts[:end]) for end in range(1, len(parts)))

    def condition(self, item: Mapping[str, Any], where: str) -> Expression | None:
        conditional = item.get("conditional")
        if conditional is None:
            return None
        if not isinstance(conditional, Mapping):
            raise self.error(f"{where}.conditional", "phải là một đối tượng JSON")
        hide = conditional.get("hide")
        if hide is None or hide == "":
            return None
        return self.compile(hide, f"{where}.conditional.hide")

    def compile(self, text: Any, where: str) -> Expression:
        try:
            return compile_feel(text, "")
        except FormSchemaError as error:
            raise self.error(where, error.message) from None

    def text(self, item: Mapping[str, Any], name: str, where: str) -> str:
        value = item.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(f"{where}.{name}", "phải là chuỗi ký tự")
        if is_expression(value) and name != "id":
            raise self.error(f"{where}.{name}", "chưa hỗ trợ biểu thức FEEL trong nội dung hiển thị")
        return value

