"""After counter reception: the one-stop officer records what the applicant brings; the apology prints Mẫu 04."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.documents.slips import issue_documents, spoken_time
from app.extensions import db
from app.models import Officer
from app.models.working_calendar import load_working_calendar
from app.services.apologies import record_apology
from app.services.working_time import local_tz
from tests.conftest import post_form, sign_in_officer
from tests.reception.helpers import counter_app, file_at_counter, only_dossier, task_id_of


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "none"))


def test_one_stop_officer_records_the_supplement_of_a_counter_dossier(app):
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    task_id = task_id_of(file_at_counter(officer))
    post_form(officer, f"/officer/work-items/{task_id}", {
        "reception_outcome": "supplement", "missing_items": "Văn bản ủy quyền", "supplement_reason": "Nộp thay"})
    with app.app_context():
        dossier = only_dossier()
        assert dossier.status.name == "awaiting_supplement"
        item = next(w for w in dossier.work_items if "applicant" in w.groups)
        code, supplement_id = dossier.code, item.task_id
    page = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert f"/officer/work-items/{supplement_id}" in page  # "Ghi nhận thay người nộp"
    inbox = officer.get("/officer/").get_data(as_text=True)  # "Cần xử lý", found by the fresh-user trial
    assert f"/officer/work-items/{supplement_id}" in inbox
    specialist = app.test_client()
    sign_in_officer(specialist, "chuyenvien.tohieu")
    assert specialist.get(f"/officer/work-items/{supplement_id}").status_code == 403
    other = app.test_client()
    sign_in_officer(other, "motcua.chiengan")
    assert other.get(f"/officer/work-items/{supplement_id}").status_code == 403
    response = post_form(officer, f"/officer/work-items/{supplement_id}",
                         {"supplement_note": "Đã nộp văn bản ủy quyền tại quầy", "supplement_confirmation": "true"})
    assert response.status_code == 303
    with app.app_context():
        dossier = only_dossier()
        assert dossier.status.name == "submitted"
        assert [w.bpmn_id for w in dossier.work_items] == ["check_dossier"]


def test_the_apology_step_issues_the_apology_slip(app):
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    task_id = task_id_of(file_at_counter(officer))
    post_form(officer, f"/officer/work-items/{task_id}", {"reception_outcome": "receive"})
    with app.test_request_context():
        dossier = only_dossier()
        leader = db.session.scalar(select(Officer).where(Officer.username == "lanhdao.tohieu"))
        previous = dossier.due_at
        new_on = load_working_calendar().next_working_day(previous.astimezone(local_tz()).date()).isoformat()
        now = datetime.now(UTC)
        apology = record_apology(dossier, officer=leader, reason="Chờ ý kiến cơ quan thuế", new_appointment_on=new_on,
                                 now=now)
        issue_documents(dossier, "write_apology", {"apology_reason": "Chờ ý kiến cơ quan thuế",
                                                   "new_appointment_on": new_on}, actor=leader, now=now,
                        apology=apology)
        slip = dossier.slips[-1]
        assert slip.kind == "apology" and slip.number.endswith("/PXL")
        assert slip.data["reason"] == "Chờ ý kiến cơ quan thuế" and slip.data["signer_name"] == leader.full_name
        assert f"ngày {new_on[8:10]} tháng {new_on[5:7]} năm {new_on[:4]}" in slip.data["new_due"]
        assert slip.data["new_due"].startswith("17 giờ 00 phút")  # the office's closing time that day
        assert slip.data["original_due"] == spoken_time(previous) != slip.data["new_due"]  # the replaced appointment
