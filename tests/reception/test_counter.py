"""Reception at the one-stop counter: channels, owner vs submitter, scanned components and their refusals."""
import stat

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Applicant, Attachment, Dossier
from app.services.attachments import stored_path
from tests.conftest import APPLICATION, post_form, sign_in_citizen, sign_in_officer
from tests.reception.helpers import (
    COUNTER_URL,
    NO_ACCOUNT_ID,
    OWNER,
    PDF_BYTES,
    PNG_BYTES,
    REPRESENTATIVE,
    counter_app,
    file_at_counter,
    only_dossier,
)


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "no-such-clamdscan"))


@pytest.fixture
def officer(app):
    client = app.test_client()
    sign_in_officer(client, "motcua.tohieu")
    return client


def fake_scanner(tmp_path, exit_status: int, output: str):
    """A stand-in for clamdscan: prints ``output`` and exits with ``exit_status`` (ClamAV: 0 clean, 1 infected)."""
    script = tmp_path / f"fake-clamdscan-{exit_status}"
    script.write_text(f"#!/bin/sh\necho \"$2: {output}\"\nexit {exit_status}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_counter_dossier_records_channel_owner_submitter_and_the_scan(app, officer):
    response = file_at_counter(officer, submitter=REPRESENTATIVE,
                               files={"file_0": (PDF_BYTES, "de-nghi.png"), "file_2": [(PNG_BYTES, "uy-quyen.pdf")]})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "/officer/work-items/" in response.headers["Location"]  # straight on to the reception check
    with app.app_context():
        dossier = only_dossier()
        assert (dossier.channel, dossier.channel_label) == (1, "Trực tiếp tại Bộ phận Một cửa")
        assert dossier.applicant_id is None  # no citizen account behind a counter dossier
        assert (dossier.owner_name, dossier.owner_id_number, dossier.owner_phone) == (
            OWNER["owner_name"], NO_ACCOUNT_ID, OWNER["owner_phone"])
        assert (dossier.submitter_kind, dossier.submitter_name, dossier.authorisation_note) == (
            "authorised", "Lò Văn Khoa", REPRESENTATIVE["authorisation_note"])
        assert dossier.status.name == "submitted" and dossier.application["handling_agency_code"] == "H54.10.01"
        files = {a.original_name: a for a in dossier.attachments}
        assert files["de-nghi.png"].content_type == "application/pdf"  # by content, not by the name
        assert files["uy-quyen.pdf"].content_type == "image/png"
        assert files["uy-quyen.pdf"].component.startswith("Văn bản ủy quyền")
        assert {a.scan_status for a in dossier.attachments} == {"not_scanned"}
        assert stored_path(files["de-nghi.png"].sha256).read_bytes() == PDF_BYTES
        assert [e.kind for e in dossier.events][:2] == ["submitted", "counter_reception"]
        assert dossier.events[0].data["channel"] == "counter"
        assert "sha256" not in str(dossier.application)  # files stay out of the application / task data
    check_page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "de-nghi.png" in check_page and "uy-quyen.pdf" in check_page  # the scans beside the check form
    page = officer.get(f"/officer/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Lò Văn Khoa" in page and REPRESENTATIVE["authorisation_note"] in page
    assert "Quàng Văn Dũng" in page and "Trực tiếp tại Bộ phận Một cửa" in page


def test_postal_dossier_of_a_citizen_with_an_account_is_linked_to_it(app, officer):
    owner = {**OWNER, "owner_name": "Lò Thị Bình", "owner_id_number": "014195004567"}
    assert file_at_counter(officer, channel=3, owner=owner).status_code == 303
    with app.app_context():
        dossier = only_dossier()
        assert dossier.channel == 3 and dossier.events[0].data["channel"] == "postal"
        assert dossier.applicant.personal_id == "014195004567"
    citizen = app.test_client()
    sign_in_citizen(citizen, "014195004567")
    assert dossier.code in citizen.get("/my-dossiers").get_data(as_text=True)


def test_online_dossier_is_channel_2_with_the_owner_from_vneid(app):
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert post_form(citizen, "/procedures/1.001612/apply", APPLICATION).status_code in (302, 303)
    with app.app_context():
        dossier = only_dossier()
        applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
        assert dossier.channel == 2 and dossier.submitter_kind == "self"
        assert (dossier.owner_name, dossier.owner_id_number) == (applicant.full_name, "014090001234")


@pytest.mark.parametrize("files, message", [
    ({"file_0": (b"<html>not a scan</html>", "giay-de-nghi.pdf")}, "Tệp «giay-de-nghi.pdf» không phải tệp PDF, JPEG"),
    ({"file_0": (PDF_BYTES + b"x" * 200, "qua-lon.pdf")}, "Tệp «qua-lon.pdf» có dung lượng"),
    ({"file_0": (b"", "rong.pdf")}, "Tệp «rong.pdf» rỗng"),
])
def test_refused_uploads_are_named_and_nothing_is_stored(tmp_path, files, message):
    app = counter_app(tmp_path, ATTACHMENT_MAX_BYTES=150, MALWARE_SCAN_COMMAND="")
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    response = file_at_counter(officer, files=files)
    with app.app_context():
        count = db.session.scalar(select(func.count(Dossier.id)))
        attachments = db.session.scalar(select(func.count(Attachment.id)))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count == 0 and attachments == 0


def test_an_infected_file_is_refused_and_a_clean_one_recorded(tmp_path):
    infected = counter_app(tmp_path, MALWARE_SCAN_COMMAND=fake_scanner(tmp_path, 1, "Eicar-Test-Signature FOUND"))
    officer = infected.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    response = file_at_counter(officer, files={"file_0": (PDF_BYTES, "ban-quet.pdf")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tệp «ban-quet.pdf» bị phần mềm quét mã độc phát hiện nhiễm mã độc" in page and "Eicar" in page
    with infected.app_context():
        assert db.session.scalar(select(func.count(Dossier.id))) == 0
    assert not any(p.is_file() and p.name != "" and "upload-" in p.name
                   for p in (tmp_path / "attachments").rglob("*"))

    clean = counter_app(tmp_path, MALWARE_SCAN_COMMAND=fake_scanner(tmp_path, 0, "OK"))
    officer = clean.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    assert file_at_counter(officer).status_code == 303
    with clean.app_context():
        assert [a.scan_status for a in only_dossier().attachments] == ["clean"]


@pytest.mark.parametrize("change, field_message", [
    ({"submitter_kind": "authorised", "submitter_name": "Lò Văn Khoa", "submitter_id_number": "014092003333"},
     "Giấy ủy quyền / hợp đồng dịch vụ là bắt buộc"),
    ({"owner_id_number": "12345"}, "Số định danh cá nhân gồm đúng 12 chữ số"),
    ({"owner_address": ""}, "Địa chỉ của chủ hồ sơ là bắt buộc"),
    ({"channel": "2"}, "Chọn cách thức nộp"),
])
def test_counter_form_refuses_missing_party_data(app, officer, change, field_message):
    owner = {**OWNER, **{k: v for k, v in change.items() if k.startswith("owner")}}
    submitter = {k: v for k, v in change.items() if k.startswith("submitter") or k == "authorisation_note"}
    response = file_at_counter(officer, owner=owner, submitter=submitter or None,
                               **({"channel": change["channel"]} if "channel" in change else {}))
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Dossier.id))) == 0


@pytest.mark.parametrize("username", ["chuyenvien.tohieu", "lanhdao.tohieu"])
def test_only_one_stop_officers_receive_at_the_counter(app, username):
    client = app.test_client()
    sign_in_officer(client, username)
    assert client.get(COUNTER_URL).status_code == 403
    assert client.get("/officer/reception").status_code == 403


def test_counter_page_shows_the_start_form_and_the_components(officer):
    page = officer.get(COUNTER_URL).get_data(as_text=True)
    assert "Chủ hồ sơ" in page and "Người nộp hồ sơ" in page and 'enctype="multipart/form-data"' in page
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in page and 'name="business_name"' in page
