"""Officer routes: sign-in, inbox, work item form, dossier page. Every route checks agency and role."""
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.admin.viewer import BPMN_JS_VERSION, viewer_assets
from app.auth import hash_password, officer_required, safe_next_url, verify_password
from app.extensions import db
from app.models import Dossier, Officer, WorkItem
from app.engine import EngineError
from app.models.dossier import CHANNEL_ONLINE
from app.services import dossiers, withdrawal, work_items
from app.task_forms import completed_steps, labelled_values, start_form_of
from app.work_item_views import work_item_page

from . import bp, dossier_view
from .forms import ChangePasswordForm, SignInForm, WithdrawalRequestForm
from .inbox import DEFAULT_FILTER, FILTERS, WorkingClock, inbox_page


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign an officer in; repeated failures lock the account for a while (seed Art. 19)."""
    form = SignInForm()
    if form.validate_on_submit():
        now = datetime.now(UTC)
        officer = db.session.scalar(select(Officer).where(Officer.username == form.username.data.strip()))
        if officer is not None and _may_sign_in(officer, now) and verify_password(officer.password_hash,
                                                                                  form.password.data):
            officer.failed_logins, officer.locked_until = 0, None
            db.session.commit()
            login_user(officer)
            landing = url_for("admin.index") if current_user.roles == {"system_admin"} else url_for("officer.inbox")
            return redirect(safe_next_url("/officer/", "/admin/") or landing)
        _count_failure(officer, now)
        flash("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị tạm khóa do nhập sai nhiều lần.",
              "error")
        return render_template("officer/sign_in.html", form=form), 401
    return render_template("officer/sign_in.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/password", methods=["GET", "POST"])
@officer_required
def change_password():
    """Change my password; the initial one must be changed before anything else (seed Art. 19.2)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Mật khẩu hiện tại không đúng.")
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append("Mật khẩu mới phải khác mật khẩu hiện tại.")
        else:
            current_user.password_hash = hash_password(form.new_password.data)
            current_user.must_change_password = False
            db.session.commit()
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("officer.inbox"))
    return render_template("officer/password.html", form=form), 400 if request.method == "POST" else 200


@bp.before_request
def require_new_password():
    """An officer still on the initial password may only change it or sign out."""
    user = current_user._get_current_object()
    allowed = ("officer.change_password", "officer.sign_out", "officer.sign_in", "static")
    if isinstance(user, Officer) and user.must_change_password and request.endpoint not in allowed:
        flash("Vui lòng đổi mật khẩu ban đầu trước khi làm việc.", "warning")
        return redirect(url_for("officer.change_password"))
    return None


@bp.post("/sign-out")
def sign_out():
    """Sign out."""
    logout_user()
    return redirect(url_for("officer.sign_in"))


@bp.get("/")
@officer_required
def inbox():
    """Work items of my agency under a Tasklist-like filter (``?filter=``, ``?procedure=``, ``?q=``), soonest due
    first, with the count of every filter (:mod:`app.officer.inbox`)."""
    filter_key = request.args.get("filter", DEFAULT_FILTER)
    if filter_key not in dict(FILTERS):
        filter_key = DEFAULT_FILTER
    procedure, search = request.args.get("procedure") or None, request.args.get("q", "").strip()[:60] or None
    page = inbox_page(current_user, filter_key=filter_key, procedure=procedure, search=search, now=datetime.now(UTC))
    return render_template("officer/inbox.html", page=page, filters=FILTERS, filter_key=filter_key,
                           procedure=procedure, search=search or "", me=current_user)


@bp.route("/work-items/<task_id>", methods=["GET", "POST"])
@officer_required
def work_item(task_id):
    """Open a work item, fill its form, complete it; an item someone else claimed is refused (409)."""
    item = _my_agency_item(task_id)
    if item is None:
        flash("Công việc này đã được xử lý hoặc không còn tồn tại.", "warning")
        return redirect(url_for("officer.inbox"), 303)
    dossier = item.dossier
    try:
        dossiers.ensure_may_act(current_user, dossier, item, completing=request.method == "POST")
    except dossiers.NotAllowedError as exc:
        abort(403, str(exc))
    except work_items.ClaimConflictError as exc:
        abort(409, str(exc))
    # A consulted agency's officer may not see the dossier once its part is done: back to the inbox, not a 404.
    done_url = (url_for("officer.dossier_detail", code=dossier.code)
                if dossier.handling_agency_id == current_user.agency_id else url_for("officer.inbox"))
    return work_item_page(dossier, item, template="officer/work_item.html", application=_application(dossier),
                          done_url=done_url, me=current_user)


@bp.post("/work-items/<task_id>/claim")
@officer_required
def claim_work_item(task_id):
    """Claim a work item of my groups (Tasklist "Claim")."""
    return _work_item_action(task_id, lambda item, now: work_items.claim_work_item(item, officer=current_user, now=now),
                             "Đã nhận công việc.")


@bp.post("/work-items/<task_id>/unclaim")
@officer_required
def unclaim_work_item(task_id):
    """Give a work item back to its group (the claimer, or a leader of the agency)."""
    return _work_item_action(task_id,
                             lambda item, now: work_items.unclaim_work_item(item, officer=current_user, now=now),
                             "Đã trả lại công việc cho nhóm.")


@bp.post("/work-items/<task_id>/reassign")
@officer_required
def reassign_work_item(task_id):
    """A leader hands a work item to another officer of the agency (form field ``officer_id``)."""
    def reassign(item, now):
        target = db.session.get(Officer, request.form.get("officer_id", type=int) or 0)
        if target is None:
            raise dossiers.RuleViolationError("Vui lòng chọn cán bộ nhận công việc.")
        work_items.reassign_work_item(item, leader=current_user, to=target, now=now)
        flash(f"Đã giao công việc cho {target.full_name}.", "success")
    return _work_item_action(task_id, reassign, None)


@bp.get("/dossiers/<code>")
@officer_required
def dossier_detail(code):
    """A dossier of my agency: status, due time, its diagram with where it stands and the way it came, open work
    items (claim, reassign), application, documents and slips, full history."""
    dossier = _my_agency_dossier(code)
    static = Path(current_app.static_folder)
    reassign = {item.id: [o for o in work_items.reassignment_candidates(item) if o.id != item.claimed_by_id]
                for item in dossier.work_items
                if work_items.LEADER_ROLE in current_user.roles and item.agency_id == current_user.agency_id}
    return render_template("officer/dossier.html", dossier=dossier, application=_application(dossier),
                           my_roles=current_user.roles, steps=completed_steps(dossier), me=current_user,
                           viewer=viewer_assets(static), viewer_version=BPMN_JS_VERSION,
                           markers=dossier_view.diagram_markers(dossier),
                           reassign=reassign,
                           due_chip=(WorkingClock.current(dossier.handling_agency_id).chip(dossier.due_at, datetime.now(UTC))
                                     if dossier.due_at and not dossier.status.is_final else None),
                           may_act={item.id: work_items.is_candidate(current_user, item)
                                    for item in dossier.work_items},
                           withdrawal_form=WithdrawalRequestForm() if _may_record_withdrawal(dossier) else None)


@bp.post("/dossiers/<code>/withdrawal")
@officer_required
def record_withdrawal(code):
    """A one-stop officer records the stop request a counter or postal applicant made (ND 118/2025 Art. 21.1);
    the diagram then asks the one-stop for the stop notice (Mẫu 05)."""
    dossier = _my_agency_dossier(code)
    back = url_for("officer.dossier_detail", code=code)
    form = WithdrawalRequestForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(map(str, errors)), "error")
        return redirect(back, 303)
    try:
        withdrawal.request_withdrawal(dossier, reason=form.reason.data, actor=current_user, now=datetime.now(UTC))
        db.session.commit()
    except dossiers.NotAllowedError as exc:
        db.session.rollback()
        abort(403, str(exc))
    except (dossiers.RuleViolationError, StaleDataError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, dossiers.RuleViolationError) else "Hồ sơ vừa có thay đổi, vui lòng thử lại.",
              "error")
        return redirect(back, 303)
    except EngineError as exc:
        db.session.rollback()
        abort(422, f"Quy trình gặp lỗi tại bước {exc.element_id or '?'}: {exc}. Không có thay đổi nào được lưu.")
    flash("Đã ghi nhận đề nghị dừng giải quyết hồ sơ; hãy lập Thông báo dừng giải quyết hồ sơ.", "success")
    return redirect(back, 303)


def _may_record_withdrawal(dossier: Dossier) -> bool:
    return (dossier.channel != CHANNEL_ONLINE and dossier.handling_agency_id == current_user.agency_id
            and "one_stop" in current_user.roles and withdrawal.may_withdraw(dossier))


@bp.get("/dossiers/<code>/diagram.bpmn")
@officer_required
def dossier_bpmn(code):
    """The BPMN XML of the dossier's own process version, for the dossier page's viewer."""
    dossier = _my_agency_dossier(code)
    return Response(dossier.process_version.bpmn_xml, mimetype="application/xml")


def _my_agency_dossier(code: str) -> Dossier:
    """The dossier ``code`` if my agency handles it or holds one of its work items; else 404 (its existence is not
    revealed to other agencies)."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    mine = dossier is not None and (dossier.handling_agency_id == current_user.agency_id
                                    or any(w.agency_id == current_user.agency_id for w in dossier.work_items))
    if not mine:
        abort(404, "Không tìm thấy hồ sơ trong cơ quan của bạn.")
    return dossier


def _my_agency_item(task_id: str) -> WorkItem | None:
    """The ready work item ``task_id``; ``None`` when it is gone; 403 when it belongs to another agency."""
    item = db.session.scalar(select(WorkItem).where(WorkItem.task_id == task_id))
    if item is not None and item.agency_id != current_user.agency_id:
        abort(403, "Công việc này thuộc cơ quan khác.")
    return item


def _work_item_action(task_id: str, action, done_message: str | None):
    """Run ``action(item, now)`` on a work item of my agency, commit once, and go back to ``?next=`` (or the inbox).

    Refusals are flashed (a conflict, a broken rule, an item handled meanwhile) or answered 403 (not allowed);
    nothing is saved then.
    """
    back = safe_next_url("/officer/") or url_for("officer.inbox")
    item = _my_agency_item(task_id)
    if item is None:
        flash("Công việc này đã được xử lý hoặc không còn tồn tại.", "warning")
        return redirect(back, 303)
    try:
        action(item, datetime.now(UTC))
        db.session.commit()
    except dossiers.NotAllowedError as exc:
        db.session.rollback()
        abort(403, str(exc))
    except (dossiers.DossierActionError, StaleDataError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, dossiers.DossierActionError) else "Hồ sơ vừa có thay đổi, vui lòng thử lại.",
              "error")
        return redirect(back, 303)
    if done_message:
        flash(done_message, "success")
    return redirect(back, 303)


def _application(dossier: Dossier) -> list[tuple[str, object]]:
    return labelled_values(start_form_of(dossier.process_version), dossier.application)


def _may_sign_in(officer: Officer, now: datetime) -> bool:
    return not officer.locked and (officer.locked_until is None or officer.locked_until <= now)


def _count_failure(officer: Officer | None, now: datetime) -> None:
    if officer is None or not _may_sign_in(officer, now):
        return
    officer.failed_logins += 1
    if officer.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        officer.failed_logins = 0
        officer.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    db.session.commit()
