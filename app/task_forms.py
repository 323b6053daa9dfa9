"""Glue between process versions and the Camunda Forms renderer: find a task's form, build its context."""
import json
from typing import Any

from sqlalchemy import select

from .camunda_forms import FormDefinition, parse_form
from .engine.specs import element_forms
from .extensions import db
from .models import Agency, Dossier, ProcessVersion

_FORMS: dict[tuple[str, str], FormDefinition | None] = {}
_LEGACY_TASK_FORMS: dict[str, dict[str, str]] = {}


def form_of(version: ProcessVersion, form_key: str | None) -> FormDefinition | None:
    """The parsed form stored under ``form_key`` in ``version``'s ``forms_json`` (``None`` for no form).

    Keys (see :mod:`app.engine.forms_xml`): a form id (``camunda:formRef``, binding latest/deployment),
    ``<form id>@<N>`` (binding version), ``file:<name>.form`` (``formKey camunda-forms:…``) or
    ``formdata:<element id>`` (generated from ``camunda:formData``). A form without an ``id`` takes its key as id.
    Parsed once per version content (versions are immutable), so the deferred ``forms_json`` is rarely read.
    """
    if not form_key:
        return None
    key = (version.content_hash, form_key)
    if key not in _FORMS:
        schema = json.loads(version.forms_json).get(form_key)
        _FORMS[key] = parse_form(schema, source=form_key, default_id=form_key) if schema else None
    return _FORMS[key]


def form_for_task(version: ProcessVersion, bpmn_id: str | None) -> FormDefinition | None:
    """The form of the user task (or start event) ``bpmn_id`` of ``version``, however the diagram points to it."""
    return form_of(version, _task_forms(version).get(bpmn_id or ""))


def start_form_of(version: ProcessVersion) -> FormDefinition | None:
    """The citizen's filing form: the start event's (``formRef``, ``formKey camunda-forms:…`` or ``formData``)."""
    definition = version.definition
    return form_of(version, definition.get("start_form") if "task_forms" in definition
                   else definition.get("start_form_ref"))


def _task_forms(version: ProcessVersion) -> dict[str, str]:
    """Element id → form key. Versions deployed before the map was stored get it from their BPMN (once)."""
    definition = version.definition
    if "task_forms" in definition:
        return definition["task_forms"]
    if version.content_hash not in _LEGACY_TASK_FORMS:
        _LEGACY_TASK_FORMS[version.content_hash] = element_forms(version.bpmn_xml.encode("utf-8"))
    return _LEGACY_TASK_FORMS[version.content_hash]


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
            form = (form_for_task(dossier.process_version, event.data.get("bpmn_id"))
                    or form_of(dossier.process_version, event.data.get("form_ref")))
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
