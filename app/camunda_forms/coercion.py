"""Turn the browser's strings into typed values (anchors §6.2 data types), one field at a time.

Each ``coerce_*`` returns ``(value, errors)``: the typed value (the type's empty value when
nothing usable was sent) and Vietnamese error messages for input that could not be read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import messages
from .schema import MULTI_TYPES, Field, Option

__all__ = ["coerce", "empty_value"]

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
#: Longer numbers are refused rather than parsed (no workflow amount needs more digits).
_MAX_NUMBER_CHARS = 32
_TRUE = frozenset({"true", "on", "1", "yes"})
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d+)?)?")
_VI_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def empty_value(field: Field) -> Any:
    """The value form-js submits for an empty field: ``""``, ``False``, ``[]`` or ``None``."""
    if field.type in ("textfield", "textarea"):
        return ""
    if field.type == "checkbox":
        return False
    if field.type in MULTI_TYPES:
        return []
    return None


def coerce(field: Field, raw: str | list[str] | None, options: list[Option]) -> tuple[Any, list[str]]:
    """Read ``raw`` (one string, or a list for checklists; None if absent) for ``field``.

    :param options: the field's allowed options (ignored for types without options).
    :return: the typed value and the messages for unreadable input (empty if it was readable).
    """
    if field.type in MULTI_TYPES:
        return _choices(raw if isinstance(raw, list) else [], options)
    text = raw[0] if isinstance(raw, list) and raw else raw if isinstance(raw, str) else None
    return _SCALAR[field.type](field, text, options)


def _text(field: Field, raw: str | None, options: list[Option]) -> tuple[str, list[str]]:
    text = unicodedata.normalize("NFC", raw or "").replace("\r\n", "\n").replace("\r", "\n")
    if field.type == "textfield":
        text = text.replace("\n", " ")
    return text.strip(), []


def _checkbox(field: Field, raw: str | None, options: list[Option]) -> tuple[bool, list[str]]:
    return (raw or "").strip().lower() in _TRUE, []


def _choice(field: Field, raw: str | None, options: list[Option]) -> tuple[Any, list[str]]:
    raw = (raw or "").strip()
    if not raw:
        return None, []
    for option in options:
        if option.html_value == raw:
            return option.value, []
    return None, [messages.INVALID_CHOICE]


def _choices(raw: list[str], options: list[Option]) -> tuple[list[Any], list[str]]:
    by_html = {option.html_value: option.value for option in options}
    chosen = list(dict.fromkeys(str(item).strip() for item in raw if str(item).strip()))
    if any(item not in by_html for item in chosen):
        return [by_html[item] for item in chosen if item in by_html], [messages.INVALID_CHOICE]
    return [by_html[item] for item in chosen], []


def _number(field: Field, raw: str | None, options: list[Option]) -> tuple[int | float | None, list[str]]:
    text = re.sub(r"[\s\u00a0]", "", raw or "")
    if not text:
        return None, []
    if len(text) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(text) or ("," in text and "." in text):
        return None, [messages.NOT_A_NUMBER]
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None, [messages.NOT_A_NUMBER]
    value = int(number) if number == number.to_integral_value() else float(number)
    return value, _number_steps(field, number)


def _number_steps(field: Field, number: Decimal) -> list[str]:
    errors = []
    decimals = max(0, -number.normalize().as_tuple().exponent)
    if field.decimal_digits is not None and decimals > field.decimal_digits:
        errors.append(messages.too_many_decimals(field.decimal_digits))
    if field.increment:
        step = Decimal(str(field.increment))
        offset = number % step
        if offset:
            below = number - offset if number >= 0 else number - offset - step
            errors.append(messages.not_on_step(below, below + step))
    return errors


def _datetime(field: Field, raw: str | None, options: list[Option]) -> tuple[str | None, list[str]]:
    text = (raw or "").strip()
    if not text:
        return None, []
    reader = {"date": _read_date, "time": _read_time, "datetime": _read_datetime}[field.subtype or "date"]
    value = reader(text)
    return (value, []) if value else (None, [messages.invalid_datetime(field.subtype or "date")])


def _read_date(text: str) -> str | None:
    """ISO ``YYYY-MM-DD`` (what ``<input type=date>`` sends) or Vietnamese ``DD/MM/YYYY``."""
    try:
        if match := _VI_DATE.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        return None
    return None


def _read_time(text: str) -> str | None:
    match = _TIME.fullmatch(text)
    return f"{match.group(1)}:{match.group(2)}" if match else None


def _read_datetime(text: str) -> str | None:
    """``YYYY-MM-DDTHH:MM`` (``<input type=datetime-local>``), kept without a time zone."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](.+)", text)
    if not match:
        return None
    day, time = _read_date(match.group(1)), _read_time(match.group(2))
    if not (day and time):
        return None
    return datetime.fromisoformat(f"{day}T{time}").strftime("%Y-%m-%dT%H:%M")


_SCALAR = {
    "textfield": _text,
    "textarea": _text,
    "checkbox": _checkbox,
    "radio": _choice,
    "select": _choice,
    "number": _number,
    "datetime": _datetime,
}
