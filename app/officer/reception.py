"""One-stop counter: receiving a dossier brought in person, by post, by a representative or a hired service, and
printing its documents (slips, process-control sheet, tracking book). Every route checks role and agency."""
import uuid
from datetime import UTC, datetime
from functools import wraps
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import officer_required
from app.camunda_forms import validate_submission
from app.documents.catalogue import documents_of
from app.documents.slips import control_sheet_pdf, render_slip
from app.documents.tracking_book import tracking_book_xlsx
from app.engine import EngineError
from app.extensions import db
from app.models import Dossier, Procedure, Slip
from app.models.dossier import CHANNELS, SUBMITTER_KINDS
from app.services import reception
from app.services.parties import OWNER_FORM_KEYS
from app.task_forms import form_context, start_form_of
from app.uploads import files_from_request, send_attachment

from . import bp

#: Roles that work on a dossier of their agency and may print its documents.
DOSSIER_ROLES = {"one_stop", "specialist", "leader"}
OWNER_FIELDS = ("owner_kind", "owner_name", "owner_id_number", "owner_address", "owner_phone", "owner_email")
SUBMITTER_FIELDS = ("submitter_kind", "submitter_name", "submitter_id_number", "submitter_phone",
                    "submitter_address", "authorisation_note")


def one_stop_required(view):
    """Officers with the ``one_stop`` role only (403 otherwise)."""
    @wraps(view)
    @officer_required
    def wrapped(*args, **kwargs):
        if "one_stop" not in current_user.roles:
            abort(403, "Chức năng này dành cho công chức Bộ phận Một cửa.")
        return view(*args, **kwargs)
    return wrapped


def _may_receive(version, agency) -> bool:
    """Whether ``agency`` may handle ``version``'s dossiers: the start form's ``handling_agency_code`` field (the
    communes for commune-level procedures, a fixed list such as the land registration office otherwise) offers
    it; a start form without that field leaves it to the receiving agency."""
    form = start_form_of(version)
    if form is None:
        return True
    field = next((f for f in form.fields if f.key == "handling_agency_code"), None)
    if field is None:
        return True
    return agency.code in {str(option.value) for option in field.options(form_context())}


@bp.get("/reception")
@one_stop_required
def reception_index():
    """Pick the procedure of a dossier brought to the counter; link to this year's tracking book."""
    procedures = [p for p in db.session.scalars(select(Procedure).order_by(Procedure.name))
                  if p.published_version and _may_receive(p.published_version, current_user.agency)]
    return render_template("officer/reception_index.html", procedures=procedures, year=datetime.now(UTC).year)


@bp.route("/reception/<code>", methods=["GET", "POST"])
@one_stop_required
def receive_at_counter(code):
    """Counter form: channel, owner, submitter, the procedure's start form and the scanned components."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None or procedure.published_version is None:
        abort(404, "Không tìm thấy thủ tục.")
    version = procedure.published_version
    agency = current_user.agency
    if not _may_receive(version, agency):
        abort(404, f"{agency.name} không tiếp nhận thủ tục này: cơ quan giải quyết do thủ tục quy định "
                   "(trường “Cơ quan giải quyết” của mẫu đơn).")
    form = start_form_of(version)
    context = {**form_context(), "handling_agency_options": [{"label": agency.name, "value": agency.code}]}
    components = documents_of(version.catalogue)
    values, errors = {}, {}
    if request.method == "POST":
        submitted = request.form.copy()
        submitted["handling_agency_code"] = agency.code
        context.update(_owner_identity(request.form))
        values, errors = validate_submission(form, submitted, context) if form else ({}, {})
        parties = _parties(request.form)
        errors.update(reception.check_parties(_channel(request.form), *parties))
        if not errors:
            result = _receive(procedure, values, parties, components)
            if not isinstance(result, dict):
                return result
            errors = result
        values = request.form.to_dict(flat=False)
    return render_template("officer/reception_new.html", procedure=procedure, form=form, values=values,
                           errors=errors, context=context, components=components, channels=CHANNELS,
                           submitter_kinds=SUBMITTER_KINDS, page=request.form if request.method == "POST" else {},
                           submission_key=request.form.get("submission_key") or uuid.uuid4().hex), \
        400 if errors else 200


def _receive(procedure, values, parties, components):
    files = files_from_request(components)
    try:
        dossier = reception.receive_at_counter(
            procedure, officer=current_user, channel=_channel(request.form), owner=parties[0], submitter=parties[1],
            application=values, files=files, now=datetime.now(UTC),
            submission_key=request.form.get("submission_key") or None)
        db.session.commit()
    except reception.ReceptionError as exc:
        db.session.rollback()
        return exc.errors
    except IntegrityError:
        db.session.rollback()
        flash("Hồ sơ này đã được lưu (biểu mẫu gửi hai lần).", "warning")
        return redirect(url_for("officer.inbox"), 303)
    except EngineError as exc:
        db.session.rollback()
        abort(422, f"Quy trình gặp lỗi tại bước {exc.element_id or '?'}: {exc}. Không có thay đổi nào được lưu.")
    flash(f"Đã lưu hồ sơ {dossier.code}. Kiểm tra hồ sơ và chọn kết quả tiếp nhận.", "success")
    check = next((w for w in dossier.work_items if "one_stop" in w.groups), None)
    target = url_for("officer.work_item", task_id=check.task_id) if check else url_for(
        "officer.dossier_detail", code=dossier.code)
    return redirect(target, 303)


@bp.get("/dossiers/<code>/slips/<int:slip_id>.pdf")
@officer_required
def slip_pdf(code, slip_id):
    """One issued slip of a dossier of my agency, as an A5 PDF."""
    dossier = _agency_dossier_or_404(code)
    slip = db.session.get(Slip, slip_id)
    if slip is None or slip.dossier_id != dossier.id:
        abort(404, "Không tìm thấy phiếu.")
    return _pdf(render_slip(slip), f"{slip.kind}-{dossier.code}.pdf")


@bp.get("/dossiers/<code>/control-sheet.pdf")
@officer_required
def control_sheet(code):
    """The process-control sheet of a dossier of my agency, from its step log."""
    dossier = _agency_dossier_or_404(code)
    return _pdf(control_sheet_pdf(dossier, now=datetime.now(UTC)), f"phieu-kiem-soat-{dossier.code}.pdf")


@bp.get("/dossiers/<code>/attachments/<int:attachment_id>")
@officer_required
def attachment_file(code, attachment_id):
    """A scanned component of a dossier of my agency."""
    return send_attachment(_agency_dossier_or_404(code), attachment_id)


@bp.get("/tracking-book/<int:year>.xlsx")
@officer_required
def tracking_book(year):
    """My agency's tracking book of ``year`` (one-stop officers and leaders)."""
    if not current_user.roles & {"one_stop", "leader"}:
        abort(403, "Sổ theo dõi hồ sơ dành cho công chức Bộ phận Một cửa và lãnh đạo cơ quan.")
    if not 2000 <= year <= 2100:
        abort(404)
    content = tracking_book_xlsx(current_user.agency, year)
    return send_file(BytesIO(content), download_name=f"so-theo-doi-ho-so-{current_user.agency.code}-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True)


def _agency_dossier_or_404(code: str) -> Dossier:
    """A dossier my agency handles or holds a work item of (a consulted agency, the tax authority: they read its
    documents to give their part; ND 118/2025 Art. 17), for a role that works on it; 404 for any other agency (its
    existence is not disclosed)."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or (dossier.handling_agency_id != current_user.agency_id
                           and not any(w.agency_id == current_user.agency_id for w in dossier.work_items)):
        abort(404, "Không tìm thấy hồ sơ trong cơ quan của bạn.")
    if not current_user.roles & DOSSIER_ROLES:
        abort(403, "Bạn không có quyền xem giấy tờ của hồ sơ này.")
    return dossier


def _pdf(content: bytes, name: str):
    return send_file(BytesIO(content), mimetype="application/pdf", download_name=name)


def _channel(form) -> int:
    try:
        return int(form.get("channel", ""))
    except ValueError:
        return 0


def _parties(form) -> tuple[dict, dict]:
    return ({f: form.get(f, "") for f in OWNER_FIELDS}, {f: form.get(f, "") for f in SUBMITTER_FIELDS})


def _owner_identity(form) -> dict[str, str]:
    """Start-form values of the owner typed in the counter's owner section (``applicant_full_name`` ← ``owner_name``
    …): the read-only identity fields, filled from VNeID online, take these at the counter (ND 118/2025 Art. 15.2)."""
    return {key: form.get(field, "").strip() for field, key in OWNER_FORM_KEYS.items() if form.get(field, "").strip()}

