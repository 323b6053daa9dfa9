"""Administrator pages for procedures and their process versions (/admin/procedures, /admin/versions/…)."""
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.engine import EngineError
from app.extensions import db
from app.models import ProcessVersion
from app.services import version_checks, version_migration, versions

from . import bp
from .forms import ConfirmForm, PublishVersionForm, UploadVersionForm
from .viewer import BPMN_JS_VERSION, viewer_assets


@bp.get("/procedures")
def procedures():
    """Every procedure with its versions: number, deployed at, published or draft, running dossiers."""
    return render_template("admin/procedures.html", procedures=versions.procedures_with_versions(),
                           running=versions.running_dossier_counts())


@bp.get("/procedures/upload")
def upload_form():
    """The upload form for a new draft version."""
    return _upload_page(UploadVersionForm())


@bp.post("/procedures/upload")
def upload_version():
    """Lint one BPMN with its forms and decisions; store it as a draft version when no error is found."""
    form = UploadVersionForm()
    if not form.validate_on_submit():
        return _upload_page(form, problems=["Biểu mẫu không hợp lệ."]), 400
    files = [_read(upload) for upload in form.files.data or []]
    try:
        outcome = versions.upload_version(files, now=datetime.now(UTC))
    except versions.UploadError as exc:
        return _upload_page(form, problems=exc.problems), 400
    if outcome.refused:
        db.session.rollback()
        return _upload_page(form, outcome=outcome), 422
    db.session.commit()
    return _upload_page(UploadVersionForm(formdata=None), outcome=outcome)


def _read(upload) -> versions.UploadedFile:
    """At most one byte more than the size limit (enough to refuse a larger file), then close the spooled file."""
    try:
        return versions.UploadedFile(upload.filename or "", upload.stream.read(versions.MAX_FILE_BYTES + 1))
    finally:
        upload.close()


def _upload_page(form: UploadVersionForm, **context) -> str:
    return render_template("admin/upload.html", form=form, max_mb=versions.MAX_FILE_BYTES // (1024 * 1024), **context)


@bp.get("/versions/<int:version_id>")
def version(version_id):
    """A version: its diagram, its lint result, its scenarios and, for a draft, the publish button."""
    return _version_page(_version_or_404(version_id))


@bp.get("/versions/<int:version_id>/diagram.bpmn")
def version_bpmn(version_id):
    """The version's BPMN XML as stored (the viewer loads it; without the viewer, a download)."""
    found = _version_or_404(version_id)
    response = Response(found.bpmn_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="v{found.number}-{found.source_file}"'
    return response


@bp.post("/versions/<int:version_id>/scenarios")
def run_version_scenarios(version_id):
    """Run the procedure's scenarios against this version and show every step."""
    found = _version_or_404(version_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "Biểu mẫu không hợp lệ.")
    run = version_checks.run_scenarios(found, current_app.config)
    return _version_page(found, scenario_run=run)


@bp.post("/versions/<int:version_id>/publish")
def publish_version(version_id):
    """Publish a draft: new dossiers start on it from now on; running dossiers keep their version."""
    found = _version_or_404(version_id)
    form = PublishVersionForm()
    if not form.validate_on_submit():
        return _version_page(found, publish_form=form), 400
    try:
        versions.publish_version(found, by=current_user._get_current_object(), now=datetime.now(UTC))
    except versions.VersionStateError as exc:
        db.session.rollback()
        abort(409, str(exc))
    db.session.commit()
    flash(f"Đã công bố phiên bản v{found.number} của thủ tục {found.procedure.code}: hồ sơ mới bắt đầu trên "
          "phiên bản này; hồ sơ đang xử lý giữ phiên bản của mình.", "success")
    return redirect(url_for("admin.version", version_id=found.id), 303)


def _version_or_404(version_id: int) -> ProcessVersion:
    return db.get_or_404(ProcessVersion, version_id, description="Không tìm thấy phiên bản quy trình.")


def _version_page(found: ProcessVersion, **context) -> str:
    context.setdefault("publish_form", PublishVersionForm(formdata=None))
    static = Path(current_app.static_folder)
    scenarios = version_checks.scenario_files(Path(current_app.config["PROCESSES_DIR"]) / "scenarios",
                                              found.procedure.code)
    return render_template("admin/version.html", version=found, procedure=found.procedure,
                           findings=version_checks.lint_version(found), scenarios=scenarios,
                           running=versions.running_dossier_counts().get(found.id, 0),
                           waiting=versions.waiting_counts(found), viewer=viewer_assets(static),
                           viewer_version=BPMN_JS_VERSION, confirm_form=ConfirmForm(), **context)


@bp.get("/versions/<int:version_id>/migration")
def migration(version_id):
    """The running dossiers of a version, what a newer published version changes, and which dossiers can move."""
    source = _version_or_404(version_id)
    targets = version_migration.migration_targets(source)
    return _migration_page(source, targets, _target(source, targets, request.args.get("to")))


@bp.post("/versions/<int:version_id>/migration")
def migrate_dossiers(version_id):
    """Move the selected running dossiers to the chosen newer version; refused ones are named with the reason."""
    source = _version_or_404(version_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "Biểu mẫu không hợp lệ.")
    targets = version_migration.migration_targets(source)
    target = _target(source, targets, request.form.get("to"))
    if target is None:
        abort(409, f"Chưa có phiên bản đã công bố nào mới hơn v{source.number} để chuyển hồ sơ sang.")
    selected = [int(value) for value in request.form.getlist("dossier_ids") if value.isdigit()]
    if not selected:
        abort(400, "Hãy chọn ít nhất một hồ sơ để chuyển phiên bản.")
    try:
        outcomes = version_migration.migrate_dossiers(source, target, selected, by=current_user._get_current_object(),
                                                      now=datetime.now(UTC))
        db.session.commit()
    except (StaleDataError, EngineError) as exc:
        db.session.rollback()
        abort(409, "Không hồ sơ nào được chuyển: một hồ sơ vừa thay đổi hoặc không lưu được trên phiên bản mới "
                   f"({exc}). Hãy tải lại trang và thử lại.")
    for outcome in outcomes:
        if outcome.migrated:
            flash(f"Đã chuyển hồ sơ {outcome.dossier_code} sang v{target.number}.", "success")
        else:
            flash(f"Không chuyển hồ sơ {outcome.dossier_code}: {outcome.message}", "warning")
    if not any(outcome.migrated for outcome in outcomes):
        return _migration_page(source, targets, target), 409  # nothing moved: the page again, every reason flashed
    return redirect(url_for("admin.migration", version_id=source.id, to=target.id), 303)


def _migration_page(source: ProcessVersion, targets: list[ProcessVersion], target: ProcessVersion | None) -> str:
    context = {}
    if target is not None:
        context = {"changes": version_migration.version_changes(source, target),
                   "checks": version_migration.check_dossiers(source, target)}
    return render_template("admin/migration.html", source=source, procedure=source.procedure, targets=targets,
                           target=target, form=ConfirmForm(), viewer=viewer_assets(Path(current_app.static_folder)),
                           refusal=version_migration.refusal, **context)


def _target(source: ProcessVersion, targets: list[ProcessVersion], wanted: str | None) -> ProcessVersion | None:
    """The chosen target (``to`` = a version id among ``targets``), else the newest; 404 for any other id."""
    if not wanted:
        return targets[0] if targets else None
    found = next((v for v in targets if str(v.id) == wanted), None)
    if found is None:
        abort(404, f"v{source.number} không chuyển được sang phiên bản đã chọn: chỉ sang phiên bản đã công bố mới hơn.")
    return found
