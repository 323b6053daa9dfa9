"""Browser walk: a leader hands a claimed work item to another one-stop officer from the dossier page."""
from sqlalchemy import select

from app.extensions import db
from app.models import Officer
from tests.browser.conftest import sign_in_officer_page
from tests.conftest import APPLICATION, post_form, sign_in_citizen


def test_leader_reassigns_and_the_new_holder_finds_it_under_mine(live_server, desktop, new_page):
    base, app = live_server.url, live_server.app
    citizen = app.test_client()  # filing itself is walked in test_browser_filing_to_inbox
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    with app.app_context():
        first = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        db.session.add(Officer(username="motcua2.tohieu", full_name="Lường Thị Xuân", agency_id=first.agency_id,
                               password_hash=first.password_hash, roles_text="one_stop", must_change_password=False))
        db.session.commit()
    sign_in_officer_page(desktop, base, "motcua.tohieu")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Nhận việc").click()
    code = desktop.locator("tr[data-dossier]").first.get_attribute("data-dossier")

    leader = new_page()
    sign_in_officer_page(leader, base, "lanhdao.tohieu")
    leader.goto(f"{base}/officer/dossiers/{code}")
    assert "Đang xử lý: Lò Thị Hoa" in leader.content()
    leader.get_by_label("Giao cho").select_option(label="Lường Thị Xuân (motcua2.tohieu)")
    with leader.expect_navigation():
        leader.get_by_role("button", name="Giao việc").click()
    assert "Đã giao công việc cho Lường Thị Xuân" in leader.content()
    assert leader.locator("ol.history").get_by_text("Lãnh đạo giao lại công việc").is_visible()

    holder = new_page()
    sign_in_officer_page(holder, base, "motcua2.tohieu")
    holder.click('a[data-filter="mine"]')
    assert holder.locator(f'tr[data-dossier="{code}"]').is_visible()
    desktop.reload()
    assert desktop.locator('a[data-filter="mine"] .count').inner_text() == "0"
