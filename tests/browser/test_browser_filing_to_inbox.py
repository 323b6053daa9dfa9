"""First browser walk: a citizen files on a phone; the one-stop officer sees it, claims it and receives it; the
specialist then finds it under "my groups"."""
import re
from pathlib import Path

from sqlalchemy import select

from app.admin.viewer import viewer_assets
from app.extensions import db
from app.models import Dossier
from tests.browser.conftest import sign_in_citizen_page, sign_in_officer_page


def filter_count(page, key: str) -> int:
    return int(page.locator(f'a[data-filter="{key}"] .count').inner_text())


def test_citizen_files_on_a_phone_and_the_one_stop_officer_receives_it(live_server, phone, desktop):
    base = live_server.url
    # The citizen, on a phone.
    sign_in_citizen_page(phone, base, "014090001234")
    phone.goto(f"{base}/procedures/1.001612/apply")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    phone.check("#f-registration_type-1")
    phone.fill("#f-business_name", "Hộ kinh doanh Cà phê Tô Hiệu")
    phone.select_option("#f-handling_agency_code", "H54.10.01")
    phone.fill("#f-business_address", "Số 12 đường Tô Hiệu, phường Tô Hiệu")
    phone.fill("#f-business_lines", "Kinh doanh đồ uống (5630)")
    phone.fill("#f-capital_vnd", "150000000")
    phone.check("#f-commitment")
    phone.locator("form.camunda-form button[type=submit], form button[type=submit]").last.click()
    phone.wait_for_url(re.compile(r".*/my-dossiers/H54\.10\.01-.*"))
    with live_server.app.app_context():
        code = db.session.scalar(select(Dossier)).code
    assert code in phone.content()

    # The one-stop officer, at a desk: the inbox counts it, the officer claims it, then receives it.
    sign_in_officer_page(desktop, base, "motcua.tohieu")
    assert filter_count(desktop, "todo") == 1 and filter_count(desktop, "groups") == 1
    assert filter_count(desktop, "mine") == 0
    row = desktop.locator(f'tr[data-dossier="{code}"]')
    with desktop.expect_navigation():
        row.get_by_role("button", name="Nhận việc").click()
    assert filter_count(desktop, "mine") == 1 and filter_count(desktop, "groups") == 0
    desktop.click('a[data-filter="mine"]')
    desktop.locator(f'tr[data-dossier="{code}"] a.task-link').click()
    desktop.check('input[name="reception_outcome"][value="receive"]')
    desktop.get_by_role("button", name="Hoàn thành").click()
    desktop.wait_for_url(f"{base}/officer/dossiers/{code}")
    assert "Đã hoàn thành công việc" in desktop.content() and "Đang xử lý" in desktop.content()
    if viewer_assets(Path(live_server.app.static_folder)):  # the diagram, drawn by bpmn-js, shows where it stands
        active = desktop.locator('.djs-element.dossier-active[data-element-id="appraise_dossier"]')
        active.wait_for()
        assert desktop.locator('.djs-element.dossier-completed[data-element-id="check_dossier"]').count() == 1
        assert desktop.locator('.djs-element.dossier-taken[data-element-id="flow_receive"]').count() == 1
    with live_server.app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "in_progress"

    # The specialist: the appraisal waits under "my groups".
    desktop.context.clear_cookies()
    sign_in_officer_page(desktop, base, "chuyenvien.tohieu")
    assert filter_count(desktop, "groups") == 1
    desktop.click('a[data-filter="groups"]')
    assert desktop.locator(f'tr[data-dossier="{code}"]').get_by_text("Thẩm định hồ sơ").is_visible()


def test_the_inbox_fits_a_phone(live_server, phone, desktop):
    """An officer on a phone: filters and the work item are reachable without sideways scrolling."""
    base = live_server.url
    sign_in_citizen_page(desktop, base, "014090001234")
    desktop.goto(f"{base}/procedures/1.001612/apply")
    desktop.check("#f-registration_type-2")
    for field, value in (("#f-business_name", "Hộ kinh doanh Tạp hóa"), ("#f-business_address", "Bản Hài"),
                         ("#f-business_lines", "Bán lẻ (4711)"), ("#f-capital_vnd", "50000000")):
        desktop.fill(field, value)
    desktop.select_option("#f-handling_agency_code", "H54.10.01")
    desktop.check("#f-commitment")
    desktop.locator("form button[type=submit]").last.click()
    desktop.wait_for_url(re.compile(r".*/my-dossiers/H54\.10\.01-.*"))
    sign_in_officer_page(phone, base, "motcua.tohieu")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert filter_count(phone, "todo") == 1
    phone.locator('a[data-filter="overdue"]').tap()
    phone.wait_for_url("**filter=overdue**")
    assert "Không có công việc nào" in phone.content()
    phone.locator('a[data-filter="groups"]').tap()
    phone.wait_for_url("**filter=groups**")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Nhận việc").tap()
    assert filter_count(phone, "mine") == 1 and "Đã nhận công việc" in phone.content()
