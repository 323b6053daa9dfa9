"""Check the properties of one input component and build its :class:`Field` (anchors §6.2–6.3).

Errors are :class:`FormSchemaError` with an empty ``source`` and a ``path`` relative to the
component (``"validate.pattern"``); :mod:`.parsing` adds the file name and the component's place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .conditions import Expression, FeelSyntaxError, compile_expression, is_expression
from .schema import MULTI_TYPES, OPTION_TYPES, Field, FormSchemaError, Option

__all__ = ["build_field", "check_data_path", "compile_feel"]

_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Reserved: SpiffWorkflow's serializer reads a ``typename`` key as an object marker.
RESERVED_NAMES = frozenset({"typename"})
#: ``validate`` properties and the types they are allowed on (anchors §6.3).
_VALIDATE_TYPES = {
    "minLength": {"textfield", "textarea"},
    "maxLength": {"textfield", "textarea"},
    "min": {"number"},
    "max": {"number"},
    "pattern": {"textfield"},
    "patternErrorMessage": {"textfield"},
    "validationType": {"textfield"},
}
_DATETIME_SUBTYPES = ("date", "time", "datetime")


def check_data_path(name: Any) -> str | None:
    """Return why ``name`` is not a usable key or path (dotted identifiers), or None if it is."""
    if not isinstance(name, str) or not name:
        return "phải là một chuỗi không rỗng"
    for segment in name.split("."):
        if not _SEGMENT.fullmatch(segment):
            return f"{name!r} không hợp lệ: chỉ dùng chữ cái không dấu, chữ số, '_' và '.'"
        if segment in RESERVED_NAMES:
            return f"{segment!r} là tên dành riêng, hãy đặt tên khác"
    return None


def compile_feel(text: Any, where: str) -> Expression:
    """Compile a FEEL string or raise :class:`FormSchemaError` at ``where``."""
    try:
        return compile_expression(text if isinstance(text, str) else "")
    except FeelSyntaxError as error:
        raise FormSchemaError("", where, f"biểu thức FEEL không hỗ trợ ({error}): {text!r}") from None


def build_field(item: Mapping[str, Any], key: str) -> Field:
    """Build the :class:`Field` of input component ``item`` whose full key is ``key``.

    :raises FormSchemaError: with a path relative to the component.
    """
    kind = item["type"]
    field = Field(key=key, type=kind, id=item.get("id"), label=_label(item),
                  description=_string(item, "description"))
    field.validate, field.pattern = _validate(item, kind)
    field.disabled = _flag(item, "disabled")
    field.readonly = _flag(item, "readonly")
    prefix, suffix = _adorners(item)
    field.prefix, field.suffix = prefix, suffix
    if kind in OPTION_TYPES:
        field.values, field.values_key = _options(item)
    _TYPE_SPECIFIC.get(kind, lambda item, field: None)(item, field)
    field.default_value = _default_value(item, field)
    return field


def _label(item: Mapping[str, Any]) -> str:
    if item["type"] == "datetime":
        subtype = item.get("subtype", "date")
        name = "timeLabel" if subtype == "time" else "dateLabel"
        return _string(item, name) or _string(item, "label")
    return _string(item, "label")


def _string(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormSchemaError("", name, "phải là chuỗi ký tự")
    if is_expression(value):
        raise FormSchemaError("", name, "chưa hỗ trợ biểu thức FEEL trong nội dung hiển thị")
    return value


def _flag(item: Mapping[str, Any], name: str) -> bool | Expression:
    value = item.get(name, False)
    if isinstance(value, bool):
        return value
    if is_expression(value):
        return compile_feel(value, name)
    raise FormSchemaError("", name, "phải là true/false hoặc biểu thức FEEL")


def _adorners(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    appearance = item.get("appearance") or {}
    if not isinstance(appearance, Mapping):
        raise FormSchemaError("", "appearance", "phải là một đối tượng JSON")
    found = []
    for name in ("prefixAdorner", "suffixAdorner"):
        value = appearance.get(name)
        if value is not None and (not isinstance(value, str) or is_expression(value)):
            raise FormSchemaError("", f"appearance.{name}", "phải là chuỗi ký tự (không dùng FEEL)")
        found.append(value or None)
    return found[0], found[1]


def _validate(item: Mapping[str, Any], kind: str) -> tuple[dict[str, Any], re.Pattern | None]:
    validate = item.get("validate") or {}
    if not isinstance(validate, Mapping):
        raise FormSchemaError("", "validate", "phải là một đối tượng JSON")
    result: dict[str, Any] = {}
    for name, value in validate.items():
        where = f"validate.{name}"
        if name in _VALIDATE_TYPES and kind not in _VALIDATE_TYPES[name]:
            raise FormSchemaError("", where, f"không áp dụng cho kiểu {kind!r}")
        result[name] = _validate_property(name, value, where)
    if "patternErrorMessage" in result and "pattern" not in result:
        raise FormSchemaError("", "validate.patternErrorMessage", "cần có pattern đi kèm")
    pattern = None
    if result.get("pattern"):
        try:
            pattern = re.compile(result["pattern"], re.ASCII)
        except re.error as error:
            raise FormSchemaError("", "validate.pattern", f"biểu thức chính quy sai: {error}") from None
    return result, pattern


def _validate_property(name: str, value: Any, where: str) -> Any:
    if name == "required":
        if not isinstance(value, bool):
            raise FormSchemaError("", where, "phải là true hoặc false")
    elif name in ("minLength", "maxLength", "min", "max"):
        if is_expression(value):
            return compile_feel(value, where)
        integral = name.endswith("Length")
        if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)):
            raise FormSchemaError("", where, "phải là số nguyên" if integral else "phải là số")
        if integral and value < 0:
            raise FormSchemaError("", where, "không được âm")
    elif name in ("pattern", "patternErrorMessage"):
        if not isinstance(value, str):
            raise FormSchemaError("", where, "phải là chuỗi ký tự")
    elif name == "validationType":
        if value not in ("email", "phone", "custom", None, ""):
            raise FormSchemaError("", where, 'phải là "email", "phone" hoặc "custom"')
    return value


def _options(item: Mapping[str, Any]) -> tuple[tuple[Option, ...] | None, str | None]:
    sources = [name for name in ("values", "valuesKey", "valuesExpression") if item.get(name) is not None]
    if "valuesExpression" in sources:
        raise FormSchemaError("", "valuesExpression", "chưa hỗ trợ valuesExpression; dùng values hoặc valuesKey")
    if len(sources) != 1:
        raise FormSchemaError("", "values", "cần đúng một nguồn lựa chọn: values hoặc valuesKey")
    if sources == ["valuesKey"]:
        message = check_data_path(item["valuesKey"])
        if message:
            raise FormSchemaError("", "valuesKey", message)
        return None, item["valuesKey"]
    return _static_options(item["values"]), None


def _static_options(values: Any) -> tuple[Option, ...]:
    if not isinstance(values, list):
        raise FormSchemaError("", "values", "phải là danh sách {label, value}")
    options, seen = [], set()
    for index, entry in enumerate(values):
        where = f"values[{index}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("value"), str):
            raise FormSchemaError("", f"{where}.value", "mỗi lựa chọn cần value là chuỗi ký tự")
        if not isinstance(entry.get("label"), str):
            raise FormSchemaError("", f"{where}.label", "mỗi lựa chọn cần label là chuỗi ký tự")
        if entry["value"] in seen:
            raise FormSchemaError("", f"{where}.value", f"giá trị lựa chọn bị trùng: {entry['value']!r}")
        seen.add(entry["value"])
        options.append(Option(label=entry["label"], value=entry["value"]))
    return tuple(options)


def _number(item: Mapping[str, Any], field: Field) -> None:
    digits = item.get("decimalDigits")
    if digits is not None and (type(digits) is not int or digits < 0):
        raise FormSchemaError("", "decimalDigits", "phải là số nguyên không âm")
    increment = item.get("increment")
    if isinstance(increment, str) and re.fullmatch(r"\d+(\.\d+)?|\.\d+", increment.strip()):
        increment = float(increment) if "." in increment else int(increment)
    if increment is not None and (isinstance(increment, bool) or not isinstance(increment, (int, float))
                                  or increment <= 0):
        raise FormSchemaError("", "increment", "phải là số dương")
    field.decimal_digits, field.increment = digits, increment
    field.serialize_to_string = item.get("serializeToString") is True


def _datetime(item: Mapping[str, Any], field: Field) -> None:
    subtype = item.get("subtype", "date")
    if subtype not in _DATETIME_SUBTYPES:
        raise FormSchemaError("", "subtype", 'phải là "date", "time" hoặc "datetime"')
    field.subtype = subtype
    field.disallow_passed_dates = item.get("disallowPassedDates") is True


def _filepicker(item: Mapping[str, Any], field: Field) -> None:
    multiple = item.get("multiple", False)
    if not isinstance(multiple, bool):
        raise FormSchemaError("", "multiple", "phải là true hoặc false (chưa hỗ trợ FEEL)")
    accept = item.get("accept")
    if accept is not None and (not isinstance(accept, str) or is_expression(accept)):
        raise FormSchemaError("", "accept", "phải là chuỗi ký tự (không dùng FEEL)")
    field.multiple, field.accept = multiple, accept


_TYPE_SPECIFIC = {"number": _number, "datetime": _datetime, "filepicker": _filepicker}


def _default_value(item: Mapping[str, Any], field: Field) -> Any:
    if "defaultValue" not in item or item["defaultValue"] is None:
        return None
    value = item["defaultValue"]
    if field.values_key is not None:
        raise FormSchemaError("", "defaultValue", "không dùng được cùng valuesKey")
    if not _default_value_fits(field.type, value):
        raise FormSchemaError("", "defaultValue", f"sai kiểu dữ liệu cho thành phần {field.type!r}")
    if field.values is not None:
        allowed = {option.value for option in field.values}
        chosen = value if field.type in MULTI_TYPES else [value]
        if any(choice not in allowed for choice in chosen):
            raise FormSchemaError("", "defaultValue", "không nằm trong danh sách lựa chọn")
    return value


def _default_value_fits(kind: str, value: Any) -> bool:
    if kind == "checkbox":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    if kind in MULTI_TYPES:
        return isinstance(value, list) and all(isinstance(entry, str) for entry in value)
    return isinstance(value, str)
