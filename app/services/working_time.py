"""The app's working time: office hours and time zone from config (or the agency's own hours), the calendar
from the database."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.working_calendar import AgencyOfficeHours, load_working_calendar

from . import deadlines


def local_tz() -> ZoneInfo:
    """The agencies' IANA time zone (``Config.TIMEZONE``)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def default_office_hours() -> deadlines.OfficeHours:
    """Office hours from config (``OFFICE_OPENS_AT``, ``OFFICE_CLOSES_AT``, ``SAME_DAY_CUTOFF``; local HH:MM)."""
    cfg = current_app.config
    return deadlines.OfficeHours(opens_at=time.fromisoformat(cfg["OFFICE_OPENS_AT"]),
                                 closes_at=time.fromisoformat(cfg["OFFICE_CLOSES_AT"]),
                                 same_day_cutoff=time.fromisoformat(cfg["SAME_DAY_CUTOFF"]))


def office_hours(agency_id: int | None = None) -> deadlines.OfficeHours:
    """The office hours of agency ``agency_id`` (R116): its own row in ``agency_office_hours``, else the defaults
    from config (:func:`default_office_hours`); ``None`` gives the defaults."""
    if agency_id is not None:
        row = db.session.scalar(select(AgencyOfficeHours).where(AgencyOfficeHours.agency_id == agency_id))
        if row is not None:
            return row.as_office_hours()
    return default_office_hours()


def reception_deadlines(received_at: datetime, limit: int | deadlines.TimeLimit,
                        agency_id: int | None = None) -> tuple[datetime, datetime]:
    """Due time and "due soon" warning time for a dossier received at ``received_at``.

    Legal basis: Civil Code 2015 Art. 147–148 (reception day not counted), ND 118/2025 Art. 18.2 (15:00 cut-off);
    the units of :class:`~app.services.deadlines.TimeLimit` (legal.md §9.4). The result is stored on the dossier
    at reception: later calendar edits never move it (R120).

    :param received_at: aware UTC datetime the complete dossier was received.
    :param limit: the procedure's time limit; a bare number is working days (0 = same day).
    :param agency_id: the receiving agency, for its office hours (default hours when it has none).
    :return: ``(due_at, warning_at)``, aware UTC datetimes; the warning never precedes reception.
    :raises ValueError: naive ``received_at`` or negative number.
    """
    if not isinstance(limit, deadlines.TimeLimit):
        limit = deadlines.TimeLimit(limit)
    calendar, hours, tz = load_working_calendar(), office_hours(agency_id), local_tz()
    due = deadlines.due_for(received_at, limit, calendar, hours, tz)
    warning = deadlines.warning_at(due, calendar, hours, tz, current_app.config["DUE_WARNING_WORKING_DAYS"])
    return due, max(warning, received_at)
