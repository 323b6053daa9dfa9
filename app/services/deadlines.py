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

A procedure's time limit is a number and a unit (legal.md §9.4 item 1; :class:`TimeLimit`):
working days (the default rule above), working hours (the same N working days counted as N × 8
working hours from the reception time, within office hours — R117's alternative mode), calendar
days (Civil Code Art. 147–148: a last day that is a rest day rolls to the next working day) or
same day (the 15:00 cut-off).
"""
import enum
from collections.abc import Callable, Mapping
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

    @property
    def seconds_per_day(self) -> int:
        """Length of one working day's office hours, in seconds (``closes_at - opens_at``)."""
        day = date(2000, 1, 3)
        return int((datetime.combine(day, self.closes_at) - datetime.combine(day, self.opens_at)).total_seconds())


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


def clock_start_at(received_at: datetime, calendar: WorkingCalendar, hours: OfficeHours,
                   tz: ZoneInfo) -> datetime:
    """Return the moment the legal clock starts for a dossier received at ``received_at``.

    Within office hours of a working day it is ``received_at`` itself; before opening time on a
    working day it is that day's opening; otherwise (after closing, at night, on a day off) it is
    the opening of the next working day (legal.md §9.4 item 2; same rule as :func:`reception_on`).

    :return: aware UTC datetime, always within office hours of a working day.
    :raises ValueError: if ``received_at`` is naive.
    """
    _require_aware(received_at, "received_at")
    local = received_at.astimezone(tz)
    day = local.date()
    if calendar.is_working_day(day) and local.time() < hours.closes_at:
        if local.time() >= hours.opens_at:
            return received_at.astimezone(UTC)
        return datetime.combine(day, hours.opens_at, tzinfo=tz).astimezone(UTC)
    return datetime.combine(calendar.next_working_day(day), hours.opens_at, tzinfo=tz).astimezone(UTC)


def add_working_hours(start_at: datetime, working_hours: float, calendar: WorkingCalendar,
                      hours: OfficeHours, tz: ZoneInfo) -> datetime:
    """Return the moment ``working_hours`` hours of office time after ``start_at``.

    Counting starts at :func:`clock_start_at` and runs only within office hours
    (``hours.opens_at``–``hours.closes_at``) of working days, skipping weekends, holidays and
    other days off; a period that ends exactly at closing time ends then (not at the next
    opening). Lunch breaks are not modelled (R116 [U]). Same as :func:`add_working_seconds` with
    ``working_hours × 3600`` seconds.

    :param start_at: aware datetime counting starts from.
    :param working_hours: hours of office time, ``>= 0`` (fractions allowed).
    :return: aware UTC datetime.
    :raises ValueError: if ``start_at`` is naive or ``working_hours`` is negative.
    """
    _require_not_negative(working_hours, "working_hours")
    return add_working_seconds(start_at, working_hours * 3600, calendar, hours, tz)


def add_working_seconds(start_at: datetime, seconds: float, calendar: WorkingCalendar,
                        hours: OfficeHours, tz: ZoneInfo) -> datetime:
    """Return the moment ``seconds`` of office time after ``start_at``.

    Seconds precision for the legal clock: moving an appointment by the working time a pause
    lasted (legal.md §9.4 item 5, R121; NĐ 118/2025/NĐ-CP Điều 19 khoản 5) and per-step budgets
    (R46). Counting starts at :func:`clock_start_at` (so ``0`` gives the start of office time at
    or after ``start_at``) and runs only within office hours of working days; an end exactly at
    closing time stays on that day. Inverse of :func:`subtract_working_seconds` and measured by
    :func:`working_seconds_between`.

    :param start_at: aware datetime.
    :param seconds: office time to add, ``>= 0`` (fractions allowed).
    :return: aware UTC datetime within office hours of a working day.
    :raises ValueError: if ``start_at`` is naive or ``seconds`` is negative.
    """
    _require_not_negative(seconds, "seconds")
    current = clock_start_at(start_at, calendar, hours, tz).astimezone(tz).replace(tzinfo=None)
    remaining = timedelta(seconds=seconds)
    while True:
        closing = datetime.combine(current.date(), hours.closes_at)
        if remaining <= closing - current:
            return (current + remaining).replace(tzinfo=tz).astimezone(UTC)
        remaining -= closing - current
        current = datetime.combine(calendar.next_working_day(current.date()), hours.opens_at)


def clock_end_at(moment: datetime, calendar: WorkingCalendar, hours: OfficeHours,
                 tz: ZoneInfo) -> datetime:
    """Return the last moment of office time at or before ``moment`` (mirror of :func:`clock_start_at`).

    Within office hours of a working day it is ``moment`` itself; after closing time it is that
    day's closing; before opening time or on a day off it is the closing of the previous working
    day.

    :return: aware UTC datetime, always within office hours of a working day.
    :raises ValueError: if ``moment`` is naive.
    """
    _require_aware(moment, "moment")
    local = moment.astimezone(tz)
    day = local.date()
    if calendar.is_working_day(day) and local.time() >= hours.opens_at:
        if local.time() <= hours.closes_at:
            return moment.astimezone(UTC)
        return datetime.combine(day, hours.closes_at, tzinfo=tz).astimezone(UTC)
    return datetime.combine(calendar.previous_working_day(day), hours.closes_at, tzinfo=tz).astimezone(UTC)


def subtract_working_seconds(end_at: datetime, seconds: float, calendar: WorkingCalendar,
                             hours: OfficeHours, tz: ZoneInfo) -> datetime:
    """Return the moment ``seconds`` of office time before ``end_at``.

    For the "due soon" warning a number of working hours before the appointment
    (``DUE_WARNING_WORKING_HOURS``; R48, R120). Counting runs backwards from
    :func:`clock_end_at` within office hours of working days; a start exactly at opening time
    stays on that day.

    :param end_at: aware datetime.
    :param seconds: office time to take away, ``>= 0``.
    :return: aware UTC datetime within office hours of a working day.
    :raises ValueError: if ``end_at`` is naive or ``seconds`` is negative.
    """
    _require_not_negative(seconds, "seconds")
    current = clock_end_at(end_at, calendar, hours, tz).astimezone(tz).replace(tzinfo=None)
    remaining = timedelta(seconds=seconds)
    while True:
        opening = datetime.combine(current.date(), hours.opens_at)
        if remaining <= current - opening:
            return (current - remaining).replace(tzinfo=tz).astimezone(UTC)
        remaining -= current - opening
        current = datetime.combine(calendar.previous_working_day(current.date()), hours.closes_at)


def working_seconds_between(start_at: datetime, end_at: datetime, calendar: WorkingCalendar,
                            hours: OfficeHours, tz: ZoneInfo) -> int:
    """Return the whole seconds of office time on working days from ``start_at`` to ``end_at``.

    The overlap of ``[start_at, end_at)`` with each working day's office hours: the working time
    a clock pause lasted (legal.md §9.4 item 5, R121; QĐ 766 indicator 2.1 excludes the
    applicant's waiting time) or left until a due time (inbox chips, R48). ``0`` when
    ``end_at <= start_at``. ``working_seconds_between(t, add_working_seconds(t, s)) == s`` for
    whole ``s`` and ``t`` within office time.

    :raises ValueError: if either moment is naive.
    """
    _require_aware(start_at, "start_at")
    _require_aware(end_at, "end_at")
    if end_at <= start_at:
        return 0
    total, day = timedelta(0), start_at.astimezone(tz).date()
    while day <= end_at.astimezone(tz).date():
        if calendar.is_working_day(day):
            opens = datetime.combine(day, hours.opens_at, tzinfo=tz)
            closes = datetime.combine(day, hours.closes_at, tzinfo=tz)
            total += max(timedelta(0), min(closes, end_at) - max(opens, start_at))
        day += _ONE_DAY
    return int(total.total_seconds())


class TimeLimitUnit(str, enum.Enum):
    """How a procedure's time limit is counted (process property ``time_limit_unit``; legal.md §9.4)."""

    #: End of the Nth working day after the reception day (Civil Code 2015 Art. 147–148; R117).
    working_days = "working_days"
    #: N × 8 working hours from the reception time, within office hours (R117's alternative mode).
    working_hours = "working_hours"
    #: End of the Nth calendar day after the reception day; a rest day rolls to the next working
    #: day (Civil Code 2015 Art. 147–148).
    calendar_days = "calendar_days"
    #: End of the reception day, or of the next working day after the 15:00 cut-off
    #: (NĐ 118/2025/NĐ-CP Điều 18 khoản 2; R118).
    same_day = "same_day"


#: Working hours in one working day for :attr:`TimeLimitUnit.working_hours` (40-hour week).
HOURS_PER_WORKING_DAY = 8


class TimeLimitError(ValueError):
    """The time-limit properties of a process are wrong; the message names the property."""


@dataclass(frozen=True)
class TimeLimit:
    """A procedure's statutory time limit: a whole number and its unit.

    :param amount: N (working days, also for :attr:`TimeLimitUnit.working_hours`, which counts
        them as N × 8 working hours; calendar days; always 0 for same day).
    :param unit: how N is counted.
    """

    amount: int
    unit: TimeLimitUnit = TimeLimitUnit.working_days

    @classmethod
    def from_properties(cls, properties: Mapping[str, str]) -> "TimeLimit":
        """Read ``time_limit_unit`` and ``time_limit`` (legacy name ``processing_working_days``)
        from a process's properties.

        The unit defaults to ``working_days``; a same-day procedure needs no number.

        :raises TimeLimitError: unknown unit, missing or non-numeric number, both names given with
            different numbers, or a non-zero number for ``same_day``.
        """
        unit_text = str(properties.get("time_limit_unit") or TimeLimitUnit.working_days.value).strip()
        try:
            unit = TimeLimitUnit(unit_text)
        except ValueError:
            known = ", ".join(u.value for u in TimeLimitUnit)
            raise TimeLimitError(f"time_limit_unit {unit_text!r} is not one of {known}") from None
        given = {name: str(properties[name]).strip() for name in ("time_limit", "processing_working_days")
                 if str(properties.get(name) or "").strip()}
        for name, text in given.items():
            if not text.isdigit():
                raise TimeLimitError(f"{name} must be a whole number, not {text!r}")
        if len(set(map(int, given.values()))) > 1:
            raise TimeLimitError(f"time_limit ({given['time_limit']}) and the legacy processing_working_days "
                                 f"({given['processing_working_days']}) disagree; keep only time_limit")
        if not given:
            if unit is TimeLimitUnit.same_day:
                return cls(0, unit)
            raise TimeLimitError("time limit missing: set time_limit (or the legacy processing_working_days) "
                                 f"to a whole number of {unit.value}")
        amount = int(next(iter(given.values())))
        if unit is TimeLimitUnit.same_day and amount != 0:
            raise TimeLimitError(f"time_limit_unit same_day takes no number (or 0), not {amount}")
        return cls(amount, unit)

    @property
    def is_same_day(self) -> bool:
        """Whether the result is due the day of reception (``same_day``, or the legacy 0 working days; R118)."""
        return self.unit is TimeLimitUnit.same_day or self.amount == 0 and self.unit is TimeLimitUnit.working_days

    @property
    def label_vi(self) -> str:
        """Vietnamese wording for pages and slips, e.g. "3 ngày làm việc"."""
        if self.is_same_day:
            return "Trong ngày (nhận sau 15 giờ thì trả ngày làm việc tiếp theo)"
        if self.unit is TimeLimitUnit.working_hours:
            return f"{self.amount * HOURS_PER_WORKING_DAY} giờ làm việc ({self.amount} ngày làm việc)"
        if self.unit is TimeLimitUnit.calendar_days:
            return f"{self.amount} ngày"
        return f"{self.amount} ngày làm việc"


def time_limit_label(properties: Mapping[str, str], *, from_reception: bool = False) -> str:
    """The Vietnamese time-limit wording of a process version's catalogue (:attr:`TimeLimit.label_vi`), for the
    portal, the admin pages and the slips (R31: printed from the catalogue, never typed).

    :param properties: the process properties (``time_limit_unit``, ``time_limit`` or legacy
        ``processing_working_days``).
    :param from_reception: add "kể từ ngày nhận đủ hồ sơ hợp lệ" (not to a same-day limit), as procedure sheets
        and receipts word it (NĐ 118/2025/NĐ-CP Điều 18).
    :return: e.g. "16 giờ làm việc (2 ngày làm việc)", "Trong ngày (…)", or "Chưa công bố thời hạn" when they
        cannot be read (a version deployed before the time-limit lint).
    """
    try:
        limit = TimeLimit.from_properties(properties)
    except TimeLimitError:
        return "Chưa công bố thời hạn"
    if from_reception and not limit.is_same_day:
        return f"{limit.label_vi} kể từ ngày nhận đủ hồ sơ hợp lệ"
    return limit.label_vi


def _calendar_days_due_on(received_at: datetime, days: int, calendar: WorkingCalendar,
                          hours: OfficeHours, tz: ZoneInfo) -> date:
    last_on = reception_on(received_at, calendar, hours, tz) + _ONE_DAY * days
    return last_on if calendar.is_working_day(last_on) else calendar.next_working_day(last_on)


def due_for(received_at: datetime, limit: TimeLimit, calendar: WorkingCalendar, hours: OfficeHours,
            tz: ZoneInfo) -> datetime:
    """Return when the result of a dossier is due under ``limit`` (legal.md §9.4; R117–R118).

    * ``working_days``: :func:`due_at` (0 is a same-day procedure).
    * ``working_hours``: :func:`add_working_hours` of ``limit.amount × 8`` hours from the
      reception time (out-of-hours receptions count from the next opening).
    * ``calendar_days``: end of the ``limit.amount``-th day after the reception day
      (:func:`reception_on`); a last day that is not a working day rolls to the end of the next
      working day (Bộ luật Dân sự 2015, Điều 147–148).
    * ``same_day``: end of the reception day when received on a working day by
      ``hours.same_day_cutoff``, else end of the next working day.

    :param received_at: aware datetime the complete, valid dossier was received.
    :return: aware UTC datetime.
    :raises ValueError: if ``received_at`` is naive or ``limit.amount`` negative.
    """
    _require_aware(received_at, "received_at")
    _require_not_negative(limit.amount, "limit.amount")
    compute: dict[TimeLimitUnit, Callable[[], datetime]] = {
        TimeLimitUnit.working_days: lambda: due_at(received_at, limit.amount, calendar, hours, tz),
        TimeLimitUnit.working_hours: lambda: add_working_hours(
            received_at, limit.amount * HOURS_PER_WORKING_DAY, calendar, hours, tz),
        TimeLimitUnit.calendar_days: lambda: _end_of_day_at(
            _calendar_days_due_on(received_at, limit.amount, calendar, hours, tz), hours, tz),
        TimeLimitUnit.same_day: lambda: _end_of_day_at(
            _same_day_due_on(received_at, calendar, hours, tz), hours, tz),
    }
    return compute[limit.unit]()


def _normalised(moment: datetime, calendar: WorkingCalendar, hours: OfficeHours,
                tz: ZoneInfo) -> tuple[date, time]:
    local = moment.astimezone(tz)
    if not calendar.is_working_day(local.date()):
        return calendar.next_working_day(local.date()), hours.opens_at
    return local.date(), max(local.time(), hours.opens_at)


def shift_working_days(moment: datetime, n: int, calendar: WorkingCalendar, hours: OfficeHours,
                       tz: ZoneInfo) -> datetime:
    """Return the same local time of day ``n`` working days after (``n < 0``: before) ``moment``.

    A moment on a day off counts as the opening of the next working day, one before opening time
    as that day's opening (as a reception would). The result is monotonic in ``moment`` and in
    ``n`` and, for ``n != 0`` or a ``moment`` on a working day, falls on a working day. For BPMN
    expressions (``add_working_days``), e.g. a warning one working day before the due time.

    :param moment: aware datetime.
    :param n: whole number of working days, any sign.
    :return: aware UTC datetime.
    :raises ValueError: if ``moment`` is naive.
    """
    _require_aware(moment, "moment")
    day, time_of_day = _normalised(moment, calendar, hours, tz)
    if n >= 0:
        day = calendar.add_working_days(day, n)
    for _ in range(-n):
        day = calendar.previous_working_day(day)
    return datetime.combine(day, time_of_day, tzinfo=tz).astimezone(UTC)


def working_days_from(a: datetime, b: datetime, calendar: WorkingCalendar, hours: OfficeHours,
                      tz: ZoneInfo) -> int:
    """Return the number of working days from ``a`` to ``b`` (negative when ``b`` is earlier).

    Counts the working days after ``a``'s day up to ``b``'s day, each moment first moved as in
    :func:`shift_working_days` (a day off counts as the next working day); times of day are
    ignored. Inverse of :func:`shift_working_days`: ``working_days_from(t, shift_working_days(t,
    n)) == n``.

    :raises ValueError: if ``a`` or ``b`` is naive.
    """
    _require_aware(a, "a")
    _require_aware(b, "b")
    return calendar.working_days_between(_normalised(a, calendar, hours, tz)[0],
                                         _normalised(b, calendar, hours, tz)[0])
