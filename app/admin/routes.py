"""Administrator routes under /admin: every one needs a signed-in officer with the ``system_admin`` role."""
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Incident, IncidentState, IncidentStateError, Officer
from app.services import external_tasks

from . import bp

#: The role every administration page needs (``OFFICER_ROLES``).
ADMIN_ROLE = "system_admin"
#: Resolved incidents shown under the open ones.
RECENTLY_RESOLVED = 20


@bp.before_request
def require_administrator():
    """Officers only (others sign in first), on a changed password, with the system administrator role (403)."""
    user = current_user._get_current_object()
    if not isinstance(user, Officer):
        return redirect(url_for("officer.sign_in", next=request.full_path))
    if user.must_change_password:
        flash("Vui lòng đổi mật khẩu ban đầu trước khi làm việc.", "warning")
        return redirect(url_for("officer.change_password"))
    if ADMIN_ROLE not in user.roles:
        abort(403, "Trang quản trị chỉ dành cho quản trị hệ thống.")
    return None


@bp.get("/")
def index():
    """The administration home: the incidents page."""
    return redirect(url_for("admin.incidents"))


@bp.get("/incidents")
def incidents():
    """Open incidents of external service tasks (newest first) and the recently resolved ones."""
    resolved = db.session.scalars(select(Incident).where(Incident.state == IncidentState.resolved)
                                  .order_by(Incident.resolved_at.desc(), Incident.id.desc())
                                  .limit(RECENTLY_RESOLVED)).all()
    return render_template("admin/incidents.html", incidents=external_tasks.open_incidents(), resolved=resolved)


@bp.post("/incidents/<int:incident_id>/retry")
def retry_incident(incident_id):
    """Run the incident's service task again now, with a fresh run of attempts."""
    incident = db.get_or_404(Incident, incident_id, description="Không tìm thấy sự cố.")
    try:
        external_tasks.retry_incident(incident, by=current_user._get_current_object(), now=datetime.now(UTC))
    except IncidentStateError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("admin.incidents"), 303)
    db.session.commit()
    if incident.state is IncidentState.resolved:
        flash(f"Hồ sơ {incident.dossier.code} không còn chờ tác vụ {incident.bpmn_id}: sự cố đã được đóng.", "success")
    else:
        flash(f"Đã yêu cầu chạy lại tác vụ {incident.bpmn_id} của hồ sơ {incident.dossier.code}. Sự cố được đóng "
              "khi tác vụ chạy thành công.", "success")
    return redirect(url_for("admin.incidents"), 303)
