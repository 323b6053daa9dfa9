"""Working days and deadlines (legal.md §9, R113–R119), on the official 2025–2026 calendar."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.models.working_calendar import (
    OFFICIAL_CALENDAR_2025_2026,
    WorkingCalendarEntry,
    load_working_calendar,
    official_working_calendar,
    propose_entries_from_holidays_package,
    seed_official_calendar,
)
from app.services.deadlines import (
    DayKind,
    OfficeHours,
    WorkingCalendar,
    due_at,
    reception_on,
    warning_at,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = official_working_calendar()
HOURS = OfficeHours()
# No example database: keep the repository free of a .hypothesis/ folder.
PROPERTY = settings(database=None, max_examples=200)


def local_at(*args) -> datetime:
    """Aware UTC datetime of a local Asia/Ho_Chi_Minh wall-clock time."""
    return datetime(*args, tzinfo=TZ).astimezone(UTC)


def end_of(day: date) -> datetime:
    """Aware UTC datetime of the default closing time (17:00 local) on ``day``."""
    return datetime.combine(day, time(17, 0), tzinfo=TZ).astimezone(UTC)


R119_VECTORS = [
    pytest.param(local_at(2025, 4, 25, 10, 0), 3, date(2025, 4, 29), id="a-makeup-saturday-26-4-2025"),
    pytest.param(local_at(2025, 12, 31, 14, 0), 2, date(2026, 1, 6), id="b-new-year-2026-swap"),
    pytest.param(local_at(2026, 2, 13, 15, 30), 0, date(2026, 2, 23), id="c-same-day-after-15h-before-tet"),
    pytest.param(local_at(2026, 8, 21, 9, 0), 1, date(2026, 8, 22), id="d-makeup-saturday-22-8-2026"),
    pytest.param(local_at(2026, 8, 26, 9, 0), 5, date(2026, 9, 7), id="e-national-day-2026"),
]


@pytest.mark.parametrize(("received_at", "working_days", "due_on"), R119_VECTORS)
def test_r119_vectors(received_at, working_days, due_on):
    assert due_at(received_at, working_days, CALENDAR, HOURS, TZ) == end_of(due_on)


def test_due_at_is_aware_utc_at_local_closing_time():
    result = due_at(local_at(2025, 4, 25, 10, 0), 3, CALENDAR, HOURS, TZ)
    assert result.tzinfo is UTC
    assert result == datetime(2025, 4, 29, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2026, 2, d) for d in range(14, 23)], ids=str)
def test_tet_2026_is_nine_days_off(day):
    assert not CALENDAR.is_working_day(day)


def test_tet_2026_one_working_day_dossier_waits_until_after_tet():
    assert due_at(local_at(2026, 2, 13, 10, 0), 1, CALENDAR, HOURS, TZ) == end_of(date(2026, 2, 23))


def test_2_jan_2026_is_a_swapped_day_off():
    assert not CALENDAR.is_working_day(date(2026, 1, 2))
    assert CALENDAR.next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    assert due_at(local_at(2025, 12, 31, 9, 0), 1, CALENDAR, HOURS, TZ) == end_of(date(2026, 1, 5))


@pytest.mark.parametrize(("day", "working"), [
    pytest.param(date(2025, 4, 26), True, id="makeup-2025-04-26"),
    pytest.param(date(2026, 1, 10), True, id="makeup-2026-01-10"),
    pytest.param(date(2026, 8, 22), True, id="makeup-2026-08-22"),
    pytest.param(date(2026, 8, 29), False, id="plain-saturday-2026-08-29"),
    pytest.param(date(2026, 1, 3), False, id="plain-saturday-2026-01-03"),
    pytest.param(date(2025, 5, 2), False, id="swapped-2025-05-02"),
    pytest.param(date(2026, 8, 31), False, id="swapped-2026-08-31"),
    pytest.param(date(2026, 4, 27), False, id="compensatory-2026-04-27"),
    pytest.param(date(2026, 11, 24), True, id="pending-culture-day-not-applied"),
])
def test_holiday_boundaries(day, working):
    assert CALENDAR.is_working_day(day) is working


def test_makeup_saturday_counts_in_working_days_between():
    assert CALENDAR.working_days_between(date(2026, 1, 9), date(2026, 1, 12)) == 2


@pytest.mark.parametrize(("received_at", "due_on"), [
    pytest.param(local_at(2025, 4, 28, 6, 0), date(2025, 4, 28), id="before-opening-same-day"),
    pytest.param(local_at(2025, 4, 28, 14, 59), date(2025, 4, 28), id="14h59-same-day"),
    pytest.param(local_at(2025, 4, 28, 15, 0), date(2025, 4, 28), id="15h00-same-day"),
    pytest.param(local_at(2025, 4, 28, 15, 0, 1), date(2025, 4, 29), id="15h00m01-next-day"),
    pytest.param(local_at(2025, 4, 29, 16, 30), date(2025, 5, 5), id="after-cutoff-before-holidays"),
    pytest.param(local_at(2025, 4, 26, 10, 0), date(2025, 4, 26), id="makeup-saturday-same-day"),
    pytest.param(local_at(2025, 4, 27, 10, 0), date(2025, 4, 28), id="sunday-next-monday"),
])
def test_same_day_procedure_cutoff(received_at, due_on):
    assert due_at(received_at, 0, CALENDAR, HOURS, TZ) == end_of(due_on)


def test_same_day_cutoff_is_configurable():
    late_hours = OfficeHours(same_day_cutoff=time(16, 0))
    received_at = local_at(2025, 4, 28, 15, 30)
    assert due_at(received_at, 0, CALENDAR, late_hours, TZ) == end_of(date(2025, 4, 28))


@pytest.mark.parametrize(("received_at", "expected_on"), [
    pytest.param(local_at(2025, 4, 28, 16, 59), date(2025, 4, 28), id="before-closing"),
    pytest.param(local_at(2025, 4, 28, 17, 0), date(2025, 4, 29), id="at-closing"),
    pytest.param(local_at(2025, 4, 25, 18, 0), date(2025, 4, 26), id="friday-evening-makeup-saturday"),
    pytest.param(local_at(2026, 3, 8, 10, 0), date(2026, 3, 9), id="sunday"),
    pytest.param(local_at(2026, 2, 15, 10, 0), date(2026, 2, 23), id="during-tet"),
    pytest.param(datetime(2026, 3, 8, 20, 0, tzinfo=UTC), date(2026, 3, 9), id="utc-sunday-is-local-monday"),
])
def test_reception_on(received_at, expected_on):
    assert reception_on(received_at, CALENDAR, HOURS, TZ) == expected_on


def test_sunday_submission_counts_from_monday():
    assert due_at(local_at(2026, 3, 8, 10, 0), 1, CALENDAR, HOURS, TZ) == end_of(date(2026, 3, 10))


def test_submission_after_closing_counts_from_next_working_day():
    assert due_at(local_at(2026, 3, 10, 17, 30), 2, CALENDAR, HOURS, TZ) == end_of(date(2026, 3, 13))


@pytest.mark.parametrize("call", [
    pytest.param(lambda: due_at(datetime(2025, 4, 25, 10, 0), 3, CALENDAR, HOURS, TZ), id="due_at"),
    pytest.param(lambda: reception_on(datetime(2025, 4, 25, 10, 0), CALENDAR, HOURS, TZ), id="reception_on"),
    pytest.param(lambda: warning_at(datetime(2025, 4, 29, 17, 0), CALENDAR, HOURS, TZ), id="warning_at"),
])
def test_naive_datetime_is_refused(call):
    with pytest.raises(ValueError, match="naive"):
        call()


@pytest.mark.parametrize("call", [
    pytest.param(lambda: due_at(local_at(2025, 4, 25, 10, 0), -1, CALENDAR, HOURS, TZ), id="due_at"),
    pytest.param(lambda: CALENDAR.add_working_days(date(2025, 4, 25), -1), id="add_working_days"),
    pytest.param(lambda: warning_at(end_of(date(2025, 4, 29)), CALENDAR, HOURS, TZ, -1), id="warning_at"),
])
def test_negative_working_days_are_refused(call):
    with pytest.raises(ValueError, match="negative"):
        call()


def test_office_hours_must_be_ordered():
    with pytest.raises(ValueError, match="opens_at"):
        OfficeHours(opens_at=time(17, 0), closes_at=time(7, 30))


def test_unknown_day_kind_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar({date(2026, 1, 1): "bank_holiday"})


def test_calendar_accepts_kind_values_and_is_read_only():
    calendar = WorkingCalendar({date(2026, 1, 2): "swapped_day_off"})
    assert calendar.entries[date(2026, 1, 2)] is DayKind.swapped_day_off
    with pytest.raises(TypeError):
        calendar.entries[date(2026, 1, 5)] = DayKind.public_holiday


@pytest.mark.parametrize(("due_on", "warn_on"), [
    pytest.param(date(2025, 4, 29), date(2025, 4, 28), id="plain-weekday"),
    pytest.param(date(2026, 2, 23), date(2026, 2, 13), id="after-tet"),
    pytest.param(date(2025, 4, 28), date(2025, 4, 26), id="makeup-saturday"),
])
def test_warning_is_one_working_day_before(due_on, warn_on):
    assert warning_at(end_of(due_on), CALENDAR, HOURS, TZ) == end_of(warn_on)


def test_warning_with_zero_days_is_the_due_time():
    assert warning_at(end_of(date(2025, 4, 29)), CALENDAR, HOURS, TZ, 0) == end_of(date(2025, 4, 29))


def test_official_calendar_matches_legal_md_9_2():
    by_kind = {kind: sorted(e.on for e in OFFICIAL_CALENDAR_2025_2026 if e.kind is kind) for kind in DayKind}
    assert by_kind[DayKind.makeup_working_day] == [date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]
    assert by_kind[DayKind.swapped_day_off] == [date(2025, 5, 2), date(2026, 1, 2), date(2026, 8, 31)]
    assert by_kind[DayKind.compensatory_day_off] == [date(2026, 4, 27)]
    assert len(by_kind[DayKind.public_holiday]) == 22
    assert [e.on for e in OFFICIAL_CALENDAR_2025_2026 if e.pending_confirmation] == [date(2026, 11, 24)]


def test_official_entries_are_unique_and_fall_on_the_right_weekdays():
    days = [e.on for e in OFFICIAL_CALENDAR_2025_2026]
    assert len(days) == len(set(days))
    for entry in OFFICIAL_CALENDAR_2025_2026:
        expected_saturday = entry.kind is DayKind.makeup_working_day
        assert (entry.on.weekday() == 5) is expected_saturday, entry
        assert entry.legal_basis, entry


def _official_days_off(year):
    return {e.on for e in OFFICIAL_CALENDAR_2025_2026
            if e.on.year == year and e.kind is not DayKind.makeup_working_day}


def _proposed(year, makeup):
    return {p["on"] for p in propose_entries_from_holidays_package(year)
            if (p["kind"] is DayKind.makeup_working_day) is makeup}


def test_holidays_package_proposals_match_2025_exactly():
    assert _proposed(2025, makeup=False) == _official_days_off(2025)
    assert _proposed(2025, makeup=True) == {date(2025, 4, 26)}


def test_holidays_package_proposals_for_2026_show_its_known_gaps():
    assert _official_days_off(2026) - _proposed(2026, makeup=False) == {date(2026, 1, 2)}
    assert _proposed(2026, makeup=False) - _official_days_off(2026) == set()
    assert _proposed(2026, makeup=True) == {date(2026, 8, 22)}


def test_holidays_package_proposals_are_pending_and_typed():
    proposals = {p["on"]: p for p in propose_entries_from_holidays_package(2026)}
    assert all(p["pending_confirmation"] for p in proposals.values())
    assert proposals[date(2026, 4, 27)]["kind"] is DayKind.compensatory_day_off
    assert proposals[date(2026, 8, 31)]["kind"] is DayKind.swapped_day_off
    assert proposals[date(2026, 11, 24)]["kind"] is DayKind.public_holiday


def test_seed_is_idempotent_and_load_skips_pending_entries():
    engine = create_engine("sqlite://")
    WorkingCalendarEntry.__table__.create(engine)
    with Session(engine) as session:
        assert len(seed_official_calendar(session=session)) == len(OFFICIAL_CALENDAR_2025_2026)
        assert seed_official_calendar(edited_by="admin", session=session) == []
        count = session.scalar(select(func.count()).select_from(WorkingCalendarEntry))
        assert count == len(OFFICIAL_CALENDAR_2025_2026)
        assert load_working_calendar(session=session) == CALENDAR
    engine.dispose()


# --- properties ---------------------------------------------------------------------------

start_days = st.dates(min_value=date(2024, 12, 1), max_value=date(2027, 1, 31))
counts = st.integers(min_value=0, max_value=60)
random_calendars = st.dictionaries(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 3, 31)), st.sampled_from(DayKind), max_size=40,
).map(WorkingCalendar)
calendars = st.one_of(st.just(CALENDAR), random_calendars)


@PROPERTY
@given(calendars, start_days, counts, counts)
def test_add_working_days_is_monotonic_in_n(calendar, start_on, n1, n2):
    low, high = sorted((n1, n2))
    assert calendar.add_working_days(start_on, low) <= calendar.add_working_days(start_on, high)
    # Strict from n=1 on: n=0 and n=1 meet when start_on is not a working day.
    if 1 <= low < high:
        assert calendar.add_working_days(start_on, low) < calendar.add_working_days(start_on, high)


@PROPERTY
@given(calendars, start_days, counts)
def test_add_working_days_lands_on_a_working_day(calendar, start_on, n):
    assert calendar.is_working_day(calendar.add_working_days(start_on, n))


@PROPERTY
@given(calendars, start_days, st.integers(min_value=1, max_value=60))
def test_working_days_between_inverts_add_working_days(calendar, start_on, n):
    assert calendar.working_days_between(start_on, calendar.add_working_days(start_on, n)) == n


@PROPERTY
@given(calendars, start_days)
def test_zero_working_days_is_the_first_working_day_from_start(calendar, start_on):
    result = calendar.add_working_days(start_on, 0)
    assert calendar.working_days_between(start_on, result) == (0 if calendar.is_working_day(start_on) else 1)


@PROPERTY
@given(calendars, start_days, start_days)
def test_working_days_between_is_antisymmetric(calendar, a, b):
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)


@PROPERTY
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)),
       st.integers(min_value=1, max_value=30))
def test_due_at_ends_a_working_day_after_reception(received_at, working_days):
    result = due_at(received_at, working_days, CALENDAR, HOURS, TZ).astimezone(TZ)
    assert result.time() == HOURS.closes_at
    assert CALENDAR.is_working_day(result.date())
    assert result > received_at + timedelta(hours=12)
    start_on = reception_on(received_at, CALENDAR, HOURS, TZ)
    assert CALENDAR.working_days_between(start_on, result.date()) == working_days
