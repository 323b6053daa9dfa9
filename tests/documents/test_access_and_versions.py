"""Who may download which document (role and agency per route), the tracking book, and template versions."""
import io
import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

import app.documents.templates as slip_templates
from app.documents.slips import render_slip
from app.extensions import db
from app.models import Slip
from tests.conftest import post_form, sign_in_citizen, sign_in_officer
from tests.documents.test_slips import pdf_text
from tests.reception.helpers import (
    OWNER,
    counter_app,
    file_at_counter,
    only_dossier,
    task_id_of,
)


@pytest.fixture
def app(tmp_path):
    return counter_app(tmp_path, MALWARE_SCAN_COMMAND=str(tmp_path / "none"))


@pytest.fixture
def received(app):
    """A counter dossier of Phường Tô Hiệu for Lò Thị Bình (who has a citizen account), received: its URLs."""
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    owner = {**OWNER, "owner_name": "Lò Thị Bình", "owner_id_number": "014195004567"}
    task_id = task_id_of(file_at_counter(officer, owner=owner))
    post_form(officer, f"/officer/work-items/{task_id}", {"reception_outcome": "receive"})
    with app.app_context():
        dossier = only_dossier()
        code, slip_id, attachment_id = dossier.code, dossier.slips[0].id, dossier.attachments[0].id
    return {"slip": f"/officer/dossiers/{code}/slips/{slip_id}.pdf",
            "control_sheet": f"/officer/dossiers/{code}/control-sheet.pdf",
            "attachment": f"/officer/dossiers/{code}/attachments/{attachment_id}",
            "my_slip": f"/my-dossiers/{code}/slips/{slip_id}.pdf", "code": code}


@pytest.mark.parametrize("route", ["slip", "control_sheet", "attachment"])
@pytest.mark.parametrize("username, status", [("motcua.tohieu", 200), ("chuyenvien.tohieu", 200),
                                              ("lanhdao.tohieu", 200), ("motcua.chiengan", 404),
                                              ("lanhdao.maison", 404)])
def test_dossier_documents_only_for_the_handling_agency(app, received, route, username, status):
    client = app.test_client()
    sign_in_officer(client, username)
    assert client.get(received[route]).status_code == status


@pytest.mark.parametrize("route", ["slip", "control_sheet", "attachment", "my_slip"])
def test_documents_need_sign_in(app, received, route):
    assert app.test_client().get(received[route]).status_code in (302, 401)


def test_the_owner_gets_the_slip_on_my_dossiers_and_nobody_else(app, received):
    owner = app.test_client()
    sign_in_citizen(owner, "014195004567")
    page = owner.get(f"/my-dossiers/{received['code']}").get_data(as_text=True)
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page and received["my_slip"] in page
    response = owner.get(received["my_slip"])
    assert response.status_code == 200 and "Lò Thị Bình" in pdf_text(response.data)
    other = app.test_client()
    sign_in_citizen(other, "014090001234")
    assert other.get(received["my_slip"]).status_code == 404
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    assert officer.get(received["my_slip"]).status_code in (302, 401, 403)


def test_tracking_book_per_unit_and_year_with_continuous_numbers(app, received):
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    task_id_of(file_at_counter(officer))  # a second dossier, not yet received
    year = datetime.now(UTC).year
    response = officer.get(f"/officer/tracking-book/{year}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1] == received["code"] and rows[0][2] == "Đăng ký thành lập hộ kinh doanh"
    assert rows[0][4] == "Lò Thị Bình" and rows[0][7] == "Trực tiếp tại Bộ phận Một cửa" and rows[0][9]
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.page_setup.orientation == "landscape"
    other = app.test_client()
    sign_in_officer(other, "motcua.chiengan")
    book = load_workbook(io.BytesIO(other.get(f"/officer/tracking-book/{year}.xlsx").data)).active
    assert [r for r in book.iter_rows(min_row=4, values_only=True) if r[0] is not None] == []  # its own unit only
    assert [r for r in load_workbook(io.BytesIO(officer.get(f"/officer/tracking-book/{year - 1}.xlsx").data))
            .active.iter_rows(min_row=4, values_only=True) if r[0] is not None] == []
    specialist = app.test_client()
    sign_in_officer(specialist, "chuyenvien.tohieu")
    assert specialist.get(f"/officer/tracking-book/{year}.xlsx").status_code == 403


def test_a_new_template_version_prints_new_slips_and_old_slips_keep_theirs(app, received, tmp_path, monkeypatch):
    folder = tmp_path / "documents"
    shutil.copytree(slip_templates.TEMPLATE_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    source = (folder / "receipt.v1.html").read_text(encoding="utf-8")
    (folder / "receipt.v2.html").write_text(source.replace("Vào Sổ theo dõi hồ sơ", "PHIÊN BẢN HAI — Vào Sổ"),
                                            encoding="utf-8")
    today = datetime.now(UTC).date()
    manifest += [{**manifest[0], "version": 2, "file": "receipt.v2.html", "effective_on": today.isoformat()},
                 {**manifest[0], "version": 3, "file": "receipt.v2.html",
                  "effective_on": (today + timedelta(days=30)).isoformat()}]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr(slip_templates, "TEMPLATE_DIR", folder)
    with app.test_request_context():
        old = db.session.get(Slip, int(received["slip"].rsplit("/", 1)[1].removesuffix(".pdf")))
        new = slip_templates.template_for("receipt", today)
        assert new.version == 2  # the newest in force today; version 3 is not yet in force
        assert old.template.version == 1 and "PHIÊN BẢN HAI" not in pdf_text(render_slip(old))
        (folder / "receipt.v1.html").write_text(source + "<!-- edited -->", encoding="utf-8")
        with pytest.raises(ValueError, match="tạo phiên bản mới"):
            slip_templates.sync_slip_templates()
