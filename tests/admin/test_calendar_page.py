"""The working calendar administration at /admin/calendar (R113–R116, R120), driven through HTTP."""
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Dossier, Officer
from app.models.working_calendar import (
    AgencyOfficeHours,
    WorkingCalendarChange,
    WorkingCalendarEntry,
    load_working_calendar,
)
from app.services import dossiers
from app.services.working_time import office_hours
from tests.conftest import csrf_token, post_form, sign_in_officer
from tests.services.test_dossiers import _file


def _entry(app, on: date) -> WorkingCalendarEntry | None:
    with app.app_context():
        entry = db.session.scalar(select(WorkingCalendarEntry).where(WorkingCalendarEntry.on == on))
        if entry is not None:
            db.session.expunge(entry)
        return entry


@pytest.mark.parametrize("url", ["/admin/calendar", "/admin/calendar/new", "/admin/calendar/office-hours"])
def test_officers_without_the_admin_role_get_403(app, url):
    client = app.test_client()
    sign_in_officer(client, "motcua.tohieu")
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app):
    response = app.test_client().get("/admin/calendar")
    assert response.status_code == 302 and "/officer/sign-in" in response.headers["Location"]


def test_year_page_lists_the_seeded_2026_calendar(admin):
    html = admin.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Lịch làm việc năm 2026" in html
    assert "Thứ Hai, 16/02/2026" in html and "Tết Nguyên đán Bính Ngọ" in html
    assert "Thứ Bảy, 10/01/2026" in html and "Ngày làm bù (thứ Bảy đi làm)" in html
    assert "Ngày nghỉ hoán đổi" in html and "Thông báo 9441/TB-BNV" in html
    assert "Chờ xác nhận — chưa áp dụng" in html  # 24/11/2026 (R114)
    assert 'name="csrf_token"' in html
    # 2026 proposals of the package are all entered (or wrong): only the dates not entered are proposed.
    assert "Thêm vào lịch" not in html


def test_a_new_year_shows_proposals_from_the_holidays_package(admin):
    html = admin.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "Chưa có ngày nào của năm 2027" in html
    assert "Đề xuất từ gói <code>holidays</code>" in html
    assert "01/01/2027" in html and "Thêm vào lịch" in html


def test_confirming_a_proposal_adds_it_with_legal_basis_and_editor(app, admin):
    form = admin.get("/admin/calendar/new?on=2027-01-01&kind=public_holiday&name=T%E1%BA%BFt+D%C6%B0%C6%A1ng+l%E1%BB%8Bch")
    html = form.get_data(as_text=True)
    assert 'value="2027-01-01"' in html and "Tết Dương lịch" in html and 'name="csrf_token"' in html
    response = post_form(admin, "/admin/calendar/new", {
        "on": "2027-01-01", "kind": "public_holiday", "name": "Tết Dương lịch",
        "legal_basis": "Thông báo 6150/TB-BNV"})
    assert response.status_code == 303
    entry = _entry(app, date(2027, 1, 1))
    assert entry.legal_basis == "Thông báo 6150/TB-BNV" and entry.edited_by == "quantri"
    assert not entry.pending_confirmation
    html = admin.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "quantri" in html and "Thêm" in html and "Lịch sử sửa đổi" in html
    assert "Thêm vào lịch</a></td>" in html  # other proposals remain; 01/01 is no longer proposed
    assert "on=2027-01-01" not in html and "on=2027-02-04" in html  # an entered date is no longer proposed


def test_legal_basis_is_required(app, admin):
    response = post_form(admin, "/admin/calendar/new", {"on": "2027-02-08", "kind": "public_holiday",
                                                        "name": "Tết", "legal_basis": ""},
                         token_url="/admin/calendar/new")
    assert response.status_code == 422
    assert "Hãy nhập căn cứ pháp lý" in response.get_data(as_text=True)
    assert _entry(app, date(2027, 2, 8)) is None


def test_make_up_day_must_be_a_weekend_day(app, admin):
    response = post_form(admin, "/admin/calendar/new", {"on": "2027-02-10", "kind": "makeup_working_day",
                                                        "name": "Làm bù", "legal_basis": "TB"})
    assert response.status_code == 422 and "thứ Bảy hoặc Chủ nhật" in response.get_data(as_text=True)


def test_a_date_already_in_the_calendar_is_refused(app, admin):
    response = post_form(admin, "/admin/calendar/new", {"on": "2026-02-16", "kind": "public_holiday",
                                                        "name": "Trùng", "legal_basis": "TB"})
    assert response.status_code == 422 and "đã có trong lịch" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app, admin):
    response = admin.post("/admin/calendar/new", data={"on": "2027-03-01", "kind": "public_holiday",
                                                       "name": "X", "legal_basis": "Y"})
    assert response.status_code == 400
    assert _entry(app, date(2027, 3, 1)) is None


def test_confirming_the_pending_culture_day_makes_it_count(app, admin):
    entry = _entry(app, date(2026, 11, 24))
    with app.app_context():
        assert load_working_calendar().is_working_day(date(2026, 11, 24))  # pending: not applied (R114)
    url = f"/admin/calendar/{entry.id}/edit"
    assert "Chờ xác nhận" in admin.get(url).get_data(as_text=True)
    response = post_form(admin, url, {"on": "2026-11-24", "kind": "public_holiday", "name": entry.name,
                                      "legal_basis": "Thông báo xác nhận của Bộ Nội vụ"})
    assert response.status_code == 303
    with app.app_context():
        assert not load_working_calendar().is_working_day(date(2026, 11, 24))
        change = db.session.scalars(select(WorkingCalendarChange).order_by(WorkingCalendarChange.id.desc())).first()
        assert (change.action, change.changed_by) == ("confirmed", "quantri")


def test_deleting_an_entry_is_recorded(app, admin):
    entry = _entry(app, date(2026, 4, 27))
    token = csrf_token(admin, "/admin/calendar?year=2026")
    response = admin.post(f"/admin/calendar/{entry.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert _entry(app, date(2026, 4, 27)) is None
    html = admin.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Xoá" in html and "27/04/2026: Ngày nghỉ bù" in html


def test_editing_the_calendar_never_moves_a_given_appointment(app, admin):
    """R120: a dossier received before the edit keeps its due time; one received after uses the new calendar."""
    received_at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # Tue 10/3/2026 10:00 local; 3 working days → Fri 13/3
    with app.app_context():
        dossier = _file(now=received_at)
        officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=officer,
                                    values={"reception_outcome": "receive"}, now=received_at)
        db.session.commit()
        dossier_id, due_before = dossier.id, dossier.due_at
        timers_before = sorted(t.due_at for t in dossier.pending_timers)
    assert due_before == datetime(2026, 3, 13, 10, 0, tzinfo=UTC)
    response = post_form(admin, "/admin/calendar/new", {"on": "2026-03-12", "kind": "public_holiday",
                                                        "name": "Ngày nghỉ đột xuất", "legal_basis": "TB thử"})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(Dossier, dossier_id)
        assert stored.due_at == due_before
        assert sorted(t.due_at for t in stored.pending_timers) == timers_before
        later = _file(now=received_at)
        dossiers.complete_work_item(later, later.work_items[0].task_id, actor=db.session.merge(officer),
                                    values={"reception_outcome": "receive"}, now=received_at)
        assert later.due_at == datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # 12/3 now off → Mon 16/3


def test_agency_office_hours_are_edited_and_used_at_reception(app, admin):
    with app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == "H54.10.01"))
    html = admin.get("/admin/calendar/office-hours").get_data(as_text=True)
    assert "H54.10.01" in html and "Giờ mặc định" in html
    url = f"/admin/calendar/office-hours/{agency_id}"
    bad = post_form(admin, url, {"own_hours": "y", "opens_at": "17:00", "closes_at": "07:00",
                                 "same_day_cutoff": "15:00"})
    assert bad.status_code == 422 and "Giờ mở cửa phải trước giờ đóng cửa" in bad.get_data(as_text=True)
    response = post_form(admin, url, {"own_hours": "y", "opens_at": "07:00", "closes_at": "16:30",
                                      "same_day_cutoff": "14:00"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(AgencyOfficeHours).where(AgencyOfficeHours.agency_id == agency_id))
        assert (row.opens_at, row.closes_at, row.edited_by) == (time(7, 0), time(16, 30), "quantri")
        received_at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
        dossier = _file(now=received_at)
        officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=officer,
                                    values={"reception_outcome": "receive"}, now=received_at)
        assert dossier.due_at == datetime(2026, 3, 13, 9, 30, tzinfo=UTC)  # 16:30 local, the agency's closing
    assert "16:30" in admin.get("/admin/calendar/office-hours").get_data(as_text=True)
    assert post_form(admin, url, {"opens_at": "07:00", "closes_at": "16:30",
                                  "same_day_cutoff": "14:00"}).status_code == 303  # unticked: back to default
    with app.app_context():
        assert office_hours(agency_id) == office_hours()
