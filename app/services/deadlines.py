"""Working days and legal deadlines in Vietnamese civil-service working days.

Pure domain code: no Flask, no database. The calendar of days off and make-up working
Saturdays comes from the provincial working-calendar table
(:mod:`app.models.working_calendar`), never from code (legal.md §9.3, R113–R115).

Rules implemented (legal.md §9.4, R116–R118):

* Civil servants work Monday–Friday; public holidays, compensatory days off and swapped days
  off are not working days; a make-up Saturday is (legal.md §9.1–9.2).
* The day of reception is not counted; a period of N working days ends at the end of the Nth
  working day after the reception day (Bộ luật Dân sự 2015, Điều 147–148; R117).
* A same-day procedure received after 15:00 is due on the next working day
  (NĐ 118/2025/NĐ-CP Điều 18 khoản 2 for the 15:00 cut-off; procedure sheets; R118).
* A dossier received outside office hours counts from the next working day (legal.md §9.4 item 2).
"""
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class DayKind(str, enum.Enum):
    """Kind of a working-calendar entry (R113).

    Only :attr:`makeup_working_day` turns a day into a working day; every other kind is a
    day off for civil servants.
    """

    #: Public holiday, Bộ luật Lao động 2019 Điều 112 khoản 1 (e.g. Tết Nguyên đán).
    public_holiday = "public_holiday"
    #: Day off in lieu of a holiday that fell on a weekly rest day (nghỉ bù).
    compensatory_day_off = "compensatory_day_off"
    #: Weekday bridging a holiday, given off against a make-up Saturday (nghỉ hoán đổi).
    swapped_day_off = "swapped_day_off"
    #: Saturday worked to make up for a swapped day off (làm bù).
    makeup_working_day = "makeup_working_day"


@dataclass(frozen=True)
class WorkingCalendar:
    """The civil-service working calendar: weekends plus the confirmed calendar entries.

    :param entries: confirmed entries, local date -> :class:`DayKind` (a kind's string value
        is accepted too). Pending entries must be left out by the caller (R114). A day-off
        kind on a weekend and a make-up kind on a weekday change nothing.
    :raises ValueError: if a kind is not a :class:`DayKind` value.
    """

    entries: Mapping[date, DayKind] = field(default_factory=dict, hash=False)

    def __post_init__(self):
        frozen = MappingProxyType({on: DayKind(kind) for on, kind in self.entries.items()})
        object.__setattr__(self, "entries", frozen)

    def is_working_day(self, day: date) -> bool:
        """Return whether civil servants work on the local date ``day``."""
        kind = self.entries.get(day)
        if kind is None:
            return day.weekday() < _SATURDAY
        return kind is DayKind.makeup_working_day

    def next_working_day(self, day: date) -> date:
        """Return the first working day strictly after the local date ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """Return the last working day strictly before the local date ``day``."""
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, start_on: date, n: int) -> date:
        """Return the ``n``-th working day strictly after ``start_on``.

        ``start_on`` itself is never counted (Bộ luật Dân sự 2015, Điều 147). With ``n == 0``
        the result is ``start_on`` if it is a working day, else the next working day.

        :param start_on: local date counting starts from (the reception day).
        :param n: number of working days, ``>= 0``.
        :return: a local date that is always a working day.
        :raises ValueError: if ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return start_on if self.is_working_day(start_on) else self.next_working_day(start_on)
        day = start_on
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Return the number of working days ``d`` with ``a < d <= b``.

        Inverse of :meth:`add_working_days`: ``working_days_between(s, add_working_days(s, n))
        == n`` for every ``n >= 1``. When ``b < a`` the count is negated, so the function is
        antisymmetric; it is 0 when ``a == b``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        days = (a + _ONE_DAY * k for k in range(1, (b - a).days + 1))
        return sum(1 for day in days if self.is_working_day(day))


@dataclass(frozen=True)
class OfficeHours:
    """Opening hours of a one-stop counter, as naive local times (R116, R118).

    Son La's official hours are not verified (legal.md §9.1 [U]); the defaults are the usual
    civil-service hours and must stay configurable per agency. Split sessions (lunch break)
    are not modelled.

    :param opens_at: local time the counter opens.
    :param closes_at: local time the counter closes; also the time of day a deadline ends.
    :param same_day_cutoff: latest local reception time for a same-day result
        (NĐ 118/2025/NĐ-CP Điều 18 khoản 2).
    :raises ValueError: unless ``opens_at <= same_day_cutoff <= closes_at`` and
        ``opens_at < closes_at``.
    """

    opens_at: time = time(7, 30)
    closes_at: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)

    def __post_init__(self):
        ordered = self.opens_at <= self.same_day_cutoff <= self.closes_at
        if not ordered or self.opens_at >= self.closes_at:
            raise ValueError(
                "office hours must satisfy opens_at <= same_day_cutoff <= closes_at "
                f"and opens_at < closes_at, got {self.opens_at}, {self.same_day_cutoff}, "
                f"{self.closes_at}"
            )


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")


def _require_not_negative(value: int, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _end_of_day_at(day: date, hours: OfficeHours, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, hours.closes_at, tzinfo=tz).astimezone(UTC)


def reception_on(received_at: datetime, calendar: WorkingCalendar, hours: OfficeHours,
                 tz: ZoneInfo) -> date:
    """Return the local date a dossier counts as received.

    A dossier received on a working day before ``hours.closes_at`` counts from that day (one
    received before opening time is deemed received when the counter opens). Otherwise it
    counts from the next working day (legal.md §9.4 item 2; NĐ 118/2025 is silent, so this is
    a design default [U]).

    :param received_at: aware datetime the complete dossier was received (any offset).
    :param calendar: the confirmed working calendar.
    :param hours: the receiving counter's office hours.
    :param tz: IANA zone of the agency, e.g. ``ZoneInfo("Asia/Ho_Chi_Minh")``.
    :return: local date in ``tz``; always a working day.
    :raises ValueError: if ``received_at`` is naive.
    """
    _require_aware(received_at, "received_at")
    local = received_at.astimezone(tz)
    if calendar.is_working_day(local.date()) and local.time() < hours.closes_at:
        return local.date()
    return calendar.next_working_day(local.date())


def _same_day_due_on(received_at: datetime, calendar: WorkingCalendar, hours: OfficeHours,
                     tz: ZoneInfo) -> date:
    local = received_at.astimezone(tz)
    if calendar.is_working_day(local.date()) and local.time() <= hours.same_day_cutoff:
        return local.date()
    return calendar.next_working_day(local.date())


def due_at(received_at: datetime, working_days: int, calendar: WorkingCalendar,
           hours: OfficeHours, tz: ZoneInfo) -> datetime:
    """Return when the result of a dossier is due.

    The reception day (:func:`reception_on`) is not counted; the result is due at the end
    (``hours.closes_at``) of the ``working_days``-th working day after it (Bộ luật Dân sự
    2015, Điều 147–148; R117). ``working_days == 0`` is a same-day procedure: due at the end
    of the reception day if received on a working day at or before ``hours.same_day_cutoff``
    (15:00), else at the end of the next working day (NĐ 118/2025/NĐ-CP Điều 18 khoản 2; R118).

    :param received_at: aware datetime the complete, valid dossier was received.
    :param working_days: statutory processing time, ``Procedure.processing_working_days``
        (``>= 0``).
    :param calendar: the confirmed working calendar.
    :param hours: office hours of the receiving counter.
    :param tz: IANA zone of the agency, e.g. ``ZoneInfo("Asia/Ho_Chi_Minh")``.
    :return: aware UTC datetime.
    :raises ValueError: if ``received_at`` is naive or ``working_days`` is negative.
    """
    _require_aware(received_at, "received_at")
    _require_not_negative(working_days, "working_days")
    if working_days == 0:
        due_on = _same_day_due_on(received_at, calendar, hours, tz)
    else:
        start_on = reception_on(received_at, calendar, hours, tz)
        due_on = calendar.add_working_days(start_on, working_days)
    return _end_of_day_at(due_on, hours, tz)


def warning_at(due_at_: datetime, calendar: WorkingCalendar, hours: OfficeHours, tz: ZoneInfo,
               working_days_before: int = 1) -> datetime:
    """Return when a dossier becomes "due soon": the same local time of day, a number of
    working days before the due time.

    Used only for internal warnings, which may be recomputed when the calendar is edited
    (R120; legal.md §9.4 item 8). For very short procedures the result can fall before the
    reception; callers that care clamp it with ``max(received_at, ...)``. ``hours`` is not
    used yet; it is taken so that a later rule (e.g. warn at opening time) keeps the signature.

    :param due_at_: aware due datetime, as returned by :func:`due_at`.
    :param calendar: the confirmed working calendar.
    :param hours: office hours of the handling agency (unused for now).
    :param tz: IANA zone of the agency.
    :param working_days_before: how many working days ahead to warn (``>= 0``; 0 returns the
        due time itself).
    :return: aware UTC datetime.
    :raises ValueError: if ``due_at_`` is naive or ``working_days_before`` is negative.
    """
    _require_aware(due_at_, "due_at_")
    _require_not_negative(working_days_before, "working_days_before")
    local = due_at_.astimezone(tz)
    warn_on = local.date()
    for _ in range(working_days_before):
        warn_on = calendar.previous_working_day(warn_on)
    return datetime.combine(warn_on, local.timetz()).astimezone(UTC)
