"""Found by the fresh-user trial: a ward's counter listed the land-use transfer, whose handling agency is the land
registration office, and every attempt to save it failed with "Giá trị không hợp lệ". A counter offers only the
procedures its agency may handle (the start form's ``handling_agency_code`` options)."""
import pytest

from tests.conftest import sign_in_officer
from tests.reception.helpers import counter_app


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path)


def test_a_ward_counter_offers_commune_procedures_only(app):
    ward = app.test_client()
    sign_in_officer(ward, "motcua.tohieu")
    page = ward.get("/officer/reception").get_data(as_text=True)
    assert "/officer/reception/1.001612" in page and "/officer/reception/1.001193" in page
    assert "/officer/reception/1.012766" not in page
    refused = ward.get("/officer/reception/1.012766")
    assert refused.status_code == 404 and "không tiếp nhận thủ tục này" in refused.get_data(as_text=True)


def test_the_land_office_counter_offers_the_land_use_transfer_only(app):
    land_office = app.test_client()
    sign_in_officer(land_office, "motcua.vpdkdd")
    page = land_office.get("/officer/reception").get_data(as_text=True)
    assert "/officer/reception/1.012766" in page and "/officer/reception/1.001612" not in page
    assert land_office.get("/officer/reception/1.012766").status_code == 200
