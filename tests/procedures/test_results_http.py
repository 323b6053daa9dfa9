"""Returning results through HTTP: the channel chosen on the return form, e-result codes <code>-KQ<n>, originals
given back and the early-return notice, on the copy-certification and construction-permit procedures."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, DossierStatus
from app.services.external_tasks import run_due_external_tasks
from app.services.results import ReturnChannelError, is_early, record_result_return
from tests.conftest import post_form, sign_in_citizen, sign_in_officer

IDENTITY = {"applicant_full_name": "Nguyễn Văn An", "applicant_birth_date": "1990-03-12",
            "applicant_personal_id": "014090001234", "applicant_phone": "0912345678",
            "applicant_email": "an.nguyen@example.vn", "applicant_address": "Tổ 3, phường Tô Hiệu, tỉnh Sơn La"}
COPY_APPLICATION = {**IDENTITY, "handling_agency_code": "H54.10.01",
                    "original_document_name": "Bằng tốt nghiệp trung học phổ thông", "pages_per_copy": "5",
                    "copies": "3", "commitment": "true"}
PERMIT_APPLICATION = {**IDENTITY, "handling_agency_code": "H54.10.01", "site_address": "Tổ 5, phường Tô Hiệu",
                      "land_parcel": "Thửa 12, tờ bản đồ 3", "land_certificate_number": "DA 123456",
                      "floor_count": "2", "building_area_m2": "80", "total_floor_area_m2": "160",
                      "commitment": "true"}


def file(app, code: str, application: dict) -> str:
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert post_form(citizen, f"/procedures/{code}/apply", application).status_code == 302
    with app.app_context():
        return db.session.scalars(select(Dossier.code).order_by(Dossier.id.desc())).first()


def work_item(app, dossier_code: str, bpmn_id: str) -> str:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == dossier_code))
        return next(w.task_id for w in dossier.work_items if w.bpmn_id == bpmn_id)


def complete(app, username: str, dossier_code: str, bpmn_id: str, values: dict):
    """Complete a work item as an officer through the form page; then run the service tasks it started."""
    officer = app.test_client()
    sign_in_officer(officer, username)
    response = post_form(officer, f"/officer/work-items/{work_item(app, dossier_code, bpmn_id)}", values)
    with app.app_context():
        run_due_external_tasks(datetime.now(UTC))
    return officer, response


def events(app, dossier_code: str) -> list[tuple[str, dict]]:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == dossier_code))
        return [(e.kind, e.data) for e in dossier.events]


def status(app, dossier_code: str) -> DossierStatus:
    with app.app_context():
        return db.session.scalar(select(Dossier.status).where(Dossier.code == dossier_code))


def certified_copy(app) -> str:
    """A copy-certification dossier filed, received, compared and signed: waiting at *Trả kết quả*."""
    code = file(app, "2.000815", COPY_APPLICATION)
    complete(app, "motcua.tohieu", code, "check_dossier", {"reception_outcome": "receive"})
    complete(app, "chuyenvien.tohieu", code, "compare_copies",
             {"appraisal_opinion": "Bản sao đúng với bản chính.", "proposal": "approve",
              "certification_register_number": "125/2026/SCT-BS"})
    complete(app, "lanhdao.tohieu", code, "sign_certification", {"decision": "approve"})
    assert status(app, code) is DossierStatus.handled
    return code


def test_the_result_returned_at_the_counter_gets_its_e_result_code_and_the_originals_are_recorded(app):
    code = certified_copy(app)
    officer, response = complete(app, "motcua.tohieu", code, "return_result",
                                 {"return_channel": "counter", "recipient_name": "Nguyễn Văn An",
                                  "originals_returned": "true"})
    assert response.status_code == 303
    assert status(app, code) is DossierStatus.result_returned
    history = events(app, code)
    assert ("result_returned", {"channel": "counter", "recipient_name": "Nguyễn Văn An"}) in history
    assert ("e_result_issued", {"code": f"{code}-KQ1", "name": "Bản sao được chứng thực từ bản chính",
                                "channel": "counter"}) in history
    assert ("originals_returned", {"channel": "counter"}) in history
    page = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert f"{code}-KQ1" in page and "Trả tại Bộ phận Một cửa" in page and "Trả lại bản chính giấy tờ" in page


def test_return_by_post_requires_the_tracking_number_and_records_it(app):
    code = certified_copy(app)
    officer, response = complete(app, "motcua.tohieu", code, "return_result", {"return_channel": "post"})
    assert response.status_code == 400 and "Số hiệu bưu gửi" in response.get_data(as_text=True)
    assert status(app, code) is DossierStatus.handled
    complete(app, "motcua.tohieu", code, "return_result",
             {"return_channel": "post", "postal_tracking_number": "EL123456789VN"})
    assert status(app, code) is DossierStatus.result_returned
    assert ("result_returned", {"channel": "post", "postal_tracking_number": "EL123456789VN"}) in events(app, code)
    assert "originals_returned" not in [kind for kind, _ in events(app, code)]
    page = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "qua dịch vụ bưu chính (số hiệu bưu gửi EL123456789VN)" in page


def test_e_result_numbers_count_within_each_dossier(app):
    first, second = certified_copy(app), certified_copy(app)
    for code in (first, second):
        complete(app, "motcua.tohieu", code, "return_result", {"return_channel": "online"})
    codes = {code: [d["code"] for kind, d in events(app, code) if kind == "e_result_issued"] for code in (first, second)}
    assert codes == {first: [f"{first}-KQ1"], second: [f"{second}-KQ1"]}
    with app.app_context():  # a corrected result issued later (ND 118/2025 Art. 23) is the dossier's second
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == first))
        out = record_result_return(dossier, {"return_channel": "online"}, now=datetime.now(UTC))
        db.session.commit()
    assert out["e_result_code"] == f"{first}-KQ2"
    assert [d["code"] for kind, d in events(app, first) if kind == "e_result_issued"] == [f"{first}-KQ1", f"{first}-KQ2"]


def test_an_unknown_return_channel_is_refused_by_the_handler(ctx):
    dossier = Dossier(code="H54.10.01-260601-0009")
    with pytest.raises(ReturnChannelError, match="return_channel"):
        record_result_return(dossier, {"return_channel": "pigeon"}, now=datetime.now(UTC))


def test_a_permit_ready_before_its_appointment_day_is_announced_before_it_is_returned(app):
    code = file(app, "1.009974", PERMIT_APPLICATION)
    complete(app, "motcua.tohieu", code, "check_dossier", {"reception_outcome": "receive"})
    complete(app, "chuyenvien.tohieu", code, "site_inspection", {
        "inspection_at": "2026-06-03T08:30", "inspection_place": "Thửa 12, tờ bản đồ 3",
        "inspection_participants": "Chuyên viên; chủ đầu tư", "inspection_findings": "Đất trống, đúng vị trí."})
    complete(app, "chuyenvien.tohieu", code, "appraise_dossier",
             {"appraisal_opinion": "Hồ sơ đủ điều kiện cấp giấy phép.", "reception_outcome": "approve"})
    complete(app, "lanhdao.tohieu", code, "approve_dossier", {"decision": "approve"})
    notices = [data for kind, data in events(app, code) if kind == "early_return_notice"]
    assert len(notices) == 1
    assert notices[0]["contacts"] == {"applicant_phone": "0912345678", "applicant_email": "an.nguyen@example.vn"}
    assert code in notices[0]["message"]
    kinds = [kind for kind, _ in events(app, code)]
    assert kinds.index("early_return_notice") < len(kinds) and "result_returned" not in kinds


def test_early_means_before_the_appointment_day_in_local_time(ctx):
    due = datetime(2026, 6, 4, 10, 0, tzinfo=UTC)  # 17:00 in Sơn La
    dossier = Dossier(code="x", due_at=due)
    assert is_early(dossier, datetime(2026, 6, 3, 16, 59, tzinfo=UTC))   # 23:59 local, the day before
    assert not is_early(dossier, datetime(2026, 6, 3, 17, 0, tzinfo=UTC))  # 00:00 local, the appointment day
    assert not is_early(Dossier(code="y"), datetime(2026, 6, 1, tzinfo=UTC))  # not received: no appointment
