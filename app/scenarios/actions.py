"""What a scenario step does, through the services and Camunda Form validation a user's click goes through.

Each action flushes through the services; the runner commits after a step succeeds and rolls back after a
refusal, as a route does. Timers are fired with the engine clock frozen at the scenario's time; the external
service tasks they start run right after each firing's commit, as the scheduler runs them after a commit.
"""
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.camunda_forms import FormDefinition, validate_submission
from app.engine import EngineError, MessageNotExpectedError
from app.engine.clock import frozen_at
from app.extensions import db
from app.models import Agency, Applicant, Dossier, Officer, Procedure, WorkItem
from app.services.dossiers import (DossierActionError, NotAllowedError, complete_work_item, ensure_may_act,
                                   submit_dossier)
from app.services.external_tasks import run_due_external_tasks
from app.services.messages import MessageDataError
from app.services.messages import correlate_message as deliver_message
from app.services.timer_starts import TimerStartAgencyError, schedule_of, start_system_dossier
from app.services.timers import fire_due_timers
from app.services.working_time import local_tz
from app.task_forms import form_context, form_for_task, start_form_of

from .format import Scenario, Step

#: A timer is fired this long after its due time: Spiff fires only when the due time is strictly past.
TICK = timedelta(microseconds=1)
#: An ``advance`` firing more timers than this is taken for a cycle that never ends.
MAX_TIMERS_PER_ADVANCE = 1000


class ActionRefused(Exception):
    """The app refused the action as it would refuse a user (form errors, rules, rights, engine failure)."""


class ScenarioError(Exception):
    """The scenario cannot go on: an unknown user, agency or procedure, a field the form lacks, no support yet."""


def start_dossier(scenario: Scenario, now: datetime) -> Dossier:
    """File the scenario's dossier as its citizen with the filing form's validated values.

    :raises ScenarioError: unknown procedure, citizen or agency, or data naming a field the form lacks.
    :raises ActionRefused: the values do not pass the filing form's validation.
    """
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == scenario.procedure))
    if procedure is None or procedure.published_version is None:
        raise ScenarioError(f"no deployed procedure with code {scenario.procedure!r}")
    if scenario.start.timer:
        return _start_by_timer(procedure.published_version, now)
    applicant = actor_named(scenario.start.actor)
    if not isinstance(applicant, Applicant):
        raise ScenarioError(f"{scenario.start.actor} is an officer; a dossier is filed by a citizen")
    form, data = start_form_of(procedure.published_version), dict(scenario.start.data)
    if (scenario.start.agency and form is not None and _has_field(form, "handling_agency_code")
            and data.setdefault("handling_agency_code", scenario.start.agency) != scenario.start.agency):
        raise ScenarioError("agency and data.handling_agency_code differ")
    values = validated(form, data, {**form_context(), **_identity(applicant)}, now)
    code = scenario.start.agency or values.get("handling_agency_code")
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise ScenarioError(f"no agency with code {code!r}")
    with frozen_at(now):
        return submit_dossier(procedure, applicant=applicant, handling_agency=agency, application=values, now=now)


def _start_by_timer(version, now: datetime) -> Dossier:
    """``"start": {"timer": true}``: the dossier the scheduler starts for an occurrence due ``now``."""
    if schedule_of(version) is None:
        raise ScenarioError(f"{version.procedure.code} has no timer start event; start it as a citizen")
    try:
        return start_system_dossier(version, occurrence_at=now, now=now)
    except TimerStartAgencyError as exc:
        raise ScenarioError(str(exc)) from exc


def complete_task(dossier: Dossier, step: Step, now: datetime) -> WorkItem:
    """Complete the ready task ``step.target`` (BPMN id or name) as ``step.actor`` with ``step.data``.

    :return: the completed work item (detached from the dossier).
    :raises ScenarioError: unknown user or a field the task's form lacks.
    :raises ActionRefused: no such ready task, invalid values, not allowed, a rule broken, engine failure.
    """
    actor = actor_named(step.actor)
    item = ready_item(dossier, step.target, actor)
    form = form_for_task(dossier.process_version, item.bpmn_id)
    values = validated(form, step.data, form_context(dossier, item), now)
    try:
        with frozen_at(now):
            complete_work_item(dossier, item.task_id, actor=actor, values=values, now=now)
    except DossierActionError as exc:
        raise ActionRefused(str(exc)) from exc
    except EngineError as exc:
        raise ActionRefused(f"the engine failed at {exc.element_id or '?'}: {exc}") from exc
    return item


def advance_timers(dossier_id: int, now: datetime, until: datetime) -> list[str]:
    """Fire, in due order and each at its own due time, the dossier's timers due up to ``until``; commit each.

    :return: the BPMN ids of the timers fired.
    :raises ScenarioError: a due timer did not fire, the engine failed, or timers never stop coming.
    """
    fired: list[str] = []
    for _ in range(MAX_TIMERS_PER_ADVANCE):
        dossier = db.session.get(Dossier, dossier_id)
        next_due = min((t.due_at for t in dossier.pending_timers if t.due_at <= until), default=None)
        if next_due is None:
            return fired
        now = max(now, next_due + TICK)
        due = sorted(t.bpmn_id for t in dossier.pending_timers if t.due_at <= now)
        try:
            with frozen_at(now):
                count = fire_due_timers(dossier_id, now=now)
        except EngineError as exc:
            raise ScenarioError(f"firing {', '.join(due)}: the engine failed at {exc.element_id or '?'}: {exc}")
        if count == 0:
            raise ScenarioError(f"timer(s) {', '.join(due)} due at {next_due.isoformat()} did not fire")
        db.session.commit()
        run_due_external_tasks(now)  # service tasks the timer started run at its time, before the next timer
        fired.extend(due)
    raise ScenarioError(f"more than {MAX_TIMERS_PER_ADVANCE} timers fired in one advance (an endless cycle?)")


def correlate_message(dossier: Dossier, step: Step, now: datetime) -> list[str]:
    """Deliver the BPMN message ``step.target`` with variables ``step.data``, as the app's message API does.

    :return: the BPMN ids of the events that received it.
    :raises ActionRefused: nothing waits for that message, its variables cannot be stored, or the engine failed.
    """
    try:
        return deliver_message(dossier, step.target, step.data, now=now)
    except (MessageNotExpectedError, MessageDataError) as exc:
        raise ActionRefused(str(exc)) from exc
    except EngineError as exc:
        raise ActionRefused(f"the engine failed at {exc.element_id or '?'}: {exc}") from exc


def actor_named(name: str) -> Officer | Applicant:
    """The officer with username ``name``, else the citizen with personal id ``name``.

    :raises ScenarioError: neither exists.
    """
    officer = db.session.scalar(select(Officer).where(Officer.username == name))
    if officer is not None:
        return officer
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == name))
    if applicant is None:
        raise ScenarioError(f"no officer with username {name!r} and no citizen with personal id {name!r}")
    return applicant


def ready_item(dossier: Dossier, task: str, actor: Officer | Applicant | None = None) -> WorkItem:
    """The dossier's ready work item whose BPMN id or name is ``task``: the first ``actor`` may complete, else
    the first (whose completion is then refused with the app's reason).

    Instances of a multi-instance task share the BPMN id; each reviewer completes the one assigned to them.

    :raises ActionRefused: none is ready (the message lists the ready ones).
    """
    items = [w for w in dossier.work_items if task in (w.bpmn_id, w.task_name)]
    if not items:
        ready = ", ".join(w.bpmn_id for w in dossier.work_items) or "none"
        raise ActionRefused(f"no ready task {task!r} (ready: {ready})")
    for item in items if actor is not None else ():
        try:
            ensure_may_act(actor, dossier, item)
        except NotAllowedError:
            continue
        return item
    return items[0]


def validated(form: FormDefinition | None, data: dict[str, Any], context: dict[str, Any],
              now: datetime) -> dict[str, Any]:
    """``data`` sent as a browser would, then validated by the Camunda Form like a user's submission.

    :param data: field key → value (strings, numbers, booleans; a list for checklists; nested objects for
        group paths; a list of objects for a dynamic list).
    :return: the typed values the task is completed with.
    :raises ScenarioError: a key the form does not define, or data for a task without a form.
    :raises ActionRefused: validation errors, each with its field.
    """
    if form is None:
        if data:
            raise ScenarioError("this task has no form, so it takes no data")
        return {}
    inputs = browser_inputs(data)
    unknown = sorted(name for name in inputs if not _has_field(form, name))
    if unknown:
        raise ScenarioError(f"form {form.id} has no field {', '.join(unknown)} "
                            f"(fields: {', '.join(f.key for f in form.fields)})")
    values, errors = validate_submission(form, inputs, context, today=now.astimezone(local_tz()).date())
    if errors:
        raise ActionRefused("invalid form values: " + "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
    return values


def browser_inputs(data: dict[str, Any], prefix: str = "") -> dict[str, str | list[str]]:
    """Input name → what a browser sends: ``"true"``/``"false"`` for booleans, numbers as text, dotted paths."""
    inputs: dict[str, str | list[str]] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            inputs.update(browser_inputs(value, f"{name}."))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for row, item in enumerate(value):
                inputs.update(browser_inputs(item, f"{name}.{row}."))
        elif isinstance(value, list):
            inputs[name] = [_as_text(v) for v in value]
        else:
            inputs[name] = _as_text(value)
    return inputs


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _has_field(form: FormDefinition, name: str) -> bool:
    return any(f.key == name if f.list_path is None
               else re.fullmatch(rf"{re.escape(f.list_path)}\.\d+\.{re.escape(f.key)}", name) is not None
               for f in form.fields)


def _identity(applicant: Applicant) -> dict[str, str]:
    """What VNeID vouches for: the filing form's read-only identity fields take these values (as the portal)."""
    return {"applicant_full_name": applicant.full_name, "applicant_personal_id": applicant.personal_id,
            "applicant_birth_date": applicant.birth_on.isoformat() if applicant.birth_on else ""}
