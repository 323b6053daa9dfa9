"""Due chips in working time: hours when less than a working day is left, working days otherwise, holidays skipped."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.officer.inbox import WorkingClock
from app.services.deadlines import DayKind, OfficeHours, WorkingCalendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def clock(entries=None) -> WorkingClock:
    return WorkingClock(WorkingCalendar(entries or {}), OfficeHours(), TZ, warning_working_days=1)


@pytest.mark.parametrize("now, due, kind, text", [
    ("2026-11-30 12:00", "2026-11-30 17:00", "due_soon", "Còn 5 giờ làm việc"),           # Monday noon
    ("2026-11-27 16:00", "2026-11-30 10:00", "due_soon", "Còn 3 giờ làm việc"),           # over the weekend
    ("2026-11-30 12:00", "2026-12-02 17:00", "due", "Còn 2 ngày làm việc"),
    ("2026-11-30 16:50", "2026-11-30 17:00", "due_soon", "Còn 10 phút làm việc"),
    ("2026-11-30 10:00", "2026-11-27 17:00", "overdue", "Quá hạn 1 ngày làm việc"),       # due Friday evening
    ("2026-12-03 10:00", "2026-11-27 17:00", "overdue", "Quá hạn 4 ngày làm việc"),
    ("2026-11-30 17:30", "2026-11-30 17:00", "overdue", "Đã quá hạn"),                   # same evening
])
def test_chip_texts(now, due, kind, text):
    chip = clock().chip(at(due), at(now))
    assert (chip.kind, chip.text) == (kind, text)


def test_holidays_are_not_working_time():
    holiday = {datetime(2026, 11, 30).date(): DayKind.public_holiday}  # the Monday off
    assert clock(holiday).chip(at("2026-12-01 10:00"), at("2026-11-27 16:00")).text == "Còn 3 giờ làm việc"
    assert clock(holiday).chip(at("2026-11-27 17:00"), at("2026-12-01 10:00")).text == "Quá hạn 1 ngày làm việc"


def test_working_seconds_count_only_office_hours():
    seconds = clock().working_seconds_between(at("2026-11-27 08:00"), at("2026-11-30 08:00"))
    assert seconds == (9 * 3600) + 30 * 60  # Friday 08:00–17:00 plus Monday 07:30–08:00


def test_due_soon_period_in_working_hours_when_configured():
    hours = WorkingClock(WorkingCalendar({}), OfficeHours(), TZ, warning_working_days=1, warning_working_hours=4)
    assert hours.chip(at("2026-11-30 17:00"), at("2026-11-30 12:00")).kind == "due"       # 5 h left
    assert hours.chip(at("2026-11-30 17:00"), at("2026-11-30 13:30")).kind == "due_soon"  # 3.5 h left
