"""Citizens attach dossier components online: when filing, with a supplement, and download only their own."""
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Dossier
from app.services.attachments import stored_path
from tests.conftest import (
    APPLICATION,
    hidden_fields,
    post_form,
    sign_in_citizen,
    sign_in_officer,
)
from tests.reception.helpers import PDF_BYTES, counter_app

APPLY_URL = "/procedures/1.001612/apply"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "no-such-clamdscan"))


@pytest.fixture
def citizen(app):
    client = app.test_client()
    sign_in_citizen(client, "014090001234")
    return client


def post_multipart(client, url: str, data: dict, files: dict):
    """POST ``data`` with the page's hidden fields and ``files`` (input name → (bytes, file name)) as a browser."""
    body = {**hidden_fields(client, url), **data}
    for field, (content, name) in files.items():
        body[field] = (io.BytesIO(content), name)
    return client.post(url, data=body, content_type="multipart/form-data")


def only_dossier() -> Dossier:
    return db.session.scalar(select(Dossier))


def test_apply_form_offers_a_file_input_per_component(citizen):
    page = citizen.get(APPLY_URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="file_0" type="file"' in page and 'name="file_other" type="file"' in page
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in page.split('name="file_0"')[0].rsplit("<label", 1)[1]


def test_citizen_files_with_a_pdf_and_a_jpeg_and_the_officer_sees_them(app, citizen):
    response = post_multipart(citizen, APPLY_URL, APPLICATION, {"file_0": (PDF_BYTES, "de-nghi.pdf"),
                                                                "file_other": (JPEG_BYTES, "anh-cccd.jpg")})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        dossier = only_dossier()
        code = dossier.code
        rows = {a.original_name: (a.component, a.content_type, a.uploaded_by_label) for a in dossier.attachments}
        ids = {a.original_name: a.id for a in dossier.attachments}
        assert stored_path(dossier.attachments[0].sha256).exists()
    assert rows["de-nghi.pdf"][0].startswith("Giấy đề nghị đăng ký hộ kinh doanh")
    assert rows["de-nghi.pdf"][1] == "application/pdf"
    assert rows["anh-cccd.jpg"][:2] == ("Giấy tờ khác", "image/jpeg")
    assert "Nguyễn Văn An" in rows["de-nghi.pdf"][2]

    mine = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "de-nghi.pdf" in mine and f"/my-dossiers/{code}/attachments/{ids['de-nghi.pdf']}" in mine
    download = citizen.get(f"/my-dossiers/{code}/attachments/{ids['de-nghi.pdf']}")
    assert download.status_code == 200 and download.data == PDF_BYTES and download.mimetype == "application/pdf"

    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    page = officer.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "de-nghi.pdf" in page and "anh-cccd.jpg" in page
    assert officer.get(f"/officer/dossiers/{code}/attachments/{ids['anh-cccd.jpg']}").data == JPEG_BYTES


def test_a_fake_pdf_is_refused_by_name_and_no_dossier_is_created(app, citizen, tmp_path):
    response = post_multipart(citizen, APPLY_URL, {**APPLICATION, "applicant_phone": "0987000111"},
                              {"file_0": (PDF_BYTES, "de-nghi.pdf"), "file_1": (b"just text, renamed", "cccd.pdf")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tệp «cccd.pdf» không phải tệp PDF, JPEG hoặc PNG" in page
    assert 'value="0987000111"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Dossier.id))) == 0
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert not [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]  # not even the good PDF


def test_a_second_post_with_the_same_submission_key_attaches_nothing_twice(app, citizen):
    body = {**hidden_fields(citizen, APPLY_URL), **APPLICATION}
    for _ in range(2):
        response = citizen.post(APPLY_URL, data={**body, "file_0": (io.BytesIO(PDF_BYTES), "de-nghi.pdf")},
                                content_type="multipart/form-data")
        assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 1


def request_supplement(app, citizen) -> tuple[str, str]:
    """File without files, have the counter ask for a supplement; returns (dossier code, supplement task URL)."""
    assert post_form(citizen, APPLY_URL, APPLICATION).status_code == 302
    with app.app_context():
        dossier = only_dossier()
        code, check = dossier.code, dossier.work_items[0].task_id
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    assert post_form(officer, f"/officer/work-items/{check}", {
        "reception_outcome": "supplement", "missing_items": "Bản sao hợp đồng thuê địa điểm",
        "supplement_reason": "Địa điểm kinh doanh đi thuê"}).status_code == 303
    page = citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)
    task = re.search(rf"/my-dossiers/{re.escape(code)}/tasks/[^\"]+", page).group(0)
    return code, task


def test_supplement_with_a_file_attaches_it_to_the_chosen_component(app, citizen):
    code, task = request_supplement(app, citizen)
    answer = {"supplement_note": "Đã bổ sung hợp đồng thuê", "supplement_confirmation": "true",
              "upload_component": "other"}
    refused = post_multipart(citizen, task, answer, {"upload_file": (b"<html></html>", "hop-dong.pdf")})
    assert refused.status_code == 400 and "Tệp «hop-dong.pdf» không phải tệp PDF" in refused.get_data(as_text=True)
    with app.app_context():
        assert only_dossier().status.name == "awaiting_supplement" and not only_dossier().attachments

    done = post_multipart(citizen, task, {**answer, "upload_component": "0"}, {"upload_file": (PDF_BYTES, "hop-dong.pdf")})
    assert done.status_code == 303, done.get_data(as_text=True)
    with app.app_context():
        dossier = only_dossier()
        assert dossier.status.name == "submitted"
        assert [(a.component[:34], a.original_name) for a in dossier.attachments] == [
            ("Giấy đề nghị đăng ký hộ kinh doanh", "hop-dong.pdf")]
    assert "hop-dong.pdf" in citizen.get(f"/my-dossiers/{code}").get_data(as_text=True)


def test_another_citizen_cannot_download_my_attachment(app, citizen):
    post_multipart(citizen, APPLY_URL, APPLICATION, {"file_0": (PDF_BYTES, "de-nghi.pdf")})
    with app.app_context():
        dossier = only_dossier()
        url = f"/my-dossiers/{dossier.code}/attachments/{dossier.attachments[0].id}"
    other = app.test_client()
    sign_in_citizen(other, "014195004567")
    response = other.get(url)
    assert response.status_code == 404 and PDF_BYTES not in response.data
    assert citizen.get(url.rsplit("/", 1)[0] + "/999").status_code == 404
