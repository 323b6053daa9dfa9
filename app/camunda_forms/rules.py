"""The ``validate`` rules of form-js (anchors §6.3), applied to one already-typed value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from . import messages
from .conditions import Expression
from .schema import Field

__all__ = ["check_rules", "is_empty"]

# The e-mail pattern of form-js's Validator (ASCII local part, dotted host labels).
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
# Vietnamese numbers as people type them (0912345678) or international (+84…, 0084…).
_PHONE = re.compile(r"0\d{8,10}|(?:\+|00)[1-9]\d{7,14}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def is_empty(field: Field, value: Any) -> bool:
    """form-js's "required" test: None, ``""``, ``[]`` or an unchecked checkbox is empty."""
    if field.type == "checkbox":
        return value is not True
    return value is None or value == "" or value == []


def check_rules(field: Field, value: Any, scopes: tuple[Mapping[str, Any], ...], today: date) -> list[str]:
    """Return the messages for every ``validate`` rule that ``value`` breaks (empty if none).

    :param field: the field and its rules.
    :param value: the typed value from :func:`.coercion.coerce`.
    :param scopes: data for FEEL limits (``"min": "=minCapital"``), searched in order.
    :param today: the local date used by ``disallowPassedDates``.
    """
    if is_empty(field, value):
        return [messages.REQUIRED] if field.required else []
    checks = {"textfield": _text_rules, "textarea": _text_rules, "number": _number_rules,
              "datetime": _date_rules}
    check = checks.get(field.type)
    return check(field, value, scopes, today) if check else []


def _limit(field: Field, name: str, scopes: tuple[Mapping[str, Any], ...]) -> int | float | None:
    limit = field.validate.get(name)
    if isinstance(limit, Expression):
        limit = limit.evaluate(*scopes)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)):
        return None
    return limit


def _text_rules(field: Field, value: str, scopes: tuple[Mapping[str, Any], ...], today: date) -> list[str]:
    errors = []
    shortest, longest = _limit(field, "minLength", scopes), _limit(field, "maxLength", scopes)
    if shortest is not None and len(value) < shortest:
        errors.append(messages.min_length(int(shortest)))
    if longest is not None and len(value) > longest:
        errors.append(messages.max_length(int(longest)))
    if field.pattern is not None and not field.pattern.search(value):
        errors.append(field.validate.get("patternErrorMessage") or messages.BAD_FORMAT)
    kind = field.validate.get("validationType")
    if kind == "email" and not _EMAIL.fullmatch(value):
        errors.append(messages.BAD_EMAIL)
    if kind == "phone" and not _PHONE.fullmatch(_PHONE_SEPARATORS.sub("", value)):
        errors.append(messages.BAD_PHONE)
    return errors


def _number_rules(field: Field, value: int | float, scopes: tuple[Mapping[str, Any], ...],
                  today: date) -> list[str]:
    errors = []
    low, high = _limit(field, "min", scopes), _limit(field, "max", scopes)
    if low is not None and value < low:
        errors.append(messages.min_value(low))
    if high is not None and value > high:
        errors.append(messages.max_value(high))
    return errors


def _date_rules(field: Field, value: str, scopes: tuple[Mapping[str, Any], ...], today: date) -> list[str]:
    if field.disallow_passed_dates and field.subtype != "time" and value[:10] < today.isoformat():
        return [messages.PASSED_DATE]
    return []
