"""Glue between process versions and the Camunda Forms renderer: find a task's form, build its context."""
import json
from typing import Any

from sqlalchemy import select

from .camunda_forms import FormDefinition, parse_form
from .extensions import db
from .models import Agency, Dossier, ProcessVersion


_FORMS: dict[tuple[str, str], FormDefinition | None] = {}


def form_of(version: ProcessVersion, form_id: str | None) -> FormDefinition | None:
    """The parsed Camunda Form ``form_id`` as deployed with ``version`` (``None`` for a task without a form).

    Parsed once per version content (versions are immutable), so the deferred ``forms_json`` is rarely read.
    """
    if not form_id:
        return None
    key = (version.content_hash, form_id)
    if key not in _FORMS:
        schema = json.loads(version.forms_json).get(form_id)
        _FORMS[key] = parse_form(schema, source=f"{form_id}.form") if schema else None
    return _FORMS[key]


def start_form_of(version: ProcessVersion) -> FormDefinition | None:
    """The citizen's filing form (``camunda:formRef`` on the start event)."""
    return form_of(version, version.definition.get("start_form_ref"))


def commune_options() -> list[dict[str, str]]:
    """``[{label, value}]`` of the communes and wards that handle commune-level procedures."""
    communes = db.session.scalars(select(Agency).where(Agency.level == "commune").order_by(Agency.name))
    return [{"label": a.name, "value": a.code} for a in communes]


def form_context(dossier: Dossier | None = None, item=None) -> dict[str, Any]:
    """Data a form may read: the dossier's process variables plus option lists the app supplies.

    With a work item, the variables are those its task sees (inside a subprocess too). A task met again in a
    loop (the reception check after a supplement) starts blank for the fields it filled the first time, so an
    old answer is never sent again by accident.
    """
    context: dict[str, Any] = {"handling_agency_options": commune_options()}
    if dossier is None:
        return context
    from .services.dossier_state import restore_workflow
    workflow = restore_workflow(dossier)
    data = workflow.task_data(item.task_id) if item is not None else workflow.data()
    for event in dossier.events:
        if event.kind == "task_completed" and item is not None and event.data.get("bpmn_id") == item.bpmn_id:
            for key in event.data.get("values", {}):
                data.pop(key, None)
    return {**data, **context}


def completed_steps(dossier: Dossier) -> list[dict[str, Any]]:
    """What each completed work item recorded, oldest first, labelled by its form: for the next officer to read.

    :return: ``[{"task", "actor", "at", "rows": [(label, shown value)]}]``.
    """
    steps = []
    for event in dossier.events:
        if event.kind == "task_completed":
            form = form_of(dossier.process_version, event.data.get("form_ref"))
            steps.append({"task": event.data.get("task"), "actor": event.actor_label, "at": event.at,
                          "rows": labelled_values(form, event.data.get("values", {}))})
    return steps


def labelled_values(form: FormDefinition | None, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """``[(label, shown text)]`` of ``values`` in the form's field order, for read-only pages.

    Options show their label (static values or the app's option lists), dates ``dd/mm/yyyy``, numbers with
    Vietnamese thousands separators, booleans Có/Không.
    """
    if form is None:
        return [(key, value) for key, value in values.items()]
    context = form_context()
    return [(field.label or field.key, _shown(field, values[field.key], context)) for field in form.fields
            if values.get(field.key) not in (None, "", [])]


def _shown(field, value: Any, context: dict[str, Any]) -> Any:
    labels = {o.value: o.label for o in field.options(context)} if field.values or field.values_key else {}
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, int | float) and not labels:
        return f"{value:,}".replace(",", ".")
    if field.type == "datetime" and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return labels.get(value, value)
