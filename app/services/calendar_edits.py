"""Administrators' edits of the working calendar and of agencies' office hours (R113–R116).

Every edit is recorded (who, when, what) in ``working_calendar_changes``. Editing the calendar never moves an
appointment already given to an applicant: due times are computed at reception and stored on the dossier (R120).
Services only flush; the route commits.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import extract, select

from app.extensions import db
from app.models.working_calendar import (
    AgencyOfficeHours,
    CalendarEntryData,
    WorkingCalendarChange,
    WorkingCalendarEntry,
    propose_entries_from_holidays_package,
)

from .deadlines import DayKind, OfficeHours

#: Vietnamese names of the kinds of entries, as the administration page shows them.
KIND_LABELS = {
    DayKind.public_holiday: "Ngày nghỉ lễ, Tết",
    DayKind.compensatory_day_off: "Ngày nghỉ bù",
    DayKind.swapped_day_off: "Ngày nghỉ hoán đổi",
    DayKind.makeup_working_day: "Ngày làm bù (thứ Bảy đi làm)",
}


class CalendarEditError(ValueError):
    """An edit that cannot be saved; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class YearCalendar:
    """What the administration page shows for one year: the entries and the proposals not yet entered."""

    year: int
    entries: list[WorkingCalendarEntry]
    #: Proposals of the ``holidays`` package (dicts of :func:`propose_entries_from_holidays_package`) for dates
    #: that have no entry yet: administrator entries always win (R115).
    proposals: list[dict]
    changes: list[WorkingCalendarChange]


def year_calendar(year: int, *, changes: int = 30) -> YearCalendar:
    """The entries of ``year`` by date, the package's proposals for the dates not entered, the latest changes."""
    entries = list(db.session.scalars(select(WorkingCalendarEntry)
                                      .where(extract("year", WorkingCalendarEntry.on) == year)
                                      .order_by(WorkingCalendarEntry.on)))
    taken = {entry.on for entry in entries}
    proposals = [p for p in propose_entries_from_holidays_package(year) if p["on"] not in taken]
    recent = list(db.session.scalars(select(WorkingCalendarChange)
                                     .where(extract("year", WorkingCalendarChange.on) == year)
                                     .order_by(WorkingCalendarChange.changed_at.desc(),
                                               WorkingCalendarChange.id.desc()).limit(changes)))
    return YearCalendar(year, entries, proposals, recent)


def _summary(entry: WorkingCalendarEntry) -> str:
    pending = " (chờ xác nhận)" if entry.pending_confirmation else ""
    return (f"{entry.on:%d/%m/%Y}: {KIND_LABELS[entry.day_kind]}{pending} — {entry.name}; "
            f"căn cứ: {entry.legal_basis}")[:800]


def _log(entry: WorkingCalendarEntry, action: str, by: str, now: datetime) -> None:
    db.session.add(WorkingCalendarChange(on=entry.on, action=action, summary=_summary(entry), changed_by=by,
                                         changed_at=now))


def save_entry(data: CalendarEntryData, *, by: str, now: datetime,
               entry: WorkingCalendarEntry | None = None) -> WorkingCalendarEntry:
    """Create an entry (``entry is None``) or overwrite ``entry`` with ``data``, recording who and when.

    :param by: officer login of the administrator.
    :param now: aware UTC time of the edit.
    :raises CalendarEditError: another entry already holds that date, or the name or legal basis is empty.
    """
    if not data.name.strip() or not data.legal_basis.strip():
        raise CalendarEditError("Hãy nhập tên ngày và căn cứ pháp lý (ví dụ: Thông báo 6150/TB-BNV).")
    clash = db.session.scalar(select(WorkingCalendarEntry).where(WorkingCalendarEntry.on == data.on))
    if clash is not None and clash is not entry:
        raise CalendarEditError(f"Ngày {data.on:%d/%m/%Y} đã có trong lịch ({clash.name}); hãy sửa mục đó.")
    action = "created" if entry is None else "updated"
    if entry is not None and entry.pending_confirmation and not data.pending_confirmation:
        action = "confirmed"
    entry = entry or WorkingCalendarEntry()
    entry.on, entry.kind, entry.name = data.on, DayKind(data.kind).value, data.name.strip()
    entry.legal_basis, entry.pending_confirmation = data.legal_basis.strip(), data.pending_confirmation
    entry.edited_by, entry.edited_at = by, now
    db.session.add(entry)
    _log(entry, action, by, now)
    db.session.flush()
    return entry


def delete_entry(entry: WorkingCalendarEntry, *, by: str, now: datetime) -> None:
    """Delete ``entry`` (the date becomes an ordinary Monday–Friday day again), recording who and when."""
    _log(entry, "deleted", by, now)
    db.session.delete(entry)
    db.session.flush()


def set_office_hours(agency_id: int, hours: OfficeHours | None, *, by: str, now: datetime) -> None:
    """Give agency ``agency_id`` its own office hours, or (``hours is None``) return it to the defaults (R116)."""
    row = db.session.scalar(select(AgencyOfficeHours).where(AgencyOfficeHours.agency_id == agency_id))
    if hours is None:
        if row is not None:
            db.session.delete(row)
        db.session.flush()
        return
    row = row or AgencyOfficeHours(agency_id=agency_id)
    row.opens_at, row.closes_at, row.same_day_cutoff = hours.opens_at, hours.closes_at, hours.same_day_cutoff
    row.edited_by, row.edited_at = by, now
    db.session.add(row)
    db.session.flush()


def office_hours_rows() -> dict[int, AgencyOfficeHours]:
    """Agency id → its own office hours row, for the agencies that have one."""
    return {row.agency_id: row for row in db.session.scalars(select(AgencyOfficeHours))}


def entry_on(on: date) -> WorkingCalendarEntry | None:
    """The entry of local date ``on``, if any."""
    return db.session.scalar(select(WorkingCalendarEntry).where(WorkingCalendarEntry.on == on))
