"""What the portal and the officer pages share: completing a work item and mapping refusals to HTTP."""
import logging
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from .engine import EngineError
from .extensions import db
from .camunda_forms import validate_submission
from .services import dossiers
from .task_forms import completed_steps, form_context, form_for_task

logger = logging.getLogger(__name__)


def complete_or_explain(dossier, item, values: dict, done_url: str, before_commit=None):
    """Complete ``item`` as the current user, commit once, and redirect to ``done_url`` (303).

    ``before_commit()``, when given, runs after the completion in the same transaction (e.g. attach uploads).

    A task someone else completed first (already gone, or lost the optimistic-lock race) gives
    "already handled" and changes nothing; an engine failure rolls back and answers 422 naming the element.
    """
    try:
        dossiers.complete_work_item(dossier, item.task_id, actor=current_user, values=values, now=datetime.now(UTC))
        if before_commit is not None:
            before_commit()
        db.session.commit()
    except (dossiers.AlreadyHandledError, StaleDataError):
        db.session.rollback()
        flash("Công việc này đã được người khác xử lý; không có thay đổi nào được lưu.", "warning")
        return redirect(done_url, 303)
    except dossiers.RuleViolationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(request.url, 303)
    except EngineError as exc:
        db.session.rollback()
        logger.exception("Dossier %s: engine failed at %s", dossier.code, exc.element_id)
        abort(422, f"Quy trình gặp lỗi tại bước {exc.element_id or '?'}: {exc}. Không có thay đổi nào được lưu.")
    flash("Đã hoàn thành công việc.", "success")
    return redirect(done_url, 303)


def work_item_page(dossier, item, *, template: str, done_url: str, file_errors=None, before_commit=None, **page):
    """GET shows the work item's Camunda Form; POST validates it and completes the item.

    Invalid input re-renders the form (HTTP 400) with the messages next to the fields and everything typed kept.

    :param file_errors: refused uploads of this POST (input name → message): the item is not completed.
    :param before_commit: called after a successful completion, before the commit (see :func:`complete_or_explain`).
    :param page: extra template variables.
    """
    file_errors = file_errors or {}
    form, context = form_for_task(dossier.process_version, item.bpmn_id), form_context(dossier, item)
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = validate_submission(form, request.form, context) if form else ({}, {})
        if not errors and not file_errors:
            return complete_or_explain(dossier, item, values, done_url, before_commit)
        values = request.form.to_dict(flat=False)
    return render_template(template, dossier=dossier, item=item, form=form, values=values, errors=errors,
                           file_errors=file_errors, context=context, steps=completed_steps(dossier), **page), \
        400 if errors or file_errors else 200
