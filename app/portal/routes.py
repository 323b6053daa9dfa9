"""Portal routes: thin handlers (parse, one service call, commit once, map errors to HTTP)."""
import re
import uuid
from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import applicant_required, safe_next_url
from app.camunda_forms import validate_submission
from app.documents.catalogue import documents_of
from app.extensions import db
from app.models import Agency, Applicant, Dossier, Procedure
from app.models.dossier import CHANNEL_ONLINE
from app.engine import EngineError
from app.services import dossiers, withdrawal
from app.services.attachments import VettedUpload, attach_vetted
from app.task_forms import form_context, labelled_values, start_form_of
from app.uploads import files_from_request, send_attachment, vet_files
from app.work_item_views import work_item_page

from . import bp
from .forms import DevSignInForm, LookupForm, WithdrawalForm


#: History entries shown to the applicant: each step and its handler (ND 224/2026 Art. 15.1(g)); internal
#: bookkeeping (timers, warnings, incidents) stays on the officer side.
APPLICANT_EVENT_KINDS = {"submitted", "task_completed", "received", "supplement_requested", "reception_refused",
                         "decision_recorded", "status_changed", "clock_paused", "clock_resumed", "clock_restarted",
                         "appointment_changed",
                         # results (app/services/results.py) and stops (app/services/withdrawal.py): ND 118/2025
                         # Art. 21–22; labels in _macros.html
                         "early_return_notice", "result_returned", "e_result_issued", "originals_returned",
                         "withdrawal_requested", "stop_notice_issued"}


@bp.get("/")
def index():
    """List the procedures citizens can file online."""
    procedures = db.session.scalars(select(Procedure).order_by(Procedure.name)).all()
    return render_template("portal/index.html", procedures=[p for p in procedures if p.published_version
                                                            and not p.published_version.system_started],
                           lookup_form=LookupForm(request.args))


@bp.get("/procedures/<code>")
def procedure_detail(code):
    """Show a procedure's documents, time limit, fee and online level."""
    procedure = _procedure_or_404(code)
    return render_template("portal/procedure.html", procedure=procedure,
                           catalogue=procedure.published_version.catalogue)


@bp.route("/procedures/<code>/apply", methods=["GET", "POST"])
@applicant_required
def file_dossier(code):
    """File a dossier online with the procedure's start form."""
    procedure = _procedure_or_404(code)
    form, context = start_form_of(procedure.published_version), {**form_context(), **_identity(current_user)}
    components = documents_of(procedure.published_version.catalogue)
    values, errors, file_errors = {}, {}, {}
    if request.method == "POST":
        values, errors = validate_submission(form, request.form, context)
        vetted, file_errors = vet_files(files_from_request(components))  # before anything is created
        if not errors and not file_errors:
            return _submit(procedure, values, request.form.get("submission_key", ""), vetted)
        values = request.form.to_dict(flat=False)
    return render_template("portal/apply.html", procedure=procedure, form=form, values=values or _prefill(current_user),
                           errors=errors, file_errors=file_errors, components=components, context=context,
                           submission_key=request.form.get("submission_key") or uuid.uuid4().hex), \
        400 if errors or file_errors else 200


@bp.get("/my-dossiers")
@applicant_required
def my_dossiers():
    """List the signed-in applicant's dossiers with status and due date."""
    rows = db.session.scalars(select(Dossier).where(Dossier.applicant_id == current_user.id)
                              .order_by(Dossier.submitted_at.desc())).all()
    return render_template("portal/my_dossiers.html", dossiers=rows)


@bp.get("/my-dossiers/<code>")
@applicant_required
def my_dossier(code):
    """Show one of my dossiers: status, due date, history, and anything I am asked to do."""
    dossier = _my_dossier_or_404(code)
    version = dossier.process_version
    requests = [e.data.get("missing_items") for e in dossier.events if e.kind == "supplement_requested"]
    return render_template("portal/my_dossier.html", dossier=dossier, attachments=dossier.attachments,
                           events=[e for e in dossier.events if e.kind in APPLICANT_EVENT_KINDS],
                           application=labelled_values(start_form_of(version), dossier.application),
                           my_items=[w for w in dossier.work_items if dossiers.APPLICANT_GROUP in w.groups],
                           request_text=requests[-1] if requests else None,
                           withdrawal_form=WithdrawalForm() if _may_withdraw_online(dossier) else None)


@bp.post("/my-dossiers/<code>/withdraw")
@applicant_required
def withdraw_dossier(code):
    """Ask to stop handling my online dossier (Rút hồ sơ), with a reason and a confirmation (ND 118/2025 Art. 21.2).

    Possible only while the dossier's diagram waits for ``withdrawal_requested``; then its status follows the
    diagram (7, the one-stop issues the stop notice Mẫu 05; then 8)."""
    dossier = _my_dossier_or_404(code)
    form = WithdrawalForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("portal.my_dossier", code=code), 303)
    try:
        withdrawal.request_withdrawal(dossier, reason=form.reason.data, actor=current_user, now=datetime.now(UTC))
        db.session.commit()
    except dossiers.NotAllowedError as exc:
        db.session.rollback()
        abort(403, str(exc))
    except dossiers.RuleViolationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("portal.my_dossier", code=code), 303)
    except EngineError as exc:
        db.session.rollback()
        abort(422, f"Quy trình gặp lỗi tại bước {exc.element_id or '?'}: {exc}. Không có thay đổi nào được lưu.")
    flash("Đã gửi đề nghị dừng giải quyết hồ sơ. Bộ phận Một cửa sẽ gửi Thông báo dừng giải quyết hồ sơ.", "success")
    return redirect(url_for("portal.my_dossier", code=code), 303)


@bp.route("/my-dossiers/<code>/tasks/<task_id>", methods=["GET", "POST"])
@applicant_required
def my_task(code, task_id):
    """Answer a request addressed to me (e.g. supplement the dossier)."""
    dossier = _my_dossier_or_404(code)
    try:
        item = dossiers.work_item_of(dossier, task_id)
        dossiers.ensure_may_act(current_user, dossier, item)
    except dossiers.AlreadyHandledError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("portal.my_dossier", code=code), 303)
    except dossiers.NotAllowedError as exc:
        abort(403, str(exc))
    components = documents_of(dossier.process_version.catalogue)
    vetted, file_errors = vet_files(files_from_request(components)) if request.method == "POST" else ([], {})

    def attach_files():
        for upload in vetted:
            attach_vetted(dossier, upload, uploaded_by=_uploader(current_user), now=datetime.now(UTC))

    return work_item_page(dossier, item, template="portal/task.html", done_url=url_for("portal.my_dossier", code=code),
                          file_errors=file_errors, before_commit=attach_files, components=components)


@bp.get("/my-dossiers/<code>/attachments/<int:attachment_id>")
@applicant_required
def my_attachment(code, attachment_id):
    """A file attached to one of my dossiers (at filing, at the counter or with a supplement); 404 for others'."""
    return send_attachment(_my_dossier_or_404(code), attachment_id)


@bp.get("/lookup")
def lookup():
    """Public look-up by dossier code: status and dates only, no personal data (TT 01/2018 Art. 16.2(d))."""
    form = LookupForm(request.args)
    dossier = None
    if form.code.data:
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == form.code.data.strip().upper()))
    return render_template("portal/lookup.html", form=form, dossier=dossier,
                           searched=bool(form.code.data)), 404 if form.code.data and dossier is None else 200


@bp.get("/sign-in")
def sign_in():
    """Offer sign-in through VNeID (the national identity provider)."""
    return render_template("portal/sign_in.html", dev=current_app.config["DEV_IDENTITY_PROVIDER"],
                           next=request.args.get("next", ""))


@bp.route("/sign-in/dev-vneid", methods=["GET", "POST"])
def dev_sign_in():
    """Development stand-in for VNeID: pick a sample citizen. Absent unless DEV_IDENTITY_PROVIDER is on."""
    if not current_app.config["DEV_IDENTITY_PROVIDER"]:
        abort(404)
    form = DevSignInForm()
    citizens = db.session.scalars(select(Applicant).order_by(Applicant.full_name)).all()
    form.personal_id.choices = [(a.personal_id, f"{a.full_name} — {a.personal_id}") for a in citizens]
    if form.validate_on_submit():
        applicant = next(a for a in citizens if a.personal_id == form.personal_id.data)
        applicant.last_login_at = datetime.now(UTC)
        db.session.commit()
        login_user(applicant)
        return redirect(safe_next_url() or url_for("portal.my_dossiers"))
    return render_template("portal/dev_sign_in.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/sign-out")
def sign_out():
    """Sign out."""
    logout_user()
    return redirect(url_for("portal.index"))


def _submit(procedure: Procedure, values: dict, submission_key: str, uploads: list[VettedUpload]):
    """File once per form: a double tap or a replayed POST with the same key lands on the first dossier.

    ``uploads`` (already vetted) are attached to the new dossier in the same transaction."""
    if not re.fullmatch(r"[0-9a-f]{32}", submission_key):
        abort(400, "Biểu mẫu không hợp lệ, vui lòng tải lại trang.")
    earlier = db.session.scalar(select(Dossier).where(Dossier.submission_key == submission_key))
    if earlier is not None and earlier.applicant_id == current_user.id:
        return redirect(url_for("portal.my_dossier", code=earlier.code))
    agency = db.session.scalar(select(Agency).where(Agency.code == values.get("handling_agency_code")))
    if agency is None or earlier is not None:
        abort(400, "Không xác định được cơ quan giải quyết." if agency is None else "Biểu mẫu không hợp lệ.")
    now = datetime.now(UTC)
    try:
        dossier = dossiers.submit_dossier(procedure, applicant=current_user, handling_agency=agency,
                                          application=values, now=now, submission_key=submission_key)
        for upload in uploads:
            attach_vetted(dossier, upload, uploaded_by=_uploader(current_user), now=now)
        db.session.commit()
    except IntegrityError:  # the same key committed a moment ago by a parallel request
        db.session.rollback()
        earlier = db.session.scalar(select(Dossier).where(Dossier.submission_key == submission_key))
        return redirect(url_for("portal.my_dossier", code=earlier.code))
    flash(f"Đã nộp hồ sơ. Mã hồ sơ của bạn: {dossier.code}", "success")
    return redirect(url_for("portal.my_dossier", code=dossier.code))


def _procedure_or_404(code) -> Procedure:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None or procedure.published_version is None or procedure.published_version.system_started:
        abort(404, "Không tìm thấy thủ tục.")  # a system-started procedure (timer start event) is not filed
    return procedure


def _my_dossier_or_404(code) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or dossier.applicant_id != current_user.id:
        abort(404, "Không tìm thấy hồ sơ.")
    return dossier


def _may_withdraw_online(dossier: Dossier) -> bool:
    return dossier.channel == CHANNEL_ONLINE and withdrawal.may_withdraw(dossier)


def _uploader(applicant: Applicant) -> str:
    return f"{applicant.full_name} (người nộp, trực tuyến)"


def _identity(applicant: Applicant) -> dict[str, str]:
    """What VNeID vouches for; the filing form shows these fields read-only and the server keeps these values."""
    return {"applicant_full_name": applicant.full_name, "applicant_personal_id": applicant.personal_id,
            "applicant_birth_date": applicant.birth_on.isoformat() if applicant.birth_on else ""}


def _prefill(applicant: Applicant) -> dict[str, str]:
    return {**_identity(applicant), "applicant_phone": applicant.phone or "", "applicant_address": applicant.address
            or ""}
