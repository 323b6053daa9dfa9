"""The provincial working calendar: days off and make-up working days (legal.md §9, R113–R115).

The official 2025 and 2026 civil-service schedules of legal.md §9.2 are kept here as
:data:`OFFICIAL_CALENDAR_2025_2026` and loaded into the table by :func:`seed_official_calendar`.
Later years are entered by administrators; :func:`propose_entries_from_holidays_package` only
drafts them.
"""
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time

import holidays
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Time, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.services.deadlines import DayKind, OfficeHours, WorkingCalendar

_KIND_VALUES = ", ".join(f"'{kind.value}'" for kind in DayKind)


class WorkingCalendarEntry(db.Model):
    """One dated exception to the Monday–Friday civil-service week (R113)."""

    __tablename__ = "working_calendar_entries"
    __table_args__ = (CheckConstraint(f"kind IN ({_KIND_VALUES})", name="ck_working_calendar_kind"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Local date (Asia/Ho_Chi_Minh) the entry applies to; one entry per date.
    on: Mapped[date] = mapped_column(Date, unique=True)
    #: A :class:`~app.services.deadlines.DayKind` value, e.g. ``"swapped_day_off"``.
    kind: Mapped[str] = mapped_column(String(32))
    #: Vietnamese name shown to officers, e.g. "Tết Nguyên đán".
    name: Mapped[str] = mapped_column(String(200))
    #: The instrument the entry comes from, e.g. "Thông báo 9441/TB-BNV ngày 16/10/2025".
    legal_basis: Mapped[str] = mapped_column(String(500))
    #: True while the day is announced but not confirmed; such entries are NOT applied (R114).
    pending_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Who last created or edited the entry (officer login, or "seed").
    edited_by: Mapped[str] = mapped_column(String(120))
    #: Aware UTC datetime of the last edit.
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def day_kind(self) -> DayKind:
        """The entry's kind as a :class:`DayKind`."""
        return DayKind(self.kind)

    def __repr__(self):
        return f"<WorkingCalendarEntry {self.on.isoformat()} {self.kind}>"


class WorkingCalendarChange(db.Model):
    """Audit trail of the calendar: one row per entry created, edited, confirmed or deleted (R113)."""

    __tablename__ = "working_calendar_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Local date of the entry changed.
    on: Mapped[date] = mapped_column(Date, index=True)
    #: ``created`` | ``updated`` | ``confirmed`` | ``deleted``.
    action: Mapped[str] = mapped_column(String(20))
    #: What the entry said after the change (before it, for a deletion), in Vietnamese.
    summary: Mapped[str] = mapped_column(String(800))
    #: Officer login of the editor.
    changed_by: Mapped[str] = mapped_column(String(120))
    #: Aware UTC datetime of the change.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgencyOfficeHours(db.Model):
    """An agency's own one-stop office hours (R116); an agency without a row uses the defaults
    of the configuration (``OFFICE_OPENS_AT``, ``OFFICE_CLOSES_AT``, ``SAME_DAY_CUTOFF``)."""

    __tablename__ = "agency_office_hours"
    __table_args__ = (CheckConstraint("opens_at <= same_day_cutoff AND same_day_cutoff <= closes_at "
                                      "AND opens_at < closes_at", name="ck_agency_office_hours_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), unique=True)
    #: Local opening time of the counter.
    opens_at: Mapped[time] = mapped_column(Time)
    #: Local closing time; the time of day a deadline ends.
    closes_at: Mapped[time] = mapped_column(Time)
    #: Latest local reception time for a same-day result (NĐ 118/2025/NĐ-CP Điều 18 khoản 2).
    same_day_cutoff: Mapped[time] = mapped_column(Time)
    #: Officer login of the last editor.
    edited_by: Mapped[str] = mapped_column(String(120))
    #: Aware UTC datetime of the last edit.
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def as_office_hours(self) -> OfficeHours:
        """The row as the domain's :class:`~app.services.deadlines.OfficeHours`."""
        return OfficeHours(opens_at=self.opens_at, closes_at=self.closes_at, same_day_cutoff=self.same_day_cutoff)


@dataclass(frozen=True)
class CalendarEntryData:
    """The content of one calendar entry, without the audit columns."""

    on: date
    kind: DayKind
    name: str
    legal_basis: str
    pending_confirmation: bool = False


_BASIS_2025 = ("Thông báo nghỉ lễ, Tết năm 2025 đối với cán bộ, công chức, viên chức "
               "(số hiệu chưa xác minh; theo bản tóm tắt tet-amlich.com, home.vn — legal.md §9.2)")
_BASIS_LABOUR_CODE = "Bộ luật Lao động 45/2019/QH14, Điều 112 khoản 1"
_BASIS_2026_NEW_YEAR = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
_BASIS_2026_TET_NATIONAL_DAY = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"
_BASIS_2026_APRIL = (f"{_BASIS_LABOUR_CODE}; lịch nghỉ 2026 theo thanhnien.vn "
                     "185260223083506397 (legal.md §9.2)")
_BASIS_2026_SEPTEMBER_SWAP = (f"{_BASIS_2026_TET_NATIONAL_DAY}; hoán đổi ngày làm việc theo "
                              "baohaiphong (qua vietnam.vn) — legal.md §9.2")
_BASIS_CULTURE_DAY = ("Nghị quyết 30/NQ-CP (02/2026) giao sửa Bộ luật Lao động Điều 112 khoản 1; "
                      "chưa xác nhận là ngày nghỉ của công chức năm 2026 (legal.md §9.1)")

_H, _C, _S, _M = (DayKind.public_holiday, DayKind.compensatory_day_off,
                  DayKind.swapped_day_off, DayKind.makeup_working_day)

#: The official civil-service schedules for 2025 and 2026, exactly as in legal.md §9.2 (R114):
#: every weekday day off and every make-up Saturday; weekend days inside a holiday need no entry.
OFFICIAL_CALENDAR_2025_2026: tuple[CalendarEntryData, ...] = (
    CalendarEntryData(date(2025, 1, 1), _H, "Tết Dương lịch", _BASIS_2025),
    *(CalendarEntryData(date(2025, 1, d), _H, "Tết Nguyên đán Ất Tỵ", _BASIS_2025)
      for d in range(27, 32)),
    CalendarEntryData(date(2025, 4, 7), _H, "Giỗ Tổ Hùng Vương", _BASIS_2025),
    CalendarEntryData(date(2025, 4, 26), _M, "Làm bù cho ngày nghỉ 02/05/2025", _BASIS_2025),
    CalendarEntryData(date(2025, 4, 30), _H, "Ngày Chiến thắng (30/4)", _BASIS_2025),
    CalendarEntryData(date(2025, 5, 1), _H, "Ngày Quốc tế Lao động (1/5)", _BASIS_2025),
    CalendarEntryData(date(2025, 5, 2), _S, "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)",
                      _BASIS_2025),
    CalendarEntryData(date(2025, 9, 1), _H, "Quốc khánh", _BASIS_2025),
    CalendarEntryData(date(2025, 9, 2), _H, "Quốc khánh", _BASIS_2025),
    CalendarEntryData(date(2026, 1, 1), _H, "Tết Dương lịch", _BASIS_2026_NEW_YEAR),
    CalendarEntryData(date(2026, 1, 2), _S, "Tết Dương lịch (nghỉ hoán đổi, làm bù thứ Bảy "
                      "10/01/2026)", _BASIS_2026_NEW_YEAR),
    CalendarEntryData(date(2026, 1, 10), _M, "Làm bù cho ngày nghỉ 02/01/2026",
                      _BASIS_2026_NEW_YEAR),
    *(CalendarEntryData(date(2026, 2, d), _H, "Tết Nguyên đán Bính Ngọ",
                        _BASIS_2026_TET_NATIONAL_DAY) for d in range(16, 21)),
    CalendarEntryData(date(2026, 4, 27), _C, "Giỗ Tổ Hùng Vương (nghỉ bù cho Chủ nhật "
                      "26/04/2026)", _BASIS_2026_APRIL),
    CalendarEntryData(date(2026, 4, 30), _H, "Ngày Chiến thắng (30/4)", _BASIS_2026_APRIL),
    CalendarEntryData(date(2026, 5, 1), _H, "Ngày Quốc tế Lao động (1/5)", _BASIS_2026_APRIL),
    CalendarEntryData(date(2026, 8, 22), _M, "Làm bù cho ngày nghỉ 31/08/2026",
                      _BASIS_2026_SEPTEMBER_SWAP),
    CalendarEntryData(date(2026, 8, 31), _S, "Quốc khánh (nghỉ hoán đổi, làm bù thứ Bảy "
                      "22/08/2026)", _BASIS_2026_SEPTEMBER_SWAP),
    CalendarEntryData(date(2026, 9, 1), _H, "Quốc khánh", _BASIS_2026_TET_NATIONAL_DAY),
    CalendarEntryData(date(2026, 9, 2), _H, "Quốc khánh", _BASIS_2026_TET_NATIONAL_DAY),
    CalendarEntryData(date(2026, 11, 24), _H, "Ngày Văn hóa Việt Nam", _BASIS_CULTURE_DAY,
                      pending_confirmation=True),
)


def official_working_calendar() -> WorkingCalendar:
    """Return the calendar of the confirmed entries of :data:`OFFICIAL_CALENDAR_2025_2026`.

    Needs no database; for tests and as a fallback before the table is seeded.
    """
    return WorkingCalendar({entry.on: entry.kind for entry in OFFICIAL_CALENDAR_2025_2026
                            if not entry.pending_confirmation})


def load_working_calendar(session: Session | None = None) -> WorkingCalendar:
    """Return the working calendar built from the confirmed rows of the table (R113–R114).

    :param session: session to query; defaults to ``db.session`` (needs an app context).
    :return: a calendar without the entries pending confirmation.
    """
    session = session or db.session
    query = select(WorkingCalendarEntry.on, WorkingCalendarEntry.kind).where(
        WorkingCalendarEntry.pending_confirmation.is_(False))
    return WorkingCalendar({on: DayKind(kind) for on, kind in session.execute(query)})


def seed_official_calendar(edited_by: str = "seed",
                           session: Session | None = None) -> list[WorkingCalendarEntry]:
    """Insert :data:`OFFICIAL_CALENDAR_2025_2026` into the table, skipping dates already present.

    Idempotent; an administrator's entry for a date always wins over the seed. Only flushes:
    the caller commits.

    :param edited_by: value stored in ``edited_by`` of the new rows.
    :param session: session to write to; defaults to ``db.session`` (needs an app context).
    :return: the rows inserted now (empty when everything was already present).
    """
    session = session or db.session
    present = set(session.scalars(select(WorkingCalendarEntry.on)))
    now_at = datetime.now(UTC)
    rows = [WorkingCalendarEntry(**asdict(entry) | {"kind": entry.kind.value},
                                 edited_by=edited_by, edited_at=now_at)
            for entry in OFFICIAL_CALENDAR_2025_2026 if entry.on not in present]
    session.add_all(rows)
    session.flush()
    return rows


_HOLIDAYS_PACKAGE_BASIS = (f"Đề xuất từ gói holidays {holidays.__version__} (holidays.VN); "
                           "phải đối chiếu với thông báo chính thức trước khi xác nhận")
_SATURDAY = 5
_SWAP_LABEL = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


def _proposed_kind(name: str) -> DayKind:
    if "nghỉ bù" in name:
        return DayKind.compensatory_day_off
    if _SWAP_LABEL.search(name):
        return DayKind.swapped_day_off
    return DayKind.public_holiday


def _proposals_for(on: date, name: str) -> list[CalendarEntryData]:
    if on.weekday() >= _SATURDAY:
        return []
    proposals = [CalendarEntryData(on, _proposed_kind(name), name, _HOLIDAYS_PACKAGE_BASIS,
                                   pending_confirmation=True)]
    if match := _SWAP_LABEL.search(name):
        day, month, year = map(int, match.groups())
        proposals.append(CalendarEntryData(date(year, month, day), DayKind.makeup_working_day,
                                           f"Làm bù cho ngày nghỉ {on:%d/%m/%Y}",
                                           _HOLIDAYS_PACKAGE_BASIS, pending_confirmation=True))
    return proposals


def propose_entries_from_holidays_package(year: int) -> list[dict]:
    """Draft calendar entries for ``year`` from the ``holidays`` package; inserts nothing (R115).

    Every proposal has ``pending_confirmation=True``: an administrator checks it against the
    official notice and confirms it. Weekend holidays are dropped (they change nothing). The
    package does not list make-up Saturdays (legal.md §9.3); they are recovered from its
    Vietnamese label of a swapped day, "Ngày nghỉ (thay cho ngày DD/MM/YYYY)". The package
    is known to be wrong for 2026 (misses 2/1, adds 24/11): administrator entries win.

    :param year: calendar year, e.g. 2027.
    :return: dicts with the keys ``on``, ``kind`` (:class:`DayKind`), ``name``,
        ``legal_basis``, ``pending_confirmation``, sorted by date.
    """
    proposals = []
    for on, name in sorted(holidays.VN(years=year, language="vi").items()):
        proposals.extend(_proposals_for(on, name))
    return [asdict(proposal) for proposal in sorted(proposals, key=lambda p: p.on)]
