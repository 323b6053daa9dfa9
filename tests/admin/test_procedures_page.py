"""/admin/procedures: every procedure with its versions, who may see it."""
import pytest

from app.extensions import db
from tests.admin.helpers import file_dossier
from tests.conftest import sign_in_citizen, sign_in_officer


def test_anonymous_and_citizens_are_sent_to_the_officer_sign_in(app):
    assert app.test_client().get("/admin/procedures").headers["Location"].startswith("/officer/sign-in")
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert citizen.get("/admin/procedures").headers["Location"].startswith("/officer/sign-in")


@pytest.mark.parametrize("username", ["motcua.tohieu", "chuyenvien.tohieu", "lanhdao.tohieu"])
def test_officers_without_the_administrator_role_get_403(app, username):
    officer = app.test_client()
    sign_in_officer(officer, username)
    response = officer.get("/admin/procedures")
    assert response.status_code == 403 and "Trang quản trị chỉ dành cho quản trị hệ thống." in response.text


def test_the_list_shows_each_version_with_its_running_dossiers(app, admin):
    with app.app_context():
        file_dossier()
        file_dossier()
        db.session.commit()
    page = admin.get("/admin/procedures")
    assert page.status_code == 200
    html = page.text
    for shown in ("Đăng ký thành lập hộ kinh doanh", "1.001612", "v1", "household_business_registration.bpmn",
                  "Đang áp dụng cho hồ sơ mới"):
        assert shown in html, shown
    assert "<td>2</td>" in html  # two running dossiers on v1
