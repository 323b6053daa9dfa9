"""Invalid form values are refused next to their fields, and nothing typed is lost."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Dossier
from tests.conftest import APPLICATION, hidden_fields, post_form, sign_in_citizen, sign_in_officer


def test_invalid_application_is_refused_with_messages_and_values_kept(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    bad = {**APPLICATION, "applicant_phone": "12345", "capital_vnd": "-5", "business_name": "",
           "handling_agency_code": "H99.99.99", "commitment": ""}
    response = post_form(citizen, "/procedures/1.001612/apply", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Số điện thoại phải gồm 10 chữ số" in page
    assert 'value="12345"' in page and page.count("Trường này là bắt buộc") >= 2  # business name, commitment
    assert "Giá trị không hợp lệ" in page or "không nằm trong" in page  # commune not in the list
    assert "Số 12 đường Tô Hiệu" in page  # the valid fields keep what was typed
    with app.app_context():
        assert db.session.scalar(select(func.count(Dossier.id))) == 0


def test_reception_supplement_needs_the_missing_items(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    with app.app_context():
        task_id = db.session.scalar(select(Dossier)).work_items[0].task_id
    response = post_form(officer, f"/officer/work-items/{task_id}", {"reception_outcome": "supplement",
                                                                     "reception_note": "Ghi chú của tôi"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Trường này là bắt buộc" in page and "Ghi chú của tôi" in page
    response = post_form(officer, f"/officer/work-items/{task_id}", {"reception_outcome": "maybe"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "submitted"


def test_identity_comes_from_vneid_not_from_the_form(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    forged = {**APPLICATION, "applicant_full_name": "Lò Thị Bình", "applicant_personal_id": "014195004567"}
    assert post_form(citizen, "/procedures/1.001612/apply", forged).status_code == 302
    with app.app_context():
        application = db.session.scalar(select(Dossier)).application
    assert (application["applicant_full_name"], application["applicant_personal_id"]) == \
        ("Nguyễn Văn An", "014090001234")


def test_double_submission_files_one_dossier(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    fields = {**hidden_fields(citizen, "/procedures/1.001612/apply"), **APPLICATION}
    first = citizen.post("/procedures/1.001612/apply", data=fields)
    again = citizen.post("/procedures/1.001612/apply", data=fields)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Dossier.id))) == 1
