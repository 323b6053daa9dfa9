"""The "done when" walk of the one-stop system in full (issue 5), through the real UI only: counter reception of a
paper dossier with its Mẫu 01 receipt, a supplement asked by the specialist and given by the citizen on a phone,
inter-agency handling of a land-use transfer, and the return of the result.

The database is only read, to assert what a user would notice (status, codes, events)."""
import io
import re
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier
from tests.browser.conftest import sign_in_citizen_page, sign_in_officer_page

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
#: A personal ID no sample citizen account has: the owner of the paper dossier has no account.
NO_ACCOUNT_ID = "014099000111"
OWNER_NAME = "Quàng Văn Dũng"


@pytest.fixture
def server(live_server, tmp_path):
    """The live server with uploads kept under the test's temporary directory."""
    live_server.app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    live_server.app.config["MALWARE_SCAN_COMMAND"] = str(tmp_path / "no-scanner")
    return live_server


def tiny_pdf() -> bytes:
    """A real one-page PDF, as a counter scanner would produce."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def dossier_by_code(app, code: str) -> Dossier:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        db.session.expunge(dossier)
        return dossier


def submit(page, name: str = "Hoàn thành"):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_counter_receives_a_paper_dossier_from_a_representative_and_prints_the_receipt(server, desktop):
    base, page = server.url, desktop
    sign_in_officer_page(page, base, "motcua.tohieu")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.get_by_role("link", name="Đăng ký thành lập hộ kinh doanh").click()
    page.wait_for_url(f"{base}/officer/reception/1.001612")
    page.check('input[name="channel"][value="1"]')
    page.check('input[name="owner_kind"][value="person"]')
    page.fill("#owner_name", OWNER_NAME)
    page.fill("#owner_id_number", NO_ACCOUNT_ID)
    page.fill("#owner_address", "Bản Hài, phường Tô Hiệu, tỉnh Sơn La")
    page.fill("#owner_phone", "0987654321")
    page.check('input[name="submitter_kind"][value="authorised"]')
    page.fill("#submitter_name", "Lò Văn Khoa")
    page.fill("#submitter_id_number", "014092003333")
    page.fill("#submitter_phone", "0911222333")
    page.fill("#authorisation_note", "Giấy ủy quyền số 12/2026 ngày 01/06/2026")
    page.fill("#f-applicant_phone", "0987654321")  # name, birth date and ID are read-only (the owner above)
    page.fill("#f-applicant_address", "Bản Hài, phường Tô Hiệu, tỉnh Sơn La")
    page.check("#f-registration_type-1")
    page.fill("#f-business_name", "Hộ kinh doanh Rau sạch Bản Hài")
    page.fill("#f-business_address", "Bản Hài, phường Tô Hiệu")
    page.fill("#f-business_lines", "Bán lẻ rau quả (4721)")
    page.fill("#f-capital_vnd", "80000000")
    page.check("#f-commitment")
    page.set_input_files("#file_0", files=[{"name": "giay-de-nghi.pdf", "mimeType": "application/pdf",
                                              "buffer": tiny_pdf()}])
    submit(page, "Lưu hồ sơ và kiểm tra tiếp nhận")
    assert "/officer/work-items/" in page.url, page.content()
    code = re.search(r"Đã lưu hồ sơ (\S+)\.", page.content()).group(1)
    assert page.get_by_role("link", name=re.compile("giay-de-nghi.pdf")).is_visible()

    page.check('input[name="reception_outcome"][value="receive"]')
    submit(page)
    page.wait_for_url(f"{base}/officer/dossiers/{code}")
    receipt = page.get_by_role("link", name=re.compile("Mẫu 01"))
    response = page.request.get(base + receipt.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    dossier = dossier_by_code(server.app, code)
    appointment = dossier.due_at.astimezone(LOCAL)
    assert dossier.channel == 1 and dossier.submitter_kind == "authorised" and dossier.applicant_id is None
    for expected in (code, OWNER_NAME, "Đăng ký thành lập hộ kinh doanh", "Lò Văn Khoa",
                     f"{appointment:%H} giờ {appointment:%M} phút, ngày {appointment:%d} tháng {appointment:%m} năm "
                     f"{appointment:%Y}"):
        assert expected in text, (expected, text)
    scan = page.get_by_role("link", name=re.compile("giay-de-nghi.pdf"))
    assert page.request.get(base + scan.get_attribute("href")).body().startswith(b"%PDF")
