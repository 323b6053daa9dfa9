"""The "done when" walk of the one-stop system in full (issue 5), through the real UI only: counter reception of a
paper dossier with its Mẫu 01 receipt, a supplement asked by the specialist and given by the citizen on a phone,
inter-agency handling of a land-use transfer, and the return of the result.

The database is only read, to assert what a user would notice (status, codes, events)."""
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier
from app.scheduler import init_scheduler, stop_scheduler
from tests.browser.conftest import sign_in_citizen_page, sign_in_officer_page
from tests.conftest import wait_for

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
#: A personal ID no sample citizen account has: the owner of the paper dossier has no account.
NO_ACCOUNT_ID = "014099000111"
OWNER_NAME = "Quàng Văn Dũng"


@pytest.fixture
def server(live_server, tmp_path):
    """The live server with uploads kept under the test's temporary directory and, as ``run.py`` does after setup,
    the scheduler running the external service tasks (``result_ready``, ``result_returned``) in the background."""
    live_server.app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    live_server.app.config["MALWARE_SCAN_COMMAND"] = str(tmp_path / "no-scanner")
    init_scheduler(live_server.app)
    yield live_server
    stop_scheduler(live_server.app)


def work_item_appears(app, code: str, bpmn_id: str) -> bool:
    """Wait (at most 20 s) until the background worker has moved the dossier on to the user task ``bpmn_id``."""
    def present():
        with app.app_context():
            dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
            return any(w.bpmn_id == bpmn_id for w in dossier.work_items)
    return wait_for(present, seconds=20)


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
    # The application shows the owner's identity typed in the owner section (its read-only fields come from there).
    assert NO_ACCOUNT_ID in page.locator("h2:has-text('Thông tin hồ sơ') + dl").inner_text()
    receipt = page.get_by_role("link", name=re.compile("Mẫu 01"))
    response = page.request.get(base + receipt.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    dossier = dossier_by_code(server.app, code)
    appointment = dossier.due_at.astimezone(LOCAL)
    assert dossier.channel == 1 and dossier.submitter_kind == "authorised" and dossier.applicant_id is None
    appointment_text = (f"{appointment:%H} giờ {appointment:%M} phút, ngày {appointment:%d} tháng "
                        f"{appointment:%m} năm {appointment:%Y}")
    for expected in (code, OWNER_NAME, "Đăng ký thành lập hộ kinh doanh", "Lò Văn Khoa", appointment_text):
        assert expected in text, (expected, text)
    scan = page.get_by_role("link", name=re.compile("giay-de-nghi.pdf"))
    assert page.request.get(base + scan.get_attribute("href")).body().startswith(b"%PDF")


def fill_permit_application(page):
    """The citizen's part of the construction permit application (identity comes from VNeID)."""
    page.fill("#f-applicant_phone", "0968112233")
    page.fill("#f-applicant_address", "Tiểu khu 2, xã Mai Sơn, tỉnh Sơn La")
    page.select_option("#f-handling_agency_code", "H54.10.06")
    page.fill("#f-site_address", "Tiểu khu 2, xã Mai Sơn")
    page.fill("#f-land_parcel", "Thửa 125, tờ bản đồ 12")
    page.fill("#f-land_certificate_number", "DA 123456")
    page.fill("#f-floor_count", "3")
    page.fill("#f-building_area_m2", "90")
    page.fill("#f-total_floor_area_m2", "250")
    page.fill("#f-design_unit", "Công ty TNHH Tư vấn thiết kế Sơn La")
    page.check("#f-commitment")


def open_task(page, base: str, code: str, task_name: str):
    """From the inbox, claim the dossier's work item if it is still in the group queue, then open it."""
    page.goto(f"{base}/officer/")
    row = page.locator(f'tr[data-dossier="{code}"]').filter(has_text=task_name)
    row.wait_for()
    claim = row.get_by_role("button", name="Nhận việc")
    if claim.count():
        with page.expect_navigation():
            claim.click()
        page.click('a[data-filter="mine"]')
        row = page.locator(f'tr[data-dossier="{code}"]').filter(has_text=task_name)
    row.locator("a.task-link").click()
    page.wait_for_url(f"{base}/officer/work-items/**")
    page.locator("h1", has_text=task_name).wait_for()


def test_specialist_asks_a_supplement_after_appraisal_and_the_citizen_gives_it_on_a_phone(server, phone, new_page):
    base = server.url
    sign_in_citizen_page(phone, base, "014088007890")
    phone.goto(f"{base}/procedures/1.009974")
    phone.get_by_role("link", name="Nộp hồ sơ trực tuyến").tap()
    fill_permit_application(phone)
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").last.tap()
    code = re.search(r"/my-dossiers/([^/?#]+)", phone.url).group(1)

    one_stop, specialist = new_page(), new_page()
    sign_in_officer_page(one_stop, base, "motcua.maison")
    open_task(one_stop, base, code, "Kiểm tra, tiếp nhận hồ sơ")
    one_stop.check('input[name="reception_outcome"][value="receive"]')
    submit(one_stop)

    sign_in_officer_page(specialist, base, "chuyenvien.maison")
    open_task(specialist, base, code, "Kiểm tra thực địa")
    specialist.fill("#f-inspection_at", "2026-06-03T08:30")
    specialist.fill("#f-inspection_place", "Thửa 125, tờ bản đồ 12, tiểu khu 2, xã Mai Sơn")
    specialist.fill("#f-inspection_participants", "Cầm Văn Thắng (chuyên viên); Cầm Văn Chiến (chủ đầu tư)")
    specialist.fill("#f-inspection_findings", "Hiện trạng đất trống, phù hợp với bản vẽ mặt bằng vị trí.")
    submit(specialist)
    open_task(specialist, base, code, "Thẩm định hồ sơ")
    specialist.fill("#f-appraisal_opinion", "Bản vẽ móng chưa thể hiện giải pháp.")
    specialist.check('input[name="reception_outcome"][value="supplement"]')
    specialist.fill("#f-missing_items", "Bản vẽ móng có giải pháp gia cố")
    specialist.fill("#f-supplement_reason", "Bản vẽ thiết kế chưa thể hiện đủ mặt bằng móng theo quy định.")
    submit(specialist)
    assert dossier_by_code(server.app, code).status.name == "awaiting_supplement"

    # The citizen, on the phone: "Hồ sơ của tôi" shows what is asked; the supplement is given there.
    phone.goto(f"{base}/")
    phone.get_by_role("link", name="Hồ sơ của tôi").first.tap()
    phone.get_by_role("link", name=code).tap()
    phone.wait_for_url(f"{base}/my-dossiers/{code}")
    assert "Bản vẽ móng có giải pháp gia cố" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("link", name="Thực hiện ngay").tap()
    phone.locator("#f-supplement_note").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("#f-supplement_note", "Đã nộp bản vẽ móng có giải pháp gia cố")
    phone.check("#f-supplement_confirmation")
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").last.tap()
    phone.wait_for_url(f"{base}/my-dossiers/{code}")

    # The one-stop officer receives the supplement; the dossier is back in handling with the specialist.
    open_task(one_stop, base, code, "Tiếp nhận hồ sơ bổ sung")
    one_stop.check("#f-supplement_complete")
    submit(one_stop)
    one_stop.wait_for_url(f"{base}/officer/dossiers/{code}")
    assert "Đang xử lý" in one_stop.content()
    open_task(specialist, base, code, "Thẩm định hồ sơ")
    dossier = dossier_by_code(server.app, code)
    assert dossier.status.name == "in_progress"
    with server.app.app_context():
        kinds = [e.kind for e in db.session.scalar(select(Dossier).where(Dossier.code == code)).events]
    assert "supplement_requested" in kinds


def test_land_use_transfer_each_agency_does_its_own_part_in_its_own_inbox(server, phone, new_page):
    base = server.url
    sign_in_citizen_page(phone, base, "014090001234")
    phone.goto(f"{base}/")
    phone.get_by_role("link", name=re.compile("chuyển nhượng quyền sử dụng đất")).first.tap()
    phone.get_by_role("link", name="Nộp hồ sơ trực tuyến").tap()
    phone.fill("#f-applicant_phone", "0912345678")
    phone.fill("#f-applicant_address", "Tổ 3, phường Tô Hiệu, tỉnh Sơn La")
    phone.select_option("#f-handling_agency_code", "H54.20.01")
    phone.fill("#f-land_parcel", "Thửa 58, tờ bản đồ 7")
    phone.fill("#f-land_address", "Tổ 5, phường Tô Hiệu, tỉnh Sơn La")
    phone.fill("#f-land_area_m2", "120")
    phone.fill("#f-land_certificate_number", "CS 045678")
    phone.fill("#f-transferee_full_name", "Lò Thị Bình")
    phone.fill("#f-transferee_personal_id", "014195004567")
    phone.fill("#f-contract_value_vnd", "1500000000")
    phone.check("#f-commitment")
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").last.tap()
    code = re.search(r"/my-dossiers/([^/?#]+)", phone.url).group(1)
    assert code.startswith("H54.20.01-")

    # The land registration office receives and appraises it, asking two other agencies for their opinion.
    office = new_page()
    sign_in_officer_page(office, base, "motcua.vpdkdd")
    open_task(office, base, code, "Kiểm tra, tiếp nhận hồ sơ")
    office.check('input[name="reception_outcome"][value="receive"]')
    submit(office)
    office.context.clear_cookies()
    sign_in_officer_page(office, base, "chuyenvien.vpdkdd")
    open_task(office, base, code, "Kiểm tra hồ sơ, chọn cơ quan lấy ý kiến")
    office.fill("#f-appraisal_opinion", "Hồ sơ hợp lệ, đủ điều kiện chuyển nhượng.")
    office.check('input[name="proposal"][value="approve"]')
    office.check('input[name="consulted_agencies"][value="H54.10.01"]')
    office.check('input[name="consulted_agencies"][value="H54.30"]')
    submit(office)

    # An officer of an agency with no part in it cannot open the dossier.
    outsider = new_page()
    sign_in_officer_page(outsider, base, "chuyenvien.maison")
    response = outsider.goto(f"{base}/officer/dossiers/{code}")
    assert response.status in (403, 404) and code not in outsider.locator("main").inner_text()
    outsider.goto(f"{base}/officer/")
    assert outsider.locator(f'tr[data-dossier="{code}"]').count() == 0

    # Each consulted agency answers from its own inbox.
    for username, opinion in (("chuyenvien.tohieu", "Đất không có tranh chấp."),
                              ("chuyenvien.sxd", "Phù hợp quy hoạch xây dựng.")):
        consulted = new_page()
        sign_in_officer_page(consulted, base, username)
        open_task(consulted, base, code, "Cho ý kiến phối hợp")
        # The consulted agency reads the dossier's documents before answering (the receipt, the control sheet).
        for link in ("Mẫu 01", "Phiếu kiểm soát"):
            href = consulted.get_by_role("link", name=re.compile(link)).first.get_attribute("href")
            assert consulted.request.get(base + href).ok, (username, link)
        consulted.check('input[name="consultation_answer"][value="agree"]')
        consulted.fill("#f-consultation_opinion", opinion)
        with consulted.expect_navigation() as answered:
            consulted.get_by_role("button", name="Hoàn thành").click()
        assert answered.value.ok and "Đã hoàn thành công việc" in consulted.content(), consulted.url

    # The tax authority sets the financial obligation from its inbox; the citizen pays on the phone.
    tax = new_page()
    sign_in_officer_page(tax, base, "chuyenvien.thue")
    open_task(tax, base, code, "Xác định nghĩa vụ tài chính")
    tax.fill("#f-tax_notice_number", "TB-2026-0581")
    tax.fill("#f-personal_income_tax_vnd", "30000000")
    tax.fill("#f-registration_fee_vnd", "7500000")
    with tax.expect_navigation() as answered:
        tax.get_by_role("button", name="Hoàn thành").click()
    assert answered.value.ok and "Đã hoàn thành công việc" in tax.content(), tax.url
    assert dossier_by_code(server.app, code).status.name == "awaiting_payment"
    phone.goto(f"{base}/my-dossiers/{code}")
    assert "Nộp tiền nghĩa vụ tài chính" in phone.content()
    phone.get_by_role("link", name="Thực hiện ngay").tap()
    phone.locator("#f-payment_receipt_number").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("#f-payment_receipt_number", "CT-889911")
    phone.fill("#f-paid_on", datetime.now(LOCAL).date().isoformat())
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").last.tap()
    phone.wait_for_url(f"{base}/my-dossiers/{code}")

    # Back at the land registration office: certificate updated, leader signs, the result waits at the counter.
    office.context.clear_cookies()
    sign_in_officer_page(office, base, "chuyenvien.vpdkdd")
    open_task(office, base, code, "Cập nhật biến động, chỉnh lý Giấy chứng nhận")
    office.check("#f-cadastral_updated")
    office.check('input[name="certificate_action"][value="endorse"]')
    submit(office)
    office.context.clear_cookies()
    sign_in_officer_page(office, base, "lanhdao.vpdkdd")
    open_task(office, base, code, "Phê duyệt, ký kết quả")
    office.check('input[name="decision"][value="approve"]')
    submit(office)
    office.wait_for_url(f"{base}/officer/dossiers/{code}")
    assert work_item_appears(server.app, code, "return_result")  # after the result_ready service task
    office.context.clear_cookies()
    sign_in_officer_page(office, base, "motcua.vpdkdd")
    office.goto(f"{base}/officer/dossiers/{code}")
    assert "Trả kết quả" in office.locator("ul.work-items").inner_text()
    with server.app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        kinds = {e.kind for e in dossier.events}
        assert dossier.status.name == "handled"
    assert {"received", "decision_recorded", "result_ready"} <= kinds


def test_one_stop_officer_returns_the_result_with_the_originals_and_the_public_look_up_shows_it(server, desktop,
                                                                                                 new_page, phone):
    base, counter = server.url, desktop
    sign_in_officer_page(counter, base, "motcua.tohieu")
    counter.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    counter.get_by_role("link", name="Chứng thực bản sao từ bản chính").click()
    counter.check('input[name="channel"][value="1"]')
    counter.fill("#owner_name", OWNER_NAME)
    counter.fill("#owner_id_number", NO_ACCOUNT_ID)
    counter.fill("#owner_address", "Bản Hài, phường Tô Hiệu, tỉnh Sơn La")
    counter.check('input[name="submitter_kind"][value="self"]')
    counter.fill("#f-applicant_phone", "0987654321")
    counter.fill("#f-applicant_address", "Bản Hài, phường Tô Hiệu, tỉnh Sơn La")
    counter.fill("#f-original_document_name", "Bằng tốt nghiệp trung học phổ thông")
    counter.fill("#f-pages_per_copy", "2")
    counter.fill("#f-copies", "2")
    counter.check("#f-commitment")
    counter.set_input_files("#file_0", files=[{"name": "ban-sao.pdf", "mimeType": "application/pdf",
                                                 "buffer": tiny_pdf()}])
    submit(counter, "Lưu hồ sơ và kiểm tra tiếp nhận")
    code = re.search(r"Đã lưu hồ sơ (\S+)\.", counter.content()).group(1)
    counter.check('input[name="reception_outcome"][value="receive"]')
    submit(counter)

    specialist, leader = new_page(), new_page()
    sign_in_officer_page(specialist, base, "chuyenvien.tohieu")
    open_task(specialist, base, code, "Đối chiếu bản sao với bản chính")
    specialist.fill("#f-appraisal_opinion", "Bản sao đúng với bản chính.")
    specialist.check('input[name="proposal"][value="approve"]')
    specialist.fill("#f-certification_register_number", "125/2026/SCT-BS")
    submit(specialist)
    sign_in_officer_page(leader, base, "lanhdao.tohieu")
    open_task(leader, base, code, "Ký chứng thực")
    leader.check('input[name="decision"][value="approve"]')
    submit(leader)

    # The result is ready: the one-stop officer hands it over at the counter with the originals.
    assert work_item_appears(server.app, code, "return_result")
    open_task(counter, base, code, "Trả kết quả")
    counter.select_option("#f-return_channel", "counter")
    counter.fill("#f-recipient_name", OWNER_NAME)
    counter.check("#f-originals_returned")
    submit(counter)
    counter.wait_for_url(f"{base}/officer/dossiers/{code}")
    assert wait_for(lambda: dossier_by_code(server.app, code).status.name == "result_returned", seconds=20)
    counter.reload()  # the result_returned service task ran in the background
    assert counter.locator("ol.history").get_by_text(f"{code}-KQ1").is_visible()
    assert counter.locator("p .chip").first.inner_text() == "Đã trả kết quả"
    assert counter.locator("ol.history").get_by_text("Trả lại bản chính giấy tờ").is_visible()

    # Anyone can look the dossier up on the portal, on a phone, without signing in.
    phone.goto(f"{base}/lookup")
    phone.fill("#code", code)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tra cứu").tap()
    assert "Đã trả kết quả" in phone.locator("#lookup-result").inner_text()
    with server.app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.status.name == "result_returned"
        assert [e.data["code"] for e in dossier.events if e.kind == "e_result_issued"] == [f"{code}-KQ1"]
