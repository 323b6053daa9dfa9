"""Time-limit units (legal.md §9.4 item 1; R117–R118): working days, working hours, calendar days, same day,
on the official 2025–2026 calendar, with night and weekend receptions."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.working_calendar import official_working_calendar
from app.services.deadlines import (
    OfficeHours,
    TimeLimit,
    TimeLimitError,
    TimeLimitUnit,
    add_working_hours,
    clock_start_at,
    due_at,
    due_for,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = official_working_calendar()
HOURS = OfficeHours()
PROPERTY = settings(database=None, max_examples=200)
WD, WH, CD, SD = TimeLimitUnit


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def due(received, amount, unit, hours=HOURS) -> datetime:
    return due_for(received, TimeLimit(amount, unit), CALENDAR, hours, TZ).astimezone(TZ)


# --- reading the process properties -------------------------------------------------------

@pytest.mark.parametrize(("props", "expected"), [
    ({"processing_working_days": "3"}, TimeLimit(3, WD)),
    ({"time_limit_unit": "working_days", "processing_working_days": "3"}, TimeLimit(3, WD)),
    ({"time_limit": "5"}, TimeLimit(5, WD)),
    ({"time_limit_unit": "working_hours", "time_limit": "2"}, TimeLimit(2, WH)),
    ({"time_limit_unit": "calendar_days", "time_limit": "15"}, TimeLimit(15, CD)),
    ({"time_limit_unit": "same_day"}, TimeLimit(0, SD)),
    ({"time_limit_unit": "same_day", "time_limit": "0"}, TimeLimit(0, SD)),
    ({"time_limit": " 7 ", "processing_working_days": "7"}, TimeLimit(7, WD)),
])
def test_time_limit_from_properties(props, expected):
    assert TimeLimit.from_properties(props) == expected


@pytest.mark.parametrize(("props", "message"), [
    ({"time_limit_unit": "weeks", "time_limit": "2"}, "time_limit_unit 'weeks' is not one of working_days"),
    ({"time_limit": "ba"}, "time_limit must be a whole number, not 'ba'"),
    ({"processing_working_days": "2.5"}, "processing_working_days must be a whole number"),
    ({"time_limit": "-1"}, "time_limit must be a whole number"),
    ({"time_limit_unit": "calendar_days"}, "time limit missing"),
    ({}, "time limit missing"),
    ({"time_limit": "3", "processing_working_days": "5"}, "disagree"),
    ({"time_limit_unit": "same_day", "time_limit": "2"}, "same_day takes no number"),
])
def test_bad_time_limit_properties_are_refused(props, message):
    with pytest.raises(TimeLimitError, match=message):
        TimeLimit.from_properties(props)


def test_labels_are_vietnamese():
    assert TimeLimit(3).label_vi == "3 ngày làm việc"
    assert TimeLimit(2, WH).label_vi == "16 giờ làm việc (2 ngày làm việc)"
    assert TimeLimit(15, CD).label_vi == "15 ngày"
    assert TimeLimit(0, SD).label_vi.startswith("Trong ngày")


# --- working days (the default) ---------------------------------------------------------------

def test_working_days_unit_is_due_at():
    received = local(2025, 4, 25, 10, 0)
    assert due(received, 3, WD) == due_at(received, 3, CALENDAR, HOURS, TZ)
    assert due(received, 3, WD) == local(2025, 4, 29, 17, 0)  # R119 (a): Sat 26/4/2025 is a make-up day


def test_tet_2026_dossier_received_before_tet():
    # Thu 12/2/2026: Fri 13/2 is day 1, then Tết Bính Ngọ (14–22/2) is skipped: days 2, 3 are 23, 24/2.
    assert due(local(2026, 2, 12, 9, 0), 3, WD) == local(2026, 2, 24, 17, 0)


def test_dossier_received_during_tet_counts_from_the_first_day_after():
    # An online submission on 18/2/2026 (Tết) counts from Mon 23/2: day 1 is Tue 24/2.
    assert due(local(2026, 2, 18, 10, 0), 1, WD) == local(2026, 2, 24, 17, 0)


def test_swapped_day_off_2_1_2026_and_make_up_saturday_10_1_2026():
    # Wed 31/12/2025: 1/1 holiday, 2/1 swapped day off, then Mon 5 … Fri 9/1, Sat 10/1 make-up day.
    assert due(local(2025, 12, 31, 9, 0), 6, WD) == local(2026, 1, 10, 17, 0)
    assert due(local(2025, 12, 31, 9, 0), 7, WD) == local(2026, 1, 12, 17, 0)


def test_ordinary_saturday_is_not_a_working_day():
    # Sat 29/8/2026 is not a make-up day; 31/8 swapped, 1–2/9 holidays.
    assert due(local(2026, 8, 28, 9, 0), 1, WD) == local(2026, 9, 3, 17, 0)


@pytest.mark.parametrize(("received", "due_on"), [
    (local(2026, 3, 6, 22, 30), date(2026, 3, 10)),   # Friday night → counts from Monday 9/3
    (local(2026, 3, 7, 10, 0), date(2026, 3, 10)),    # Saturday → Monday 9/3
    (local(2026, 3, 9, 6, 0), date(2026, 3, 10)),     # Monday before opening → Monday itself
    (local(2026, 3, 9, 17, 0), date(2026, 3, 11)),    # Monday at closing → Tuesday
])
def test_submissions_at_night_and_at_weekends(received, due_on):
    assert due(received, 1, WD) == datetime.combine(due_on, time(17, 0), tzinfo=TZ)


# --- same day and the 15:00 cut-off -----------------------------------------------------------

@pytest.mark.parametrize(("received", "expected"), [
    (local(2026, 3, 10, 14, 59), local(2026, 3, 10, 17, 0)),
    (local(2026, 3, 10, 15, 0), local(2026, 3, 10, 17, 0)),   # at 15:00 exactly: still the same day
    (local(2026, 3, 10, 15, 1), local(2026, 3, 11, 17, 0)),
    (local(2026, 3, 13, 16, 0), local(2026, 3, 16, 17, 0)),   # Friday afternoon → Monday
    (local(2026, 3, 14, 9, 0), local(2026, 3, 16, 17, 0)),    # Saturday → Monday
    (local(2026, 8, 21, 15, 30), local(2026, 8, 22, 17, 0)),  # → make-up Saturday 22/8/2026
    (local(2026, 2, 13, 15, 30), local(2026, 2, 23, 17, 0)),  # R119 (c): after Tết
])
def test_same_day_unit(received, expected):
    assert due(received, 0, SD) == expected
    assert due(received, 0, WD) == expected  # 0 working days is the legacy spelling


def test_same_day_cutoff_follows_the_agency_hours():
    early = OfficeHours(opens_at=time(7, 0), closes_at=time(16, 30), same_day_cutoff=time(14, 0))
    assert due(local(2026, 3, 10, 14, 30), 0, SD, early) == local(2026, 3, 11, 16, 30)


# --- calendar days (Civil Code Art. 147–148) -----------------------------------------------------

def test_calendar_days_count_weekends_and_holidays():
    # Mon 2/3/2026 + 10 days = Thu 12/3 (the weekend in between counts).
    assert due(local(2026, 3, 2, 10, 0), 10, CD) == local(2026, 3, 12, 17, 0)


def test_calendar_days_ending_on_a_holiday_roll_to_the_next_working_day():
    # Tue 10/2/2026 + 5 days = Sun 15/2, inside Tết → Mon 23/2.
    assert due(local(2026, 2, 10, 10, 0), 5, CD) == local(2026, 2, 23, 17, 0)
    # Fri 24/4/2026 + 3 days = Mon 27/4, compensatory day off for Hùng Kings → Tue 28/4.
    assert due(local(2026, 4, 24, 10, 0), 3, CD) == local(2026, 4, 28, 17, 0)


def test_calendar_days_over_a_holiday_are_shorter_than_working_days():
    received = local(2026, 4, 28, 10, 0)  # Tue; 30/4 and 1/5 are holidays
    assert due(received, 7, CD) == local(2026, 5, 5, 17, 0)
    assert due(received, 7, WD) == local(2026, 5, 11, 17, 0)


def test_calendar_days_may_end_on_a_make_up_saturday():
    # Sat 22/8/2026 is a working day: a period ending on it ends there.
    assert due(local(2026, 8, 19, 10, 0), 3, CD) == local(2026, 8, 22, 17, 0)


# --- working hours (N × 8 office hours from reception) ---------------------------------------------

def test_working_hours_within_one_day():
    assert add_working_hours(local(2026, 3, 10, 8, 0), 8, CALENDAR, HOURS, TZ) == local(2026, 3, 10, 16, 0)


def test_working_hours_end_exactly_at_closing():
    assert add_working_hours(local(2026, 3, 10, 9, 0), 8, CALENDAR, HOURS, TZ) == local(2026, 3, 10, 17, 0)


def test_working_hours_across_a_weekend():
    # Friday 15:00: 2 h on Friday, 6 h on Monday from 07:30 → Monday 13:30.
    assert add_working_hours(local(2026, 3, 13, 15, 0), 8, CALENDAR, HOURS, TZ) == local(2026, 3, 16, 13, 30)


def test_working_hours_submitted_on_saturday_night_start_on_monday_opening():
    assert add_working_hours(local(2026, 3, 14, 23, 0), 8, CALENDAR, HOURS, TZ) == local(2026, 3, 16, 15, 30)


def test_working_hours_across_tet_and_on_a_make_up_saturday():
    assert add_working_hours(local(2026, 2, 13, 16, 0), 4, CALENDAR, HOURS, TZ) == local(2026, 2, 23, 10, 30)
    assert add_working_hours(local(2026, 8, 21, 16, 0), 2, CALENDAR, HOURS, TZ) == local(2026, 8, 22, 8, 30)


def test_working_hours_unit_counts_n_times_8_hours():
    # 2 working days = 16 office hours from Tue 10:00: 7 h on Tuesday, 9 h on Wednesday (from 07:30).
    assert due(local(2026, 3, 10, 10, 0), 2, WH) == local(2026, 3, 11, 16, 30)
    assert due(local(2026, 3, 10, 10, 0), 3, WH) == local(2026, 3, 12, 15, 0)


def test_negative_working_hours_are_refused():
    with pytest.raises(ValueError, match="working_hours must not be negative"):
        add_working_hours(local(2026, 3, 10, 10, 0), -1, CALENDAR, HOURS, TZ)


@pytest.mark.parametrize(("received", "start"), [
    (local(2026, 3, 10, 10, 0), local(2026, 3, 10, 10, 0)),
    (local(2026, 3, 10, 6, 0), local(2026, 3, 10, 7, 30)),
    (local(2026, 3, 10, 18, 0), local(2026, 3, 11, 7, 30)),
    (local(2026, 2, 15, 10, 0), local(2026, 2, 23, 7, 30)),
])
def test_clock_start(received, start):
    assert clock_start_at(received, CALENDAR, HOURS, TZ) == start


# --- properties ------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20),
                       timezones=st.just(UTC))


@PROPERTY
@given(moments, st.floats(min_value=0, max_value=200, allow_nan=False), st.floats(min_value=0, max_value=200))
def test_working_hours_are_monotonic_and_inside_office_hours(start, h1, h2):
    low, high = sorted((h1, h2))
    a = add_working_hours(start, low, CALENDAR, HOURS, TZ)
    b = add_working_hours(start, high, CALENDAR, HOURS, TZ)
    assert a <= b
    local_b = b.astimezone(TZ)
    assert CALENDAR.is_working_day(local_b.date())
    assert HOURS.opens_at <= local_b.time() <= HOURS.closes_at


@PROPERTY
@given(moments, st.integers(min_value=1, max_value=120))
def test_working_hours_compose(start, hours):
    # Adding 5 h then the rest is adding everything at once.
    first = add_working_hours(start, 5, CALENDAR, HOURS, TZ)
    once = add_working_hours(start, 5 + hours, CALENDAR, HOURS, TZ)
    assert add_working_hours(first, hours, CALENDAR, HOURS, TZ) == once


@PROPERTY
@given(moments, st.integers(min_value=1, max_value=60), st.sampled_from([WD, CD]))
def test_every_unit_ends_at_closing_on_a_working_day(received, n, unit):
    result = due(received, n, unit)
    assert result.time() == HOURS.closes_at and CALENDAR.is_working_day(result.date())
    assert result > received + timedelta(hours=12)


@PROPERTY
@given(moments, st.integers(min_value=1, max_value=60))
def test_calendar_days_never_end_after_working_days(received, n):
    assert due(received, n, CD) <= due(received, n, WD)
