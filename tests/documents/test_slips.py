"""Slips of the three reception outcomes (Mẫu 01, 02, 03), the apology (Mẫu 04) and the control sheet (Mẫu 06):
each PDF's text is extracted and checked for the fields the forms require (legal.md R29–R34, TT 03/2025)."""
import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.slips import apology_slip_data, common_data, issue_slip, render_slip
from app.extensions import db
from app.models import Officer, Slip
from app.models.working_calendar import load_working_calendar
from app.services.apologies import record_apology
from tests.conftest import post_form, sign_in_officer
from tests.reception.helpers import (
    NO_ACCOUNT_ID,
    OWNER,
    REPRESENTATIVE,
    counter_app,
    file_at_counter,
    only_dossier,
    task_id_of,
)

A5_POINTS = (419.5, 595.3)


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "none"))


@pytest.fixture
def officer(app):
    client = app.test_client()
    sign_in_officer(client, "motcua.tohieu")
    return client


def pdf_text(content: bytes) -> str:
    """All text of a PDF, whitespace collapsed; asserts it is one-or-more A5 pages."""
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert all(abs(a - b) < 2 for a, b in zip(size, A5_POINTS)), size
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def check(officer, task_id: str, values: dict):
    return post_form(officer, f"/officer/work-items/{task_id}", values)


def counter_dossier(officer, **kw):
    response = file_at_counter(officer, **kw)
    assert response.status_code == 303, response.get_data(as_text=True)
    return task_id_of(response)


def slip_text(app, officer, kind: str) -> tuple[str, Slip]:
    with app.app_context():
        dossier = only_dossier()
        slip = next(s for s in dossier.slips if s.kind == kind)
        code, slip_id = dossier.code, slip.id
    response = officer.get(f"/officer/dossiers/{code}/slips/{slip_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return pdf_text(response.data), slip


def test_receive_issues_the_receipt_with_every_required_field(app, officer):
    task_id = counter_dossier(officer, submitter=REPRESENTATIVE)
    assert check(officer, task_id, {"reception_outcome": "receive"}).status_code == 303
    text, slip = slip_text(app, officer, "receipt")
    with app.app_context():
        dossier = only_dossier()
        due = dossier.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
        received = dossier.received_at.astimezone(due.tzinfo)
        code = dossier.code
        assert slip.template.version == 1 and slip.number.endswith("/TNHS")
    for required in ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {code}", OWNER["owner_name"],
                     NO_ACCOUNT_ID, OWNER["owner_address"], OWNER["owner_phone"], OWNER["owner_email"],
                     "Đăng ký thành lập hộ kinh doanh", "1.001612",
                     "Giấy đề nghị đăng ký hộ kinh doanh", "Bản điện tử (đã số hóa)",  # components from the catalogue
                     "Số lượng hồ sơ: 01 bộ", "3 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
                     f"{received:%H} giờ {received:%M} phút, ngày {received:%d} tháng {received:%m} năm {received:%Y}",
                     f"{due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {due:%m} năm {due:%Y}",
                     "Giấy chứng nhận đăng ký hộ kinh doanh", "100.000 đồng", f"Quyển số: {received:%Y}",
                     "Số thứ tự: 1", "Đăng ký nhận kết quả tại", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ",
                     "Lò Thị Hoa",  # the receiving officer
                     "Lò Văn Khoa", REPRESENTATIVE["authorisation_note"],  # the authorised submitter
                     f"/lookup?code={code}", "Mẫu 01"]:
        assert required in text, required


def test_receipt_qr_encodes_the_public_lookup_url(app, officer):
    from app.documents.slips import render_document
    task_id = counter_dossier(officer)
    check(officer, task_id, {"reception_outcome": "receive"})
    with app.test_request_context(base_url="https://motcua.sonla.gov.vn"):
        dossier = only_dossier()
        slip = dossier.slips[0]
        captured = {}
        from app.documents import slips
        original = slips.render_pdf
        slips.render_pdf = lambda html: captured.setdefault("html", html) and b"%PDF-"
        try:
            render_document(slip.template, slip.data, dossier_code=dossier.code)
        finally:
            slips.render_pdf = original
    assert "<svg" in captured["html"]
    import segno
    expected = segno.make_qr(f"https://motcua.sonla.gov.vn/lookup?code={dossier.code}", error="m")
    assert expected.svg_inline(scale=2, border=2) in captured["html"]


def test_supplement_lists_every_item_with_the_reason(app, officer):
    task_id = counter_dossier(officer)
    items = "1. Biên bản họp thành viên hộ gia đình\n- Văn bản ủy quyền\nBản sao hợp đồng thuê địa điểm"
    response = check(officer, task_id, {"reception_outcome": "supplement", "missing_items": items,
                                        "supplement_reason": "Hộ gia đình cùng đăng ký, nộp qua người ủy quyền"})
    assert response.status_code == 303
    text, slip = slip_text(app, officer, "supplement_request")
    assert slip.data["missing_items"] == ["Biên bản họp thành viên hộ gia đình", "Văn bản ủy quyền",
                                          "Bản sao hợp đồng thuê địa điểm"]
    for required in ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", OWNER["owner_name"], OWNER["owner_address"],
                     OWNER["owner_phone"], "Đăng ký thành lập hộ kinh doanh", "1 Biên bản họp thành viên hộ gia đình",
                     "2 Văn bản ủy quyền", "3 Bản sao hợp đồng thuê địa điểm",
                     "Lý do: Hộ gia đình cùng đăng ký, nộp qua người ủy quyền", "http://localhost/procedures/",
                     "NGƯỜI HƯỚNG DẪN", "Lò Thị Hoa", "Mẫu 02", "/PBS"]:
        assert required in text, required
    with app.app_context():
        assert only_dossier().status.name == "awaiting_supplement"


def test_supplement_without_a_reason_is_refused_and_nothing_issued(app, officer):
    task_id = counter_dossier(officer)
    response = check(officer, task_id, {"reception_outcome": "supplement", "missing_items": "Văn bản ủy quyền"})
    assert response.status_code == 400  # the check form requires the reason
    with app.app_context():
        dossier = only_dossier()
        assert dossier.status.name == "submitted" and dossier.slips == []


def test_refusal_states_the_reasons(app, officer):
    task_id = counter_dossier(officer)
    response = check(officer, task_id, {"reception_outcome": "refuse",
                                        "refusal_reason": "Ngành nghề kinh doanh thuộc danh mục cấm kinh doanh"})
    assert response.status_code == 303
    text, _ = slip_text(app, officer, "refusal")
    with app.app_context():
        dossier = only_dossier()
        assert dossier.status.name == "not_received"
        code = dossier.code
    for required in ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", OWNER["owner_name"], NO_ACCOUNT_ID,
                     OWNER["owner_address"], OWNER["owner_phone"], f"Mã hồ sơ (nếu có): {code}",
                     "Đăng ký thành lập hộ kinh doanh", "Ngành nghề kinh doanh thuộc danh mục cấm kinh doanh",
                     "NGƯỜI TIẾP NHẬN HỒ SƠ", "Mẫu 03", "/PTC"]:
        assert required in text, required


def test_refusal_without_reasons_cannot_be_saved(ctx):
    from app.documents.slips import SlipDataError, reception_reasons
    with pytest.raises(SlipDataError, match="nêu rõ lý do"):
        reception_reasons("refuse", {"refusal_reason": "   "})
    with pytest.raises(SlipDataError, match="liệt kê"):
        reception_reasons("supplement", {"missing_items": "\n \n", "supplement_reason": "x"})


def test_apology_slip_from_the_recorded_apology(app, officer):
    task_id = counter_dossier(officer)
    check(officer, task_id, {"reception_outcome": "receive"})
    with app.test_request_context():
        dossier = only_dossier()
        leader = db.session.scalar(select(Officer).where(Officer.username == "lanhdao.tohieu"))
        tz = __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")
        previous_due = dossier.due_at.astimezone(tz)
        new_on = load_working_calendar().next_working_day(previous_due.date())
        now = datetime.now(UTC)
        apology = record_apology(dossier, officer=leader, reason="Phải xác minh địa điểm kinh doanh",
                                 new_appointment_on=new_on, now=now)
        values = apology_slip_data(apology, signer_title="Chủ tịch UBND phường")
        slip = issue_slip(dossier, "apology", {**common_data(dossier, leader, now), **values}, actor=leader, now=now)
        text = pdf_text(render_slip(slip))
        for required in ["VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", f"Mã hồ sơ: {dossier.code}",
                         OWNER["owner_name"], NO_ACCOUNT_ID, "Đăng ký thành lập hộ kinh doanh",
                         "Lý do: Phải xác minh địa điểm kinh doanh",
                         "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, "
                         f"ngày {previous_due:%d} tháng {previous_due:%m} năm {previous_due:%Y}",
                         f"vào: 17 giờ 00 phút, ngày {new_on:%d} tháng {new_on:%m} năm {new_on:%Y}",
                         "CHỦ TỊCH UBND PHƯỜNG", leader.full_name, "Mẫu 04"]:
            assert required in text, required


def test_control_sheet_lists_each_hand_over(app, officer):
    task_id = counter_dossier(officer)
    check(officer, task_id, {"reception_outcome": "receive"})
    with app.app_context():
        code = only_dossier().code
    response = officer.get(f"/officer/dossiers/{code}/control-sheet.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    for required in ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {code}", "Phường Tô Hiệu",
                     "Giao: Kiểm tra, tiếp nhận hồ sơ — Lò Thị Hoa (Phường Tô Hiệu)", "Nhận: Thẩm định hồ sơ",
                     "Hẹn trả kết quả", "Mẫu 06"]:
        assert required in text, required
