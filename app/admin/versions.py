"""Administrator pages for procedures and their process versions (/admin/procedures, /admin/versions/…)."""
from datetime import UTC, datetime

from flask import render_template

from app.extensions import db
from app.services import versions

from . import bp
from .forms import UploadVersionForm


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
