"""Found by the browser walk (tests/browser/test_one_stop_walk.py): an officer of a consulted agency (or the tax
authority) works on a dossier another agency handles. While its agency holds a work item it reads the dossier's
slips and control sheet; after completing its part it lands on its inbox (not on a 404 dossier page); an agency with
no part in the dossier still gets 404."""
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Applicant, Officer, Procedure
from app.services.dossiers import complete_work_item, submit_dossier
from tests.conftest import post_form, sign_in_officer

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def land_transfer_in_consultation() -> str:
    """A land-use transfer received by the land office and sent to Tô Hiệu and Sở Xây dựng for opinions."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.012766"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    office = db.session.scalar(select(Agency).where(Agency.code == "H54.20.01"))
    dossier = submit_dossier(procedure, applicant=applicant, handling_agency=office, now=NOW,
                             application={"land_parcel": "Thửa 58, tờ bản đồ 7"})
    for username, bpmn_id, values in (
            ("motcua.vpdkdd", "check_dossier", {"reception_outcome": "receive"}),
            ("chuyenvien.vpdkdd", "appraise_dossier", {"appraisal_opinion": "Đủ điều kiện.", "proposal": "approve",
                                                        "consulted_agencies": ["H54.10.01", "H54.30"]})):
        officer = db.session.scalar(select(Officer).where(Officer.username == username))
        item = next(w for w in dossier.work_items if w.bpmn_id == bpmn_id)
        complete_work_item(dossier, item.task_id, actor=officer, values=values, now=NOW)
    db.session.commit()
    return dossier.code


def test_a_consulted_agency_reads_the_documents_while_it_holds_a_work_item(app):
    with app.app_context():
        code = land_transfer_in_consultation()
    consulted = app.test_client()
    sign_in_officer(consulted, "chuyenvien.tohieu")
    inbox = consulted.get("/officer/").get_data(as_text=True)
    task_id = re.search(rf'data-dossier="{re.escape(code)}".*?/officer/work-items/([^"]+)"', inbox, re.DOTALL).group(1)
    page = consulted.get(f"/officer/work-items/{task_id}").get_data(as_text=True)
    links = re.findall(rf'href="(/officer/dossiers/{re.escape(code)}/[^"]+\.pdf)"', page)
    assert any("/slips/" in link for link in links) and any("control-sheet" in link for link in links)
    for link in links:
        response = consulted.get(link)
        assert response.status_code == 200 and response.mimetype == "application/pdf", link


def test_a_consulted_agency_lands_on_its_inbox_after_giving_its_opinion(app):
    with app.app_context():
        code = land_transfer_in_consultation()
    consulted = app.test_client()
    sign_in_officer(consulted, "chuyenvien.tohieu")
    inbox = consulted.get("/officer/").get_data(as_text=True)
    task_id = re.search(rf'data-dossier="{re.escape(code)}".*?/officer/work-items/([^"]+)"', inbox, re.DOTALL).group(1)
    done = post_form(consulted, f"/officer/work-items/{task_id}",
                     {"consultation_answer": "agree", "consultation_opinion": "Đất không có tranh chấp."})
    assert done.status_code == 303 and done.headers["Location"].endswith("/officer/")
    landing = consulted.get(done.headers["Location"])
    assert landing.status_code == 200 and "Đã hoàn thành công việc" in landing.get_data(as_text=True)
    assert consulted.get(f"/officer/dossiers/{code}").status_code == 404  # its part is done: no longer its business


def test_an_agency_with_no_part_cannot_fetch_the_documents(app):
    with app.app_context():
        code = land_transfer_in_consultation()
    consulted = app.test_client()
    sign_in_officer(consulted, "chuyenvien.tohieu")
    page = consulted.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    link = re.search(rf'href="(/officer/dossiers/{re.escape(code)}/slips/[^"]+)"', page).group(1)
    outsider = app.test_client()
    sign_in_officer(outsider, "chuyenvien.maison")
    assert outsider.get(link).status_code == 404
    assert outsider.get(f"/officer/dossiers/{code}/control-sheet.pdf").status_code == 404
    assert outsider.get(f"/officer/dossiers/{code}").status_code == 404
