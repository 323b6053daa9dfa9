"""The whole household-business registration through HTTP, as a citizen and officers would click it."""
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, DossierStatus
from app.models.working_calendar import load_working_calendar
from app.services import deadlines
from app.services.external_tasks import run_due_external_tasks
from app.services.working_time import local_tz, office_hours
from tests.conftest import APPLICATION, post_form, sign_in_citizen, sign_in_officer

CODE = re.compile(r"^H54\.10\.01-\d{6}-0001$")


@dataclass
class Snapshot:
    """What the database says about the (only) dossier, read in a context of its own."""

    code: str
    status: DossierStatus
    work_items: dict[str, str]
    timers: dict[str, datetime]
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    events: list[tuple[str, dict]]
    expected_due_at: datetime | None


def snapshot(app) -> Snapshot:
    with app.app_context():
        d = db.session.scalar(select(Dossier))
        expected = (deadlines.due_at(d.received_at, 3, load_working_calendar(), office_hours(), local_tz())
                    if d.received_at else None)
        return Snapshot(d.code, d.status, {w.bpmn_id: w.task_id for w in d.work_items},
                        {t.bpmn_id: t.due_at for t in d.pending_timers}, d.received_at, d.due_at, d.finished_at,
                        [(e.kind, e.data) for e in d.events], expected)


def officer_completes(app, username: str, task: str, values: dict):
    client = app.test_client()
    sign_in_officer(client, username)
    response = post_form(client, f"/officer/work-items/{snapshot(app).work_items[task]}", values)
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():  # the result topics around the return run right after the commit, as the scheduler would
        run_due_external_tasks(datetime.now(UTC))
    return client


def test_household_business_registration_end_to_end(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert post_form(citizen, "/procedures/1.001612/apply", APPLICATION).status_code == 302
    s = snapshot(app)
    assert CODE.match(s.code) and s.status is DossierStatus.submitted
    assert list(s.work_items) == ["check_dossier"] and s.due_at is None and s.timers == {}

    officer_completes(app, "motcua.tohieu", "check_dossier",
                      {"reception_outcome": "supplement", "missing_items": "Biên bản họp thành viên hộ gia đình",
                       "supplement_reason": "Hộ gia đình cùng đăng ký"})
    s = snapshot(app)
    assert s.status is DossierStatus.awaiting_supplement and list(s.work_items) == ["submit_supplement"]
    page = citizen.get(f"/my-dossiers/{s.code}").get_data(as_text=True)
    assert "Biên bản họp thành viên hộ gia đình" in page and "Bổ sung, hoàn thiện hồ sơ" in page

    supplement_url = f"/my-dossiers/{s.code}/tasks/{s.work_items['submit_supplement']}"
    answer = {"supplement_note": "Đã bổ sung biên bản", "supplement_confirmation": "true"}
    assert post_form(citizen, supplement_url, answer).status_code == 303
    assert snapshot(app).status is DossierStatus.submitted

    officer_completes(app, "motcua.tohieu", "check_dossier", {"reception_outcome": "receive"})
    s = snapshot(app)
    assert s.status is DossierStatus.in_progress and s.due_at == s.expected_due_at
    assert list(s.work_items) == ["appraise_dossier"]
    assert set(s.timers) == {"timer_due_soon", "timer_overdue"} and s.timers["timer_overdue"] == s.due_at
    assert s.received_at <= s.timers["timer_due_soon"] < s.due_at

    officer_completes(app, "chuyenvien.tohieu", "appraise_dossier",
                      {"appraisal_opinion": "Hồ sơ hợp lệ, đủ điều kiện cấp.", "proposal": "approve",
                       "business_registration_number": "14A8000123"})
    assert list(snapshot(app).work_items) == ["approve_dossier"]
    officer_completes(app, "lanhdao.tohieu", "approve_dossier", {"decision": "approve"})
    s = snapshot(app)
    assert s.status is DossierStatus.handled and s.timers == {} and list(s.work_items) == ["return_result"]
    officer = officer_completes(app, "motcua.tohieu", "return_result", {"return_channel": "online"})

    s = snapshot(app)
    assert s.status is DossierStatus.result_returned and s.work_items == {} and s.finished_at is not None
    kinds = [kind for kind, _ in s.events]
    assert kinds.count("task_completed") == 6
    assert [k for k in kinds if k in ("submitted", "supplement_requested", "received")] == \
        ["submitted", "supplement_requested", "received"]
    assert [data["to"] for kind, data in s.events if kind == "status_changed"] == \
        ["awaiting_supplement", "submitted", "in_progress", "handled", "result_returned"]

    history = officer.get(f"/officer/dossiers/{s.code}").get_data(as_text=True)
    assert "Đã trả kết quả" in history and "Thẩm định hồ sơ" in history and "Nguyễn Văn An" in history
    mine = citizen.get("/my-dossiers").get_data(as_text=True)
    assert s.code in mine and "Đã trả kết quả" in mine
    assert f"{s.code}-KQ1" in citizen.get(f"/my-dossiers/{s.code}").get_data(as_text=True)  # the e-result code
    public = app.test_client().get(f"/lookup?code={s.code}").get_data(as_text=True)
    assert "Đã trả kết quả" in public
    assert "Nguyễn Văn An" not in public and "014090001234" not in public and "0912345678" not in public


def test_reception_refusal_ends_the_dossier(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    officer_completes(app, "motcua.tohieu", "check_dossier",
                      {"reception_outcome": "refuse", "refusal_reason": "Ngành nghề kinh doanh bị cấm."})
    s = snapshot(app)
    assert s.status is DossierStatus.not_received and s.work_items == {} and s.finished_at is not None
    assert ("reception_refused", {"refusal_reason": "Ngành nghề kinh doanh bị cấm."}) in s.events
    assert "Ngành nghề kinh doanh bị cấm." in citizen.get(f"/my-dossiers/{s.code}").get_data(as_text=True)


def test_second_supplement_request_is_refused_and_decisions_reach_the_citizen(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    officer_completes(app, "motcua.tohieu", "check_dossier",
                      {"reception_outcome": "supplement", "missing_items": "Văn bản ủy quyền",
                       "supplement_reason": "Nộp qua người được ủy quyền"})
    s = snapshot(app)
    post_form(citizen, f"/my-dossiers/{s.code}/tasks/{s.work_items['submit_supplement']}",
              {"supplement_note": "Đã nộp văn bản ủy quyền", "supplement_confirmation": "true"})

    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    recheck = f"/officer/work-items/{snapshot(app).work_items['check_dossier']}"
    page = officer.get(recheck).get_data(as_text=True)
    assert "Đã nộp văn bản ủy quyền" in page  # the citizen's answer is shown to the officer
    assert "checked" not in page.split('value="supplement"')[1][:40]  # the old answer is not pre-selected
    refused = post_form(officer, recheck, {"reception_outcome": "supplement", "missing_items": "Lần hai",
                                            "supplement_reason": "Lý do"})
    assert refused.status_code == 303
    assert "Chỉ được yêu cầu bổ sung" in officer.get(refused.headers["Location"]).get_data(as_text=True)
    assert snapshot(app).status is DossierStatus.submitted

    officer_completes(app, "motcua.tohieu", "check_dossier", {"reception_outcome": "receive"})
    officer_completes(app, "chuyenvien.tohieu", "appraise_dossier",
                      {"appraisal_opinion": "Tên hộ kinh doanh trùng tên đã đăng ký.", "proposal": "refuse"})
    leader = app.test_client()
    sign_in_officer(leader, "lanhdao.tohieu")
    approval = leader.get(f"/officer/work-items/{snapshot(app).work_items['approve_dossier']}")
    assert "Tên hộ kinh doanh trùng tên đã đăng ký." in approval.get_data(as_text=True)
    officer_completes(app, "lanhdao.tohieu", "approve_dossier",
                      {"decision": "refuse", "decision_reason": "Tên hộ kinh doanh bị trùng."})
    s = snapshot(app)
    assert ("decision_recorded", {"decision": "refuse", "reason": "Tên hộ kinh doanh bị trùng."}) in s.events
    mine = citizen.get(f"/my-dossiers/{s.code}").get_data(as_text=True)
    assert "từ chối giải quyết" in mine and "Tên hộ kinh doanh bị trùng." in mine
