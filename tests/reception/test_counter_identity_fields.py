"""Found by the browser walk (tests/browser/test_one_stop_walk.py): the start form's identity fields are read-only
(filled from VNeID online), so at the counter the officer cannot type them; they must come from the owner section
the officer fills, else the counter dossier's application has no applicant name or ID (ND 118/2025 Art. 15.2)."""
import pytest

from app.extensions import db
from tests.conftest import sign_in_officer
from tests.reception.helpers import (
    NO_ACCOUNT_ID,
    OWNER,
    counter_app,
    file_at_counter,
    only_dossier,
)


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "none"))


def test_counter_dossier_takes_the_read_only_identity_fields_from_the_owner(app):
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    # What a browser sends: read-only inputs are submitted empty, whatever was in them.
    response = file_at_counter(officer, applicant_full_name="", applicant_personal_id="")
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        dossier = only_dossier()
        assert dossier.application["applicant_full_name"] == OWNER["owner_name"]
        assert dossier.application["applicant_personal_id"] == NO_ACCOUNT_ID
        code = dossier.code
        db.session.rollback()
    page = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    info = page.split("<h2>Thông tin hồ sơ</h2>", 1)[1].split("</dl>", 1)[0]
    assert OWNER["owner_name"] in info and NO_ACCOUNT_ID in info


def test_counter_form_cannot_overrule_the_owner_through_a_read_only_field(app):
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    assert file_at_counter(officer, applicant_full_name="Người Khác").status_code == 303
    with app.app_context():
        assert only_dossier().application["applicant_full_name"] == OWNER["owner_name"]
