"""The whole household-business registration through HTTP, as citizen and officers would click it."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, DossierStatus
from app.models.working_calendar import load_working_calendar
from app.services import deadlines
from app.services.working_time import local_tz, office_hours
from tests.conftest import APPLICATION, post_form, sign_in_citizen, sign_in_officer

CODE = re.compile(r"^H54\.10\.01-\d{6}-0001$")


def _dossier() -> Dossier:
    db.session.expire_all()
    return db.session.scalar(select(Dossier))


def _work_item(name: str) -> str:
    return next(w.task_id for w in _dossier().work_items if w.bpmn_id == name)


def _officer_completes(client, username: str, task: str, values: dict):
    client.post("/officer/sign-out", data={"csrf_token": ""})  # refused without token: stays signed in as before
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    sign_in_officer(client, username)
    url = f"/officer/work-items/{_work_item(task)}"
    response = post_form(client, url, values)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def test_household_business_registration_end_to_end(app):
    citizen, officer = app.test_client(), app.test_client()
    sign_in_citizen(citizen, "014090001234")
    filed = post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    assert filed.status_code == 302
    dossier = _dossier()
    assert CODE.match(dossier.code) and dossier.status is DossierStatus.submitted
    assert [w.bpmn_id for w in dossier.work_items] == ["check_dossier"]
    assert dossier.due_at is None and dossier.pending_timers == []

    _officer_completes(officer, "motcua.tohieu", "check_dossier",
                       {"reception_outcome": "supplement", "missing_items": "Biên bản họp thành viên hộ gia đình"})
    dossier = _dossier()
    assert dossier.status is DossierStatus.awaiting_supplement
    assert [w.bpmn_id for w in dossier.work_items] == ["submit_supplement"]
    page = citizen.get(f"/my-dossiers/{dossier.code}").get_data(as_text=True)
    assert "Biên bản họp thành viên hộ gia đình" in page and "Bổ sung, hoàn thiện hồ sơ" in page

    supplement_url = f"/my-dossiers/{dossier.code}/tasks/{_work_item('submit_supplement')}"
    assert post_form(citizen, supplement_url, {"supplement_note": "Đã bổ sung biên bản",
                                               "supplement_confirmation": "true"}).status_code == 303
    assert _dossier().status is DossierStatus.submitted

    _officer_completes(officer, "motcua.tohieu", "check_dossier", {"reception_outcome": "receive"})
    dossier = _dossier()
    expected_due = deadlines.due_at(dossier.received_at, 3, load_working_calendar(), office_hours(), local_tz())
    assert dossier.status is DossierStatus.in_progress and dossier.due_at == expected_due
    assert [w.bpmn_id for w in dossier.work_items] == ["appraise_dossier"]
    assert {t.bpmn_id: t.due_at for t in dossier.pending_timers}["timer_overdue"] == expected_due
    assert {t.bpmn_id for t in dossier.pending_timers} == {"timer_due_soon", "timer_overdue"}

    _officer_completes(officer, "chuyenvien.tohieu", "appraise_dossier",
                       {"appraisal_opinion": "Hồ sơ hợp lệ, đủ điều kiện cấp.", "proposal": "approve",
                        "business_registration_number": "14A8000123"})
    assert [w.bpmn_id for w in _dossier().work_items] == ["approve_dossier"]
    _officer_completes(officer, "lanhdao.tohieu", "approve_dossier", {"decision": "approve"})
    dossier = _dossier()
    assert dossier.status is DossierStatus.handled and dossier.pending_timers == []
    _officer_completes(officer, "motcua.tohieu", "return_result", {"return_channel": "online"})

    dossier = _dossier()
    assert dossier.status is DossierStatus.result_returned and dossier.work_items == []
    assert dossier.finished_at is not None
    kinds = [e.kind for e in dossier.events]
    assert kinds.count("task_completed") == 6
    assert [k for k in kinds if k in ("submitted", "supplement_requested", "received")] == \
        ["submitted", "supplement_requested", "received"]
    assert [e.data["to"] for e in dossier.events if e.kind == "status_changed"] == \
        ["awaiting_supplement", "submitted", "in_progress", "handled", "result_returned"]

    public = app.test_client().get(f"/lookup?code={dossier.code}").get_data(as_text=True)
    assert "Đã trả kết quả" in public
    assert "Nguyễn Văn An" not in public and "014090001234" not in public and "0912345678" not in public


def test_reception_refusal_ends_the_dossier(app):
    citizen, officer = app.test_client(), app.test_client()
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    _officer_completes(officer, "motcua.tohieu", "check_dossier",
                       {"reception_outcome": "refuse", "refusal_reason": "Ngành nghề kinh doanh bị cấm."})
    dossier = _dossier()
    assert dossier.status is DossierStatus.not_received and dossier.work_items == []
    assert dossier.events[-2].kind == "reception_refused" or "reception_refused" in [e.kind for e in dossier.events]
    assert "Ngành nghề kinh doanh bị cấm." in citizen.get(f"/my-dossiers/{dossier.code}").get_data(as_text=True)
