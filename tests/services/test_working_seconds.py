"""Seconds of office time (legal clock pauses R121, warnings R48, inbox chips): add, subtract and measure, on the
official 2025–2026 calendar and with an agency's own office hours."""
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.working_calendar import official_working_calendar
from app.services.deadlines import (
    OfficeHours,
    add_working_seconds,
    clock_end_at,
    clock_start_at,
    subtract_working_seconds,
    working_seconds_between,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = official_working_calendar()
HOURS = OfficeHours()
COMMUNE_HOURS = OfficeHours(opens_at=time(7, 0), closes_at=time(16, 30), same_day_cutoff=time(14, 30))
PROPERTY = settings(database=None, max_examples=200)
moments = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2026, 11, 30),
                       timezones=st.just(UTC)).map(lambda t: t.replace(microsecond=0))
spans = st.integers(min_value=0, max_value=30 * 9 * 3600)
office_hours = st.sampled_from([HOURS, COMMUNE_HOURS])


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_a_pause_over_a_weekend_counts_only_office_hours():
    # Friday 16:00 to Monday 08:30: one hour on Friday, one on Monday
    assert working_seconds_between(local(2026, 11, 27, 16), local(2026, 11, 30, 8, 30), CALENDAR, HOURS, TZ) == 7200


def test_tet_is_not_working_time():
    # Friday 13 Feb 2026 16:00 to Monday 23 Feb 09:00: Tết 14–22 Feb skipped
    seconds = working_seconds_between(local(2026, 2, 13, 16), local(2026, 2, 23, 9), CALENDAR, HOURS, TZ)
    assert seconds == 3600 + 90 * 60


def test_moving_an_appointment_by_a_pause_crosses_the_weekend():
    moved = add_working_seconds(local(2026, 11, 27, 16), 2 * 3600, CALENDAR, HOURS, TZ)
    assert moved.astimezone(TZ) == local(2026, 11, 30, 8, 30)


def test_a_warning_four_working_hours_before_monday_morning_falls_on_friday():
    warning = subtract_working_seconds(local(2026, 11, 30, 9), 4 * 3600, CALENDAR, HOURS, TZ)
    assert warning.astimezone(TZ) == local(2026, 11, 27, 14, 30)


def test_an_agency_with_earlier_hours_counts_its_own_office_time():
    moved = add_working_seconds(local(2026, 11, 27, 16), 2 * 3600, CALENDAR, COMMUNE_HOURS, TZ)
    assert moved.astimezone(TZ) == local(2026, 11, 30, 8, 30)  # 30 min Friday, 1.5 h from 07:00 Monday
    assert COMMUNE_HOURS.seconds_per_day == 9.5 * 3600


def test_negative_and_naive_input_is_refused():
    with pytest.raises(ValueError, match="seconds"):
        add_working_seconds(local(2026, 11, 27, 16), -1, CALENDAR, HOURS, TZ)
    with pytest.raises(ValueError, match="naive"):
        working_seconds_between(datetime(2026, 11, 27), local(2026, 11, 30), CALENDAR, HOURS, TZ)


@PROPERTY
@given(start=moments, seconds=spans, hours=office_hours)
def test_adding_then_measuring_gives_the_seconds_back(start, seconds, hours):
    end = add_working_seconds(start, seconds, CALENDAR, hours, TZ)
    assert working_seconds_between(clock_start_at(start, CALENDAR, hours, TZ), end, CALENDAR, hours, TZ) == seconds
    assert working_seconds_between(start, end, CALENDAR, hours, TZ) == seconds


@PROPERTY
@given(end=moments, seconds=spans, hours=office_hours)
def test_subtracting_then_measuring_gives_the_seconds_back(end, seconds, hours):
    start = subtract_working_seconds(end, seconds, CALENDAR, hours, TZ)
    assert start <= end
    assert working_seconds_between(start, end, CALENDAR, hours, TZ) == seconds


@PROPERTY
@given(start=moments, seconds=spans, hours=office_hours)
def test_subtract_undoes_add(start, seconds, hours):
    end = add_working_seconds(start, seconds, CALENDAR, hours, TZ)
    assert subtract_working_seconds(end, seconds, CALENDAR, hours, TZ) == clock_start_at(start, CALENDAR, hours, TZ)


@PROPERTY
@given(a=moments, b=moments, c=moments, hours=office_hours)
def test_measuring_is_additive_and_monotonic(a, b, c, hours):
    a, b, c = sorted((a, b, c))
    ab, bc = (working_seconds_between(a, b, CALENDAR, hours, TZ), working_seconds_between(b, c, CALENDAR, hours, TZ))
    assert working_seconds_between(a, c, CALENDAR, hours, TZ) == ab + bc
    assert working_seconds_between(c, a, CALENDAR, hours, TZ) == 0


@PROPERTY
@given(moment=moments, hours=office_hours)
def test_clock_bounds_fall_within_office_hours(moment, hours):
    for bound in (clock_start_at(moment, CALENDAR, hours, TZ), clock_end_at(moment, CALENDAR, hours, TZ)):
        local_bound = bound.astimezone(TZ)
        assert CALENDAR.is_working_day(local_bound.date())
        assert hours.opens_at <= local_bound.time() <= hours.closes_at
    assert clock_end_at(moment, CALENDAR, hours, TZ) <= moment <= clock_start_at(moment, CALENDAR, hours, TZ)
