"""Officer routes: sign-in, inbox, work item form, dossier page. Every route checks agency and role."""
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import hash_password, officer_required, safe_next_url, verify_password
from app.extensions import db
from app.models import Dossier, Officer, WorkItem
from app.services import dossiers
from app.task_forms import completed_steps, labelled_values, start_form_of
from app.work_item_views import work_item_page

from . import bp
from .forms import ChangePasswordForm, SignInForm


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
            return redirect(safe_next_url("/officer/", "/admin/") or url_for("officer.inbox"))
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
    """Work items of my agency for my roles, soonest due first."""
    me = current_user.username
    items = [w for w in _agency_items() if (w.groups & current_user.roles or me in w.users)
             and w.assignee in (None, "", me)]
    return render_template("officer/inbox.html", items=items, now=datetime.now(UTC))


@bp.route("/work-items/<task_id>", methods=["GET", "POST"])
@officer_required
def work_item(task_id):
    """Open a work item, fill its form, complete it."""
    item = db.session.scalar(select(WorkItem).where(WorkItem.task_id == task_id))
    if item is None:
        flash("Công việc này đã được xử lý hoặc không còn tồn tại.", "warning")
        return redirect(url_for("officer.inbox"), 303)
    dossier = item.dossier
    try:
        dossiers.ensure_may_act(current_user, dossier, item)
    except dossiers.NotAllowedError as exc:
        abort(403, str(exc))
    return work_item_page(dossier, item, template="officer/work_item.html", application=_application(dossier),
                          done_url=url_for("officer.dossier_detail", code=dossier.code))


@bp.get("/dossiers/<code>")
@officer_required
def dossier_detail(code):
    """A dossier of my agency: status, due time, application, open work items, full history."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or dossier.handling_agency_id != current_user.agency_id:
        abort(404, "Không tìm thấy hồ sơ trong cơ quan của bạn.")
    return render_template("officer/dossier.html", dossier=dossier, application=_application(dossier),
                           my_roles=current_user.roles, steps=completed_steps(dossier))


def _agency_items() -> list[WorkItem]:
    query = select(WorkItem).where(WorkItem.agency_id == current_user.agency_id)
    items = db.session.scalars(query).all()
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda w: (w.due_at or far, w.opened_at))


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
