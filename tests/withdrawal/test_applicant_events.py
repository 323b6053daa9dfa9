"""What the applicant sees of the return on "Hồ sơ của tôi": the early-return notice, how the result was returned,
and the e-result code (ND 118/2025 Art. 22; ND 45/2020 Art. 14.3); officers' bookkeeping stays hidden."""
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Dossier
from app.services.external_tasks import run_due_external_tasks
from tests.conftest import APPLICATION, post_form, sign_in_citizen, sign_in_officer


def _complete(app, username, bpmn_id, values):
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        task_id = next(w.task_id for w in dossier.work_items if w.bpmn_id == bpmn_id)
    officer = app.test_client()
    sign_in_officer(officer, username)
    assert post_form(officer, f"/officer/work-items/{task_id}", values).status_code == 303
    with app.app_context():
        run_due_external_tasks(datetime.now(UTC))


def test_the_applicant_sees_the_early_notice_the_return_channel_and_the_e_result_code(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    _complete(app, "motcua.tohieu", "check_dossier", {"reception_outcome": "receive"})
    _complete(app, "chuyenvien.tohieu", "appraise_dossier",
              {"appraisal_opinion": "Hồ sơ hợp lệ, đủ điều kiện cấp.", "proposal": "approve"})
    _complete(app, "lanhdao.tohieu", "approve_dossier", {"decision": "approve"})  # same day: before the appointment
    with app.app_context():
        code = db.session.scalar(select(Dossier)).code
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Thông báo trước cho tổ chức, cá nhân về việc trả kết quả sớm" in page
    assert "Cấp kết quả điện tử" not in page

    _complete(app, "motcua.tohieu", "return_result", {"return_channel": "counter", "recipient_name": "Nguyễn Văn An"})
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Trả kết quả" in page and "Trả tại Bộ phận Một cửa" in page
    assert "Cấp kết quả điện tử" in page and f"{code}-KQ1" in page
    assert "Nhận thông tin từ hệ thống liên quan" not in page  # internal bookkeeping is not shown
