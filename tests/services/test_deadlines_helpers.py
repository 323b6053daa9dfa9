"""BPMN expression helpers add_working_days, add_working_hours, working_days_between (legal.md §9.4)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import ExpressionError, scripts
from app.engine import lint as engine_lint
from app.extensions import db
from app.models.working_calendar import WorkingCalendarEntry, official_working_calendar
from app.services.expression_helpers import add_working_days, add_working_hours, working_days_between

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = official_working_calendar()
PROPERTY = settings(database=None, max_examples=300)


def test_add_working_days_keeps_the_time_of_day_and_returns_local_iso():
    assert add_working_days("2026-02-13T10:00:00+07:00", 1) == "2026-02-23T10:00:00+07:00"  # over Tết
    assert add_working_days("2026-08-21T03:00:00Z", 1) == "2026-08-22T10:00:00+07:00"  # make-up Saturday
    assert add_working_days(datetime(2026, 1, 9, 9, 0, tzinfo=TZ), 1) == "2026-01-10T09:00:00+07:00"


def test_add_working_days_backwards_gives_a_warning_time():
    assert add_working_days("2026-02-23T17:00:00+07:00", -1) == "2026-02-13T17:00:00+07:00"
    assert add_working_days("2026-01-05T17:00:00+07:00", -1) == "2025-12-31T17:00:00+07:00"  # 1–2/1 off


def test_a_moment_on_a_day_off_counts_from_the_next_opening():
    assert add_working_days("2026-03-14T21:00:00+07:00", 0) == "2026-03-16T07:30:00+07:00"
    assert add_working_days("2026-03-14T21:00:00+07:00", 1) == "2026-03-17T07:30:00+07:00"


def test_add_working_hours_across_a_weekend():
    assert add_working_hours("2026-03-13T15:00:00+07:00", 8) == "2026-03-16T13:30:00+07:00"
    assert add_working_hours("2026-03-13T15:00:00+07:00", "1.5") == "2026-03-13T16:30:00+07:00"


def test_working_days_between():
    assert working_days_between("2025-04-25T10:00:00+07:00", "2025-04-29T17:00:00+07:00") == 3
    assert working_days_between("2026-02-23T10:00:00+07:00", "2026-02-13T10:00:00+07:00") == -1
    assert working_days_between("2026-02-14T10:00:00+07:00", "2026-02-23T10:00:00+07:00") == 0


@pytest.mark.parametrize(("call", "message"), [
    (lambda: add_working_days("2026-02-13", 1), "no offset"),
    (lambda: add_working_days("2026-02-13T10:00:00", 1), "no offset"),
    (lambda: add_working_days("ngày mai", 1), "not an ISO 8601 date-time"),
    (lambda: add_working_days(None, 1), "expected an ISO 8601 date-time"),
    (lambda: add_working_days("2026-02-13T10:00:00+07:00", 1.5), "whole number"),
    (lambda: add_working_days("2026-02-13T10:00:00+07:00", "ba"), "not a number"),
    (lambda: add_working_hours("2026-02-13T10:00:00+07:00", -2), "must not be negative"),
    (lambda: working_days_between("2026-02-13T10:00:00+07:00", 5), "b: expected"),
])
def test_bad_arguments_give_expression_errors(call, message):
    with pytest.raises(ExpressionError, match=message):
        call()


# --- properties --------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(TZ))
steps = st.integers(min_value=-40, max_value=40)


def parsed(text: str) -> datetime:
    return datetime.fromisoformat(text)


@PROPERTY
@given(moments, steps, steps)
def test_add_working_days_is_monotonic_in_n(t, n1, n2):
    low, high = sorted((n1, n2))
    assert parsed(add_working_days(t, low)) <= parsed(add_working_days(t, high))


@PROPERTY
@given(moments, moments, steps)
def test_add_working_days_is_monotonic_in_the_start(t1, t2, n):
    early, late = sorted((t1, t2))
    assert parsed(add_working_days(early, n)) <= parsed(add_working_days(late, n))


@PROPERTY
@given(moments, steps)
def test_add_working_days_lands_on_a_working_day(t, n):
    result = parsed(add_working_days(t, n))
    assert result.utcoffset().total_seconds() == 7 * 3600
    assert CALENDAR.is_working_day(result.date())


@PROPERTY
@given(moments, steps)
def test_working_days_between_inverts_add_working_days(t, n):
    assert working_days_between(t, add_working_days(t, n)) == n


@PROPERTY
@given(moments, st.floats(min_value=0, max_value=100, allow_nan=False))
def test_add_working_hours_is_never_earlier(t, hours):
    assert parsed(add_working_hours(t, hours)) >= t.replace(microsecond=0)  # ISO to the second


# --- in the engine and the lint -----------------------------------------------------------------

def test_expressions_can_call_the_helpers(ctx):
    data = {"dossier_due_at": "2026-02-23T17:00:00+07:00", "received_at": "2026-02-12T09:00:00+07:00"}
    assert scripts.evaluate("${add_working_days(dossier_due_at, -1)}", data) == "2026-02-13T17:00:00+07:00"
    assert scripts.evaluate("${working_days_between(received_at, dossier_due_at) == 2}", data) is True
    assert scripts.evaluate("${add_working_hours(received_at, 8)}", data) == "2026-02-12T17:00:00+07:00"


def test_the_lint_knows_the_helpers(ctx):
    assert {"add_working_days", "add_working_hours", "working_days_between"} <= engine_lint.expression_functions()


def test_helpers_count_on_the_calendar_in_the_database(ctx):
    # An administrator adds a day off on Monday 16/3/2026: the helpers skip it at once.
    assert scripts.evaluate("${add_working_days(t, 1)}", {"t": "2026-03-13T09:00:00+07:00"}) == \
        "2026-03-16T09:00:00+07:00"
    db.session.add(WorkingCalendarEntry(on=date(2026, 3, 16), kind="public_holiday", name="Thử nghiệm",
                                        legal_basis="Thông báo thử", edited_by="quantri",
                                        edited_at=datetime.now(UTC)))
    db.session.flush()
    assert scripts.evaluate("${add_working_days(t, 1)}", {"t": "2026-03-13T09:00:00+07:00"}) == \
        "2026-03-17T09:00:00+07:00"
