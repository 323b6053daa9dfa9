"""Forms found by formKey (camunda-forms:deployment / app), formRef and generated from formData, through HTTP."""
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier
from tests.conftest import post_form, sign_in_citizen, sign_in_officer

GENERATED_OK = {"business_name": "Quán Phở Ngon", "employee_count": "3", "has_license": "true",
                "opened_on": "2026-06-15", "kind": "food"}


def _ready(app, bpmn_id: str) -> str:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        return next(w.task_id for w in dossier.work_items if w.bpmn_id == bpmn_id)


def _file_and_reach_generated(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    page = citizen.get("/procedures/T.forms_binding/apply").get_data(as_text=True)
    assert 'data-form-id="file:filing.form"' in page and "Nội dung đề nghị" in page  # a form without id, by file
    response = post_form(citizen, "/procedures/T.forms_binding/apply",
                         {"handling_agency_code": "H54.10.01", "request_text": "Đề nghị thử"})
    assert response.status_code == 302, response.get_data(as_text=True)
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    url = f"/officer/work-items/{_ready(app, 'by_ref')}"
    assert 'data-form-id="Form_Review"' in officer.get(url).get_data(as_text=True)
    assert post_form(officer, url, {"review_note": "Đủ"}).status_code == 303
    url = f"/officer/work-items/{_ready(app, 'by_app_key')}"
    assert "Ghi chú nội bộ" in officer.get(url).get_data(as_text=True)
    assert post_form(officer, url, {"remark": "Đã xem"}).status_code == 303
    return officer, f"/officer/work-items/{_ready(app, 'generated')}"


def test_generated_form_renders_each_formdata_type(forms_app):
    officer, url = _file_and_reach_generated(forms_app)
    page = officer.get(url).get_data(as_text=True)
    assert 'data-form-id="formdata:generated"' in page
    assert "Tên hộ kinh doanh" in page and 'name="business_name"' in page
    assert 'step="1" min="1" max="9" id="f-employee_count" name="employee_count" value="1"' in page  # long
    assert 'type="checkbox"' in page and 'name="has_license"' in page
    assert 'type="date"' in page and 'value="2026-06-01"' in page  # date default 01/06/2026 kept as ISO
    assert '<option value="retail"' in page and "Ăn uống" in page  # enum values: id → value, name → label
    assert 'name="register_code" value="HKD-MOI" readonly>' in page  # readonly constraint, defaultValue


def test_formdata_constraints_are_checked_on_the_server(forms_app):
    officer, url = _file_and_reach_generated(forms_app)
    bad = {"business_name": "x" * 51, "employee_count": "0", "kind": "bakery", "opened_on": "31/02/2026"}
    response = post_form(officer, url, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Không được vượt quá 50 ký tự." in page  # maxlength
    assert "Giá trị phải lớn hơn hoặc bằng 1." in page  # min
    assert "Giá trị không hợp lệ." in page  # enum value not among camunda:value ids
    assert "Ngày không hợp lệ." in page
    response = post_form(officer, url, {"employee_count": "2.5", "kind": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Phải là số nguyên." in page  # long: decimalDigits 0
    assert page.count("Trường này là bắt buộc.") == 2  # business_name and kind are required
    with forms_app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "in_progress"


def test_valid_formdata_completes_with_typed_values_and_readonly_kept(forms_app):
    officer, url = _file_and_reach_generated(forms_app)
    response = post_form(officer, url, {**GENERATED_OK, "register_code": "GIẢ-MẠO"})
    assert response.status_code == 303, response.get_data(as_text=True)
    with forms_app.app_context():
        dossier = db.session.scalar(select(Dossier))
        values = next(e.data for e in dossier.events if e.kind == "task_completed"
                      and e.data["bpmn_id"] == "generated")["values"]
        code = dossier.code
    assert values == {"business_name": "Quán Phở Ngon", "employee_count": 3, "has_license": True,
                      "opened_on": "2026-06-15", "kind": "food", "register_code": "HKD-MOI"}
    detail = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Tên hộ kinh doanh" in detail and "Ăn uống" in detail and "15/06/2026" in detail  # labelled by its form
