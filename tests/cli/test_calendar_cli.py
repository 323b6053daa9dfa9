"""``flask calendar due``: the officers' deadline calculator (TT 21/2023 F5.4), printing only ISO 8601 +07:00."""
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency
from app.services import calendar_edits
from app.services.deadlines import OfficeHours


def due(app, *args):
    return app.test_cli_runner().invoke(args=["calendar", "due", *args])


@pytest.mark.parametrize(("args", "printed"), [
    # R119 vectors on the seeded calendar
    (["--received", "2025-04-25T10:00:00+07:00", "--working-days", "3"], "2025-04-29T17:00:00+07:00"),
    (["--received", "2025-12-31T14:00", "--working-days", "2"], "2026-01-06T17:00:00+07:00"),
    (["--received", "2026-02-13T15:30", "--working-days", "0"], "2026-02-23T17:00:00+07:00"),
    (["--received", "2026-08-21T02:00:00Z", "--working-days", "1"], "2026-08-22T17:00:00+07:00"),
    (["--received", "2026-08-26T09:00", "--working-days", "5"], "2026-09-07T17:00:00+07:00"),
    # the other units
    (["--received", "2026-02-13T15:30", "--unit", "same_day"], "2026-02-23T17:00:00+07:00"),
    (["--received", "2026-02-13T14:30", "--unit", "same_day"], "2026-02-13T17:00:00+07:00"),
    (["--received", "2026-02-10T10:00", "--unit", "calendar_days", "--limit", "5"], "2026-02-23T17:00:00+07:00"),
    (["--received", "2026-03-13T15:00", "--unit", "working_hours", "--limit", "1"], "2026-03-16T13:30:00+07:00"),
    (["--received", "2026-03-10T10:00", "--limit", "3"], "2026-03-13T17:00:00+07:00"),
    (["--received", "2026-03-14T22:00", "--working-days", "1"], "2026-03-17T17:00:00+07:00"),
])
def test_due_prints_only_the_iso_due_time(app, args, printed):
    result = due(app, *args)
    assert result.exit_code == 0, result.output
    assert result.output == printed + "\n"


def test_agency_office_hours_apply(app):
    with app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == "H54.10.02"))
        calendar_edits.set_office_hours(agency_id, OfficeHours(time(7, 0), time(16, 30), time(14, 0)),
                                        by="quantri", now=datetime.now(UTC))
        db.session.commit()
    args = ["--received", "2026-03-10T14:30", "--unit", "same_day"]
    assert due(app, *args, "--agency", "H54.10.02").output == "2026-03-11T16:30:00+07:00\n"
    assert due(app, *args, "--agency", "H54.10.01").output == "2026-03-10T17:00:00+07:00\n"  # default hours


@pytest.mark.parametrize(("args", "message"), [
    (["--received", "hôm qua", "--working-days", "3"], "is not an ISO 8601 date-time"),
    (["--received", "2026-03-10", "--working-days", "3"], "has no time of day"),
    (["--received", "2026-03-10T10:00", "--working-days", "-1"], "--working-days"),
    (["--received", "2026-03-10T10:00", "--working-days", "ba"], "--working-days"),
    (["--received", "2026-03-10T10:00"], "give the time limit"),
    (["--received", "2026-03-10T10:00", "--unit", "weeks", "--limit", "2"], "--unit"),
    (["--received", "2026-03-10T10:00", "--unit", "same_day", "--limit", "2"], "same_day takes no number"),
    (["--received", "2026-03-10T10:00", "--working-days", "3", "--limit", "3"], "not both"),
    (["--received", "2026-03-10T10:00", "--working-days", "3", "--agency", "H99"], "no agency has the code 'H99'"),
    (["--working-days", "3"], "--received"),
])
def test_bad_input_exits_2_with_a_clear_error(app, args, message):
    result = due(app, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.startswith("Usage:")  # no due time printed
