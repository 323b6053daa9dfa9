"""The four procedures of issue 5 (copy certification, birth registration, construction permit, land-use transfer):
scenario coverage, the copy fee table, the inter-agency land procedure's work items and the sample agencies."""
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Applicant, Dossier, Officer, Procedure
from app.services.dossier_state import restore_workflow
from app.services.dossiers import complete_work_item, submit_dossier
from config import BASE_DIR
from tests.conftest import post_form, sign_in_citizen, sign_in_officer

SCENARIOS = BASE_DIR / "processes" / "scenarios"
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # Monday 09:00 in Sơn La
PATHS = {
    "copy_certification": {"happy_path", "refused_at_reception", "refused_after_appraisal", "late", "withdrawn",
                           "supplement_then_second_refused", "after_cutoff", "fee_cap"},
    "birth_registration": {"happy_path", "returned_at_counter", "refused_at_reception", "refused_after_appraisal",
                           "late", "withdrawn", "supplement_then_second_refused"},
    "house_construction_permit": {"happy_path", "supplement_after_appraisal", "second_supplement_refused",
                                  "refused_after_appraisal", "refused_at_reception", "late", "withdrawn"},
    "land_use_transfer_registration": {"happy_path", "refused_after_appraisal", "refused_at_reception", "late",
                                       "supplement_then_second_refused", "withdrawn"},
}


@pytest.mark.parametrize("process", sorted(PATHS))
def test_every_path_of_the_new_procedures_has_a_scenario(process):
    kinds = {p.name.split(".")[1] for p in SCENARIOS.glob(f"{process}.*.json")}
    assert PATHS[process] <= kinds


def reference_fee(pages: int, copies: int) -> int:
    """TT 226/2016/TT-BTC: 2,000 đ for each of pages 1–2, 1,000 đ per page from page 3, at most 200,000 đ a copy."""
    return copies * min(2000 * min(pages, 2) + 1000 * max(pages - 2, 0), 200_000)


def file_and_receive(code: str, agency: str, application: dict) -> Dossier:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    handling = db.session.scalar(select(Agency).where(Agency.code == agency))
    dossier = submit_dossier(procedure, applicant=applicant, handling_agency=handling, application=application,
                             now=NOW)
    one_stop = db.session.scalar(select(Officer).where(Officer.agency == handling, Officer.roles_text == "one_stop"))
    check = next(w for w in dossier.work_items if w.bpmn_id == "check_dossier")
    complete_work_item(dossier, check.task_id, actor=one_stop, values={"reception_outcome": "receive"}, now=NOW)
    return dossier


@pytest.mark.parametrize("pages, copies", [(1, 1), (2, 3), (3, 1), (5, 3), (100, 2), (198, 1), (199, 1), (250, 2)])
def test_the_copy_certification_fee_follows_the_circular(ctx, pages, copies):
    dossier = file_and_receive("2.000815", "H54.10.01", {
        "original_document_name": "Học bạ", "pages_per_copy": pages, "copies": copies, "commitment": True})
    assert restore_workflow(dossier).data()["fee_amount_vnd"] == reference_fee(pages, copies)


def test_land_transfer_hands_consultations_and_the_tax_step_to_other_agencies(app):
    with app.app_context():
        dossier = file_and_receive("1.012766", "H54.20.01", {"land_parcel": "Thửa 58, tờ bản đồ 7"})
        specialist = db.session.scalar(select(Officer).where(Officer.username == "chuyenvien.vpdkdd"))
        appraise = next(w for w in dossier.work_items if w.bpmn_id == "appraise_dossier")
        complete_work_item(dossier, appraise.task_id, actor=specialist, now=NOW, values={
            "appraisal_opinion": "Đủ điều kiện.", "proposal": "approve", "consulted_agencies": ["H54.10.01", "H54.30"]})
        db.session.commit()
        consultations = sorted((w.agency.code, w.task_due_at, w.due_at) for w in dossier.work_items)
        warning_at = datetime.fromisoformat(restore_workflow(dossier).data()["warning_at"])
        assert [c[0] for c in consultations] == ["H54.10.01", "H54.30"]
        assert all(c[1] == warning_at and c[2] == warning_at < dossier.due_at for c in consultations)
        code = dossier.code

    construction = app.test_client()
    sign_in_officer(construction, "chuyenvien.sxd")
    assert "Cho ý kiến phối hợp" in construction.get("/officer/").get_data(as_text=True)
    land_office = app.test_client()
    sign_in_officer(land_office, "chuyenvien.vpdkdd")
    assert "Cho ý kiến phối hợp" not in land_office.get("/officer/").get_data(as_text=True)

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        for item in list(dossier.work_items):
            officer = db.session.scalar(select(Officer).where(Officer.agency == item.agency,
                                                              Officer.roles_text == "specialist"))
            complete_work_item(dossier, item.task_id, actor=officer, now=NOW,
                               values={"consultation_answer": "agree", "consultation_opinion": "Thống nhất."})
        db.session.commit()
        assert [(w.bpmn_id, w.agency.code) for w in dossier.work_items] == [
            ("determine_financial_obligation", "H54.90.01")]

    tax = app.test_client()
    sign_in_officer(tax, "chuyenvien.thue")
    assert "Xác định nghĩa vụ tài chính" in tax.get("/officer/").get_data(as_text=True)


def test_the_sample_tax_authority_and_land_office_officers_sign_in(app):
    with app.app_context():
        names = {a.code: a.name for a in db.session.scalars(select(Agency).where(Agency.level == "department"))}
    assert names["H54.90.01"].startswith("Thuế cơ sở") and "Đăng ký đất đai" in names["H54.20.01"]
    for username in ("motcua.vpdkdd", "chuyenvien.vpdkdd", "lanhdao.vpdkdd", "chuyenvien.thue", "lanhdao.thue",
                     "chuyenvien.sxd", "chuyenvien.snnmt"):
        sign_in_officer(app.test_client(), username)


def test_the_new_diagrams_declare_the_agreed_properties():
    text = {p.stem: p.read_text() for p in (BASE_DIR / "processes").glob("*.bpmn")}
    for same_day in ("copy_certification", "birth_registration"):
        assert '"time_limit_unit" value="same_day"' in text[same_day] and '"time_limit" value="0"' in text[same_day]
    permit = text["house_construction_permit"]
    assert '"clock_pause" value="supplement"' in permit and '"clock_restart" value="true"' in permit
    assert '"clock_pause" value="financial_obligation"' in text["land_use_transfer_registration"]
    assert all('messageRef="Message_withdrawal_requested"' in text[p] for p in PATHS)
    assert Path(BASE_DIR / "processes" / "copy_certification_fee.dmn").exists()


IDENTITY = {"applicant_full_name": "Nguyễn Văn An", "applicant_birth_date": "1990-03-12",
            "applicant_personal_id": "014090001234", "applicant_phone": "0912345678",
            "applicant_address": "Tổ 3, phường Tô Hiệu, tỉnh Sơn La"}
FILINGS = {
    "1.001193": ("H54.10.01", {"child_full_name": "Nguyễn Minh Khang", "child_birth_date": "2026-05-20",
                               "child_sex": "male", "child_birth_place": "Bệnh viện Đa khoa tỉnh Sơn La",
                               "mother_full_name": "Lò Thị Bình", "relationship_to_child": "father",
                               "preferred_return_channel": "online", "commitment": "true"}),
    "1.012766": ("H54.20.01", {"land_parcel": "Thửa 58, tờ bản đồ 7", "land_address": "Tổ 5, phường Tô Hiệu",
                               "land_area_m2": "120", "land_certificate_number": "CS 045678",
                               "transferee_full_name": "Lò Thị Bình", "transferee_personal_id": "014195004567",
                               "contract_value_vnd": "1500000000", "commitment": "true"}),
}


@pytest.mark.parametrize("code", sorted(FILINGS))
def test_a_citizen_finds_and_files_the_procedure_on_the_portal(app, code):
    agency, values = FILINGS[code]
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    page = citizen.get(f"/procedures/{code}").get_data(as_text=True)
    with app.app_context():
        catalogue = db.session.scalar(select(Procedure).where(Procedure.code == code)).published_version.catalogue
    assert catalogue["procedure_name"] in page and catalogue["document_1"] in page
    response = post_form(citizen, f"/procedures/{code}/apply", {**IDENTITY, "handling_agency_code": agency, **values})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert dossier.procedure.code == code and dossier.handling_agency.code == agency
        assert [w.bpmn_id for w in dossier.work_items] == ["check_dossier"]


def test_the_receipt_prints_the_fee_the_diagram_computed(ctx):
    """Found by the fresh-user trial: Mẫu 01 of a copy certification printed the catalogue's 2.000 đồng while the
    fee table asked for 100.000.000; the receipt now prints the computed fee (TT 226/2016/TT-BTC)."""
    import io

    from pypdf import PdfReader

    from app.documents.slips import render_slip
    dossier = file_and_receive("2.000815", "H54.10.01", {
        "original_document_name": "Học bạ", "pages_per_copy": 10, "copies": 3, "commitment": True})
    (receipt,) = [s for s in dossier.slips if s.template.kind == "receipt"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_slip(receipt))).pages)
    assert f"{reference_fee(10, 3):,} đồng".replace(",", ".") in " ".join(text.split())
