"""Working-calendar functions BPMN timer and condition expressions may call (legal.md §9.4).

``add_working_days(t, n)``, ``add_working_hours(t, n)`` and ``working_days_between(a, b)`` take ISO 8601
strings with an offset (``"2026-02-13T10:00:00+07:00"``, e.g. the process variables ``received_at`` and
``dossier_due_at``) or aware datetimes, and return ISO 8601 strings in local time (``+07:00``) that a Spiff
timer (*Date*) accepts as they are, or a whole number. They count on the confirmed working calendar of the
database and the default office hours (config); without an app context, on the official 2025–2026 calendar.
Registered with the engine by :func:`register_expression_helpers` at app start, so the lint knows them.
"""
from collections.abc import Callable
from datetime import datetime
from numbers import Number
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_app_context

from app.engine.errors import ExpressionError
from app.engine.scripts import current_engine, set_expression_helpers
from app.models.working_calendar import load_working_calendar, official_working_calendar

from . import deadlines

_DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def _context() -> tuple[deadlines.WorkingCalendar, deadlines.OfficeHours, ZoneInfo]:
    if has_app_context():
        from .working_time import default_office_hours, local_tz
        return load_working_calendar(), default_office_hours(), local_tz()
    return official_working_calendar(), deadlines.OfficeHours(), ZoneInfo(_DEFAULT_TZ)


def parse_moment(value: Any, name: str = "t") -> datetime:
    """An aware datetime from an ISO 8601 string with offset (or ``Z``) or an aware datetime.

    :raises ExpressionError: anything else (a date without time, a naive time, not a date at all).
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ExpressionError(f"{name}: {value!r} is not an ISO 8601 date-time "
                                  "(e.g. 2026-02-13T10:00:00+07:00)") from None
    if not isinstance(value, datetime):
        raise ExpressionError(f"{name}: expected an ISO 8601 date-time with offset, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ExpressionError(f"{name}: {value.isoformat()} has no offset; write e.g. +07:00")
    return value


def _number(value: Any, name: str, whole: bool) -> float | int:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ExpressionError(f"{name}: {value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, Number):
        raise ExpressionError(f"{name}: expected a number, got {value!r}")
    if whole:
        if value != int(value):
            raise ExpressionError(f"{name}: expected a whole number of working days, got {value!r}")
        return int(value)
    return float(value)


def to_local_iso(moment: datetime, tz: ZoneInfo | None = None) -> str:
    """``moment`` as ISO 8601 in local time with its offset, to the second: ``2026-02-23T17:00:00+07:00``."""
    return moment.astimezone(tz or _context()[2]).isoformat(timespec="seconds")


def add_working_days(t: Any, n: Any) -> str:
    """The same local time of day ``n`` working days after ``t`` (before it when ``n < 0``).

    ``t`` on a day off counts as the next working day's opening (see
    :func:`app.services.deadlines.shift_working_days`). Example: ``${add_working_days(dossier_due_at, -1)}``.

    :raises ExpressionError: ``t`` not an ISO date-time with offset, ``n`` not a whole number.
    """
    calendar, hours, tz = _context()
    moment = deadlines.shift_working_days(parse_moment(t), _number(n, "n", whole=True), calendar, hours, tz)
    return to_local_iso(moment, tz)


def add_working_hours(t: Any, n: Any) -> str:
    """The moment ``n`` hours of office time after ``t``, skipping nights and days off (counted from the next
    opening when ``t`` is outside office hours). Example: ``${add_working_hours(submitted_at, 8)}``
    (ND 118/2025 Art. 17.2: 8 working hours to check an online dossier).

    :raises ExpressionError: ``t`` not an ISO date-time with offset, ``n`` not a number or negative.
    """
    calendar, hours, tz = _context()
    count = _number(n, "n", whole=False)
    if count < 0:
        raise ExpressionError(f"n: working hours must not be negative, got {n!r}")
    return to_local_iso(deadlines.add_working_hours(parse_moment(t), count, calendar, hours, tz), tz)


def working_days_between(a: Any, b: Any) -> int:
    """Working days from ``a``'s day to ``b``'s day (negative when ``b`` is earlier; a day off counts as the next
    working day; times of day ignored). ``working_days_between(t, add_working_days(t, n)) == n``.

    :raises ExpressionError: ``a`` or ``b`` not an ISO date-time with offset.
    """
    calendar, hours, tz = _context()
    return deadlines.working_days_from(parse_moment(a, "a"), parse_moment(b, "b"), calendar, hours, tz)


#: name → function, as designers call them in ``${…}``.
HELPERS: dict[str, Callable] = {"add_working_days": add_working_days, "add_working_hours": add_working_hours,
                                "working_days_between": working_days_between}


def register_expression_helpers() -> None:
    """Add :data:`HELPERS` to the helpers every workflow's expressions can call, keeping those already set."""
    set_expression_helpers({**current_engine().environment.evaluator.helpers, **HELPERS})
