"""The app's working time: office hours and time zone from config, the calendar from the database."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from app.models.working_calendar import load_working_calendar

from . import deadlines


def local_tz() -> ZoneInfo:
    """The agencies' IANA time zone (``Config.TIMEZONE``)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def office_hours() -> deadlines.OfficeHours:
    """Office hours from config (``OFFICE_OPENS_AT``, ``OFFICE_CLOSES_AT``, ``SAME_DAY_CUTOFF``; local HH:MM)."""
    cfg = current_app.config
    return deadlines.OfficeHours(opens_at=time.fromisoformat(cfg["OFFICE_OPENS_AT"]),
                                 closes_at=time.fromisoformat(cfg["OFFICE_CLOSES_AT"]),
                                 same_day_cutoff=time.fromisoformat(cfg["SAME_DAY_CUTOFF"]))


def reception_deadlines(received_at: datetime, working_days: int) -> tuple[datetime, datetime]:
    """Due time and "due soon" warning time for a dossier received at ``received_at``.

    Legal basis: Civil Code 2015 Art. 147–148 (reception day not counted), ND 118/2025 Art. 18.2 (15:00 cut-off).

    :param received_at: aware UTC datetime the complete dossier was received.
    :param working_days: the procedure's time limit in working days (0 = same day).
    :return: ``(due_at, warning_at)``, aware UTC datetimes; the warning never precedes reception.
    :raises ValueError: naive ``received_at`` or negative ``working_days``.
    """
    calendar, hours, tz = load_working_calendar(), office_hours(), local_tz()
    due = deadlines.due_at(received_at, working_days, calendar, hours, tz)
    warning = deadlines.warning_at(due, calendar, hours, tz, current_app.config["DUE_WARNING_WORKING_DAYS"])
    return due, max(warning, received_at)
