"""``due_in_working_days`` counts in the version's time-limit unit and the handling agency's office hours; the scenario
app inherits the warning period in working hours."""
from datetime import UTC, datetime, time
from types import SimpleNamespace

from sqlalchemy import select

from app.extensions import db
from app.models import Agency
from app.models.working_calendar import AgencyOfficeHours
from app.scenarios.expectations import unmet
from app.scenarios.sandbox import inherited_settings

RECEIVED = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # Monday 09:00 in Sơn La


def dossier(catalogue: dict, due_at: datetime, agency_id: int | None = None):
    return SimpleNamespace(received_at=RECEIVED, due_at=due_at, handling_agency_id=agency_id,
                           process_version=SimpleNamespace(catalogue=catalogue))


def test_working_hours_versions_count_the_days_as_eight_working_hours(ctx):
    catalogue = {"time_limit_unit": "working_hours", "time_limit": "2"}
    due = datetime(2026, 6, 2, 8, 30, tzinfo=UTC)  # 16 working hours from Mon 09:00: 8 on Mon, 8 from Tue 07:30
    assert unmet(dossier(catalogue, due), {"due_in_working_days": 2}) == []
    end_of_day = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)  # what 2 working days would give: Wed 17:00
    [problem] = unmet(dossier(catalogue, end_of_day), {"due_in_working_days": 2})
    assert problem.startswith("due_in_working_days: wanted 16 giờ làm việc (2 ngày làm việc) after")


def test_same_day_versions_expect_zero(ctx):
    catalogue = {"time_limit_unit": "same_day", "time_limit": "0"}
    assert unmet(dossier(catalogue, datetime(2026, 6, 1, 10, 0, tzinfo=UTC)), {"due_in_working_days": 0}) == []


def test_the_handling_agencys_office_hours_are_used(ctx):
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    db.session.add(AgencyOfficeHours(agency_id=agency.id, opens_at=time(7), closes_at=time(16, 30),
                                     same_day_cutoff=time(14, 30), edited_by="test", edited_at=RECEIVED))
    db.session.flush()
    catalogue = {"time_limit_unit": "working_days", "time_limit": "1"}
    commune_close = datetime(2026, 6, 2, 9, 30, tzinfo=UTC)  # Tue 16:30 local
    assert unmet(dossier(catalogue, commune_close, agency.id), {"due_in_working_days": 1}) == []
    assert unmet(dossier(catalogue, commune_close), {"due_in_working_days": 1})  # default hours end at 17:00


def test_the_scenario_app_inherits_the_warning_period_in_working_hours():
    settings = inherited_settings({"DUE_WARNING_WORKING_HOURS": 4, "DUE_WARNING_WORKING_DAYS": 1, "SECRET_KEY": "x"})
    assert settings == {"DUE_WARNING_WORKING_HOURS": 4, "DUE_WARNING_WORKING_DAYS": 1}
