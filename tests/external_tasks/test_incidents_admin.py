"""The administrators' incidents page: who may see it, what it shows, the retry button (CSRF, one transaction)."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Applicant, Incident, IncidentState, Procedure
from app.services import dossiers, external_tasks
from config import BASE_DIR
from tests.conftest import csrf_token, make_app, sign_in_citizen, sign_in_officer

DATA = BASE_DIR / "tests" / "data"


@pytest.fixture
def app():
    return make_app(PROCESSES_DIR=str(DATA), FORMS_DIR=str(DATA), EXTERNAL_TASK_RETRIES=0)


@pytest.fixture
def incident(app, monkeypatch):
    """A two-step dossier whose reminder service task failed: ``(incident id, dossier code)``."""
    def down(dossier, data, *, now):
        raise TimeoutError("Cổng SMS không phản hồi")

    monkeypatch.setitem(external_tasks._HANDLERS, "deadline_warning", down)
    with app.app_context():
        now = datetime.now(UTC)
        dossier = dossiers.submit_dossier(
            db.session.scalar(select(Procedure).where(Procedure.code == "T.0001")),
            applicant=db.session.scalar(select(Applicant)), now=now,
            handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
            application={"remind_at": (now - timedelta(seconds=1)).isoformat(), "reviewer": "chuyenvien.tohieu"})
        db.session.commit()
        external_tasks.run_due_external_tasks(now)
        found = (db.session.scalar(select(Incident.id)), dossier.code)
        db.session.remove()
    return found  # no context stays pushed: each test-client request gets its own, as in conftest's ``app``


def _incident_facts(app, incident_id: int) -> tuple:
    """``(state, resolution, resolved by (username), retried at)`` of the incident, read in a context of its own."""
    with app.app_context():
        found = db.session.get(Incident, incident_id)
        facts = (found.state, found.resolution, found.resolved_by.username if found.resolved_by else None,
                 found.retried_at)
        db.session.remove()
        return facts


@pytest.mark.parametrize("url", ["/admin/", "/admin/incidents"])
def test_admin_pages_need_a_signed_in_officer(app, url):
    assert app.test_client().get(url).headers["Location"].startswith("/officer/sign-in")
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert citizen.get(url).headers["Location"].startswith("/officer/sign-in")


@pytest.mark.parametrize("username", ["motcua.tohieu", "chuyenvien.tohieu", "lanhdao.tohieu"])
def test_only_a_system_administrator_may_see_or_retry(app, incident, username):
    incident_id, _ = incident
    officer = app.test_client()
    sign_in_officer(officer, username)
    assert officer.get("/admin/incidents").status_code == 403
    token = csrf_token(officer, "/officer/")
    assert officer.post(f"/admin/incidents/{incident_id}/retry", data={"csrf_token": token}).status_code == 403
    assert _incident_facts(app, incident_id) == (IncidentState.open, None, None, None)


def test_the_page_lists_open_incidents_and_the_retry_resolves_them(app, incident, monkeypatch):
    incident_id, code = incident
    admin = app.test_client()
    sign_in_officer(admin, "quantri")
    assert admin.get("/admin/").headers["Location"].endswith("/admin/incidents")
    page = admin.get("/admin/incidents").get_data(as_text=True)
    for shown in (code, "Thủ tục thử hai bước", "notify", "deadline_warning", "TimeoutError: Cổng SMS không phản hồi",
                  f"/admin/incidents/{incident_id}/retry", "Thử lại"):
        assert shown in page, shown

    token = csrf_token(admin, "/admin/incidents")
    assert admin.post(f"/admin/incidents/{incident_id}/retry").status_code == 400  # no CSRF token
    monkeypatch.setitem(external_tasks._HANDLERS, "deadline_warning", lambda dossier, data, *, now: {})
    response = admin.post(f"/admin/incidents/{incident_id}/retry", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/incidents")
    page = admin.get("/admin/incidents").get_data(as_text=True)
    assert "Đã yêu cầu chạy lại tác vụ notify" in page and "Đang chạy lại" in page

    with app.app_context():  # what the scheduler does after the commit
        assert external_tasks.run_due_external_tasks(datetime.now(UTC)) == 1
        db.session.remove()
    assert _incident_facts(app, incident_id)[:3] == (IncidentState.resolved, "retried", "quantri")
    page = admin.get("/admin/incidents").get_data(as_text=True)
    assert "Không có sự cố nào đang mở." in page and "Chạy lại thành công — Lê Minh Quân" in page

    again = admin.post(f"/admin/incidents/{incident_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "Sự cố này đã được xử lý." in again.get_data(as_text=True)
    assert admin.post("/admin/incidents/999/retry", data={"csrf_token": token}).status_code == 404
