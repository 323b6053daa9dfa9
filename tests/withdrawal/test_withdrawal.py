"""Rút hồ sơ: the applicant asks to stop handling (online on "Hồ sơ của tôi", or at the counter through the one-stop),
the diagram moves to the one-stop's stop notice, Mẫu 05 is issued and the dossier stops (ND 118/2025 Art. 21;
TT 03/2025 Art. 7, Mẫu 05)."""
import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, DossierStatus
from app.services.external_tasks import run_due_external_tasks
from tests.conftest import APPLICATION, csrf_token, post_form, sign_in_citizen, sign_in_officer
from tests.reception.helpers import counter_app, file_at_counter

REASON = "Gia đình thay đổi địa điểm kinh doanh."


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "none"))


def _dossier(app) -> tuple[str, DossierStatus, dict[str, str], list[str]]:
    with app.app_context():
        d = db.session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()
        return d.code, d.status, {w.bpmn_id: w.task_id for w in d.work_items}, [e.kind for e in d.events]


def _officer(app, username="motcua.tohieu"):
    client = app.test_client()
    sign_in_officer(client, username)
    return client


def _complete(officer, task_id, values):
    """Complete a work item as ``officer``; the service tasks it starts run after the commit, as the scheduler's."""
    response = post_form(officer, f"/officer/work-items/{task_id}", values)
    with officer.application.app_context():
        run_due_external_tasks(datetime.now(UTC))
    assert response.status_code == 303, re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]*)', response.get_data(as_text=True))


def _pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def _online_received(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert post_form(citizen, "/procedures/1.001612/apply", APPLICATION).status_code in (302, 303)
    code, _, items, _ = _dossier(app)
    return citizen, code, items


def test_the_withdraw_button_appears_only_while_the_diagram_waits_for_it(app):
    citizen, code, items = _online_received(app)
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Rút hồ sơ" not in page  # not received yet: the handling part (and its boundary) is not active
    _complete(_officer(app), items["check_dossier"], {"reception_outcome": "receive"})
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Rút hồ sơ" in page and f"/my-dossiers/{code}/withdraw" in page


def test_a_citizen_withdraws_online_and_gets_the_stop_notice_mau_05(app):
    citizen, code, items = _online_received(app)
    officer = _officer(app)
    _complete(officer, items["check_dossier"], {"reception_outcome": "receive"})
    url = f"/my-dossiers/{code}/withdraw"
    # no confirmation, no reason, no CSRF token: refused, nothing changes
    assert post_form(citizen, url, {"reason": REASON}, token_url=f"/my-dossiers/{code}").status_code == 303
    assert post_form(citizen, url, {"confirm": "y"}, token_url=f"/my-dossiers/{code}").status_code == 303
    assert citizen.post(url, data={"reason": REASON, "confirm": "y"}).status_code == 400
    assert _dossier(app)[1] is DossierStatus.in_progress
    # someone else's dossier: not found
    other = app.test_client()
    sign_in_citizen(other, "014195004567")
    assert post_form(other, url, {"reason": REASON, "confirm": "y"}, token_url="/my-dossiers").status_code == 404

    response = post_form(citizen, url, {"reason": REASON, "confirm": "y"}, token_url=f"/my-dossiers/{code}")
    assert response.status_code == 303
    _, status, items, kinds = _dossier(app)
    assert status is DossierStatus.withdrawal_requested and list(items) == ["issue_stop_notice"]
    assert "withdrawal_requested" in kinds and "message_received" in kinds
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Đề nghị dừng giải quyết hồ sơ (rút hồ sơ)" in page and REASON in page
    assert "Rút hồ sơ</button>" not in page  # asked once: the diagram no longer waits for it

    _complete(officer, items["issue_stop_notice"], {"stop_notice_number": "01/TB-BPMC",
                                                     "stop_originals_returned": "true"})
    _, status, items, kinds = _dossier(app)
    assert status is DossierStatus.stopped and items == {} and "stop_notice_issued" in kinds
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Thông báo dừng giải quyết hồ sơ" in page and "Dừng xử lý" in page
    slip_url = re.search(rf'href="(/my-dossiers/{code}/slips/\d+\.pdf)">Thông báo về việc dừng', page).group(1)
    text = _pdf_text(citizen.get(slip_url).data)
    assert "THÔNG BÁO VỀ VIỆC DỪNG GIẢI QUYẾT HỒ SƠ" in text.upper()
    assert code in text and REASON in text and "Nguyễn Văn An" in text and "Mẫu 05" in text
    assert "dừng giải quyết hồ sơ" in text and "đã trả lại cho người nộp hồ sơ" in text
    assert "/TB-DGQ" in text


def test_a_decided_dossier_cannot_be_withdrawn(app):
    citizen, code, items = _online_received(app)
    officer = _officer(app)
    _complete(officer, items["check_dossier"], {"reception_outcome": "receive"})
    _complete(_officer(app, "chuyenvien.tohieu"), _dossier(app)[2]["appraise_dossier"],
              {"appraisal_opinion": "Hồ sơ hợp lệ, đủ điều kiện cấp.", "proposal": "approve", "business_registration_number": "14A8000123"})
    token = csrf_token(citizen, f"/my-dossiers/{code}")
    _complete(_officer(app, "lanhdao.tohieu"), _dossier(app)[2]["approve_dossier"], {"decision": "approve"})
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "Rút hồ sơ</button>" not in page
    citizen.post(f"/my-dossiers/{code}/withdraw", data={"csrf_token": token, "reason": REASON, "confirm": "y"})
    _, status, _, kinds = _dossier(app)
    assert status is DossierStatus.handled and "withdrawal_requested" not in kinds


def test_the_one_stop_records_a_counter_applicants_withdrawal(app):
    officer = _officer(app)
    file_at_counter(officer)
    code, _, items, _ = _dossier(app)
    _complete(officer, items["check_dossier"], {"reception_outcome": "receive"})
    page = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert f"/officer/dossiers/{code}/withdrawal" in page
    specialist = _officer(app, "chuyenvien.tohieu")
    assert f"/officer/dossiers/{code}/withdrawal" not in specialist.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    refused = post_form(specialist, f"/officer/dossiers/{code}/withdrawal", {"reason": REASON, "confirm": "y"},
                        token_url=f"/officer/dossiers/{code}")
    assert refused.status_code == 403 and _dossier(app)[1] is DossierStatus.in_progress

    response = post_form(officer, f"/officer/dossiers/{code}/withdrawal", {"reason": REASON, "confirm": "y"},
                         token_url=f"/officer/dossiers/{code}")
    assert response.status_code == 303
    _, status, items, _ = _dossier(app)
    assert status is DossierStatus.withdrawal_requested and list(items) == ["issue_stop_notice"]
    _complete(officer, items["issue_stop_notice"], {"stop_notice_number": "02/TB-BPMC",
                                                     "stop_fee_note": "Hoàn trả lệ phí 100.000 đồng."})
    code, status, _, kinds = _dossier(app)
    assert status is DossierStatus.stopped and "stop_notice_issued" in kinds
    with app.app_context():
        slip = next(s for s in db.session.scalar(select(Dossier).where(Dossier.code == code)).slips
                    if s.kind == "stop_notice")
        slip_id = slip.id
    text = _pdf_text(officer.get(f"/officer/dossiers/{code}/slips/{slip_id}.pdf").data)
    assert "Quàng Văn Dũng" in text and REASON in text and "Hoàn trả lệ phí 100.000 đồng." in text
