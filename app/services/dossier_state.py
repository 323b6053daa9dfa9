"""Writing a dossier's workflow back: state JSON, status, work items, pending timers, external tasks, in one flush.

Started external service tasks are not run here: they become ``external_tasks`` rows in the same transaction,
executed after commit (:mod:`app.services.external_tasks`).
"""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.engine import DossierWorkflow, EngineError, UserTask
from app.models import (Agency, Dossier, DossierStatus, ExternalTaskRow, Incident, IncidentState, PendingTimerRow,
                        WorkItem)

from . import clock

#: Session-info key: timers committed with this transaction, for the scheduler to pick up after commit.
TIMERS_TO_SCHEDULE = "timers_to_schedule"
#: Session-info key: ``(dossier id, next attempt at)`` of external tasks committed with this transaction.
EXTERNAL_TASKS_TO_SCHEDULE = "external_tasks_to_schedule"


def restore_workflow(dossier: Dossier) -> DossierWorkflow:
    """Load the dossier's workflow on the process version it started on."""
    version = dossier.process_version
    return DossierWorkflow.restore(version.content_hash, lambda: version.spec_json, dossier.workflow_state)


def save_workflow(dossier: Dossier, workflow: DossierWorkflow, *, now: datetime) -> None:
    """Store state, status, work items, pending timers and started external tasks of ``dossier``.

    A service task the workflow has just started gets an ``external_tasks`` row due at ``now``; the scheduler runs
    it after this transaction commits (never inside it, so a slow or failing handler cannot fail the request).

    :param now: aware UTC time of the request.
    :raises app.engine.EngineError: the engine failed; the caller must roll back, never commit.
    :raises app.services.clock.ClockRuleError: a pause the law does not allow (late supplement request); roll back.
    """
    session = object_session(dossier)
    with session.no_autoflush:  # one flush at the end, so the dossier row is updated (and versioned) once
        clock.apply_clock(dossier, workflow, now=now)  # pauses first: they may move the due timers
        dossier.workflow_state = workflow.dump()
        _apply_status(dossier, workflow, now)
        _apply_work_items(dossier, workflow, now)
        _apply_pending_timers(dossier, workflow)
        external = _apply_external_tasks(session, dossier, workflow, now)
    session.flush()
    session.info.setdefault(TIMERS_TO_SCHEDULE, []).extend((t.dossier_id, t.due_at) for t in dossier.pending_timers)
    for row in external:
        schedule_external_task_after_commit(session, row)


def schedule_external_task_after_commit(session: Session, row: ExternalTaskRow) -> None:
    """Tell the scheduler, once this transaction commits, when ``row`` is due (nothing while an incident holds it)."""
    if row.next_attempt_at is not None:
        session.info.setdefault(EXTERNAL_TASKS_TO_SCHEDULE, []).append((row.dossier_id, row.next_attempt_at))


def status_of(workflow: DossierWorkflow, element_properties: dict[str, dict[str, str]]) -> DossierStatus | None:
    """The dossier status the diagram declares for where the workflow stands.

    Each user task, message or timer catch event and end event may carry ``camunda:property dossier_status``;
    among the ready tasks and the events waited for (or, once there is none, the end events reached) the highest
    national code wins, so a leader's apology task (in progress) beside the result's return (handled) reads as
    handled, and a message catch event waiting for the fee reads as awaiting payment. ``None`` when nothing
    declares one.
    """
    places = ([t.bpmn_id for t in workflow.ready_user_tasks()] + [m.bpmn_id for m in workflow.waiting_messages()]
              + [t.bpmn_id for t in workflow.pending_timers()]) or workflow.reached_end_events()
    names = [element_properties.get(p, {}).get("dossier_status") for p in places]
    statuses = [DossierStatus[n] for n in names if n in DossierStatus.__members__]
    return max(statuses, key=lambda s: s.value, default=None)


def _apply_status(dossier: Dossier, workflow: DossierWorkflow, now: datetime) -> None:
    status = status_of(workflow, dossier.process_version.definition["element_properties"])
    if status is None or status is dossier.status:
        return
    dossier.record_event("status_changed", at=now, data={"from": dossier.status.name if dossier.status else None,
                                                         "to": status.name, "national_code": status.value})
    dossier.status = status
    if status.is_final:
        dossier.finished_at = now


def _apply_work_items(dossier: Dossier, workflow: DossierWorkflow, now: datetime) -> None:
    ready = {t.task_id: t for t in workflow.ready_user_tasks()}
    for item in [w for w in dossier.work_items if w.task_id not in ready]:
        dossier.work_items.remove(item)
    known = {w.task_id for w in dossier.work_items}
    for task in (t for t in ready.values() if t.task_id not in known):
        agency = _task_agency(dossier, task)
        dossier.work_items.append(WorkItem(
            task_id=task.task_id, bpmn_id=task.bpmn_id, task_name=task.name,
            candidate_groups=",".join(task.candidate_groups), candidate_users=",".join(task.candidate_users),
            assignee=task.assignee, agency=agency, form_ref=task.form_ref, opened_at=now,
            task_due_at=task.due_at or clock.step_due_at(dossier, task, now, agency.id)))
    for item in dossier.work_items:
        item.due_at = item.task_due_at or dossier.due_at


def _task_agency(dossier: Dossier, task: UserTask) -> Agency:
    """The dossier's handling agency, or the agency the task's ``agency_code`` property names (e.g. a department
    consulted in parallel): its officers with the task's candidate groups do it.

    :raises EngineError: no agency has that code (the diagram names a wrong one; roll back).
    """
    code = task.agency_code
    if not code or code == dossier.handling_agency.code:
        return dossier.handling_agency
    agency = object_session(dossier).scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise EngineError(f"user task {task.bpmn_id}: no agency with code {code!r} (property agency_code)",
                          element_id=task.bpmn_id)
    return agency


def _apply_pending_timers(dossier: Dossier, workflow: DossierWorkflow) -> None:
    waiting = {t.task_id: t for t in workflow.pending_timers()}
    for row in [r for r in dossier.pending_timers if r.task_id not in waiting]:
        dossier.pending_timers.remove(row)
    for row in dossier.pending_timers:  # a cycle timer waits for its next time under the same task
        if row.due_at != waiting[row.task_id].due_at:
            row.due_at = waiting[row.task_id].due_at
    known = {r.task_id for r in dossier.pending_timers}
    for timer in (t for t in waiting.values() if t.task_id not in known):
        dossier.pending_timers.append(PendingTimerRow(task_id=timer.task_id, bpmn_id=timer.bpmn_id,
                                                      name=timer.name, due_at=timer.due_at))


def _apply_external_tasks(session: Session, dossier: Dossier, workflow: DossierWorkflow,
                          now: datetime) -> list[ExternalTaskRow]:
    """One row per started service task: new ones due at ``now``; gone ones removed, their open incidents obsolete.

    :return: the dossier's rows after the save.
    """
    started = {call.task_id: call for call in workflow.started_service_tasks()}
    rows = [] if dossier.id is None else list(session.scalars(
        select(ExternalTaskRow).where(ExternalTaskRow.dossier_id == dossier.id)))
    gone = [row for row in rows if row.task_id not in started]
    for row in gone:
        session.delete(row)
    if gone:
        _resolve_obsolete_incidents(session, dossier, [row.task_id for row in gone], now)
    known = {row.task_id for row in rows}
    new = [ExternalTaskRow(dossier=dossier, task_id=call.task_id, bpmn_id=call.bpmn_id, topic=call.topic,
                           attempts=0, next_attempt_at=now, created_at=now)
           for call in started.values() if call.task_id not in known]
    session.add_all(new)
    return [row for row in rows if row.task_id in started] + new


def _resolve_obsolete_incidents(session: Session, dossier: Dossier, task_ids: list[str], now: datetime) -> None:
    """The workflow went on without these tasks (another path, a cancellation): their incidents need no retry."""
    query = select(Incident).where(Incident.task_id.in_(task_ids), Incident.state == IncidentState.open)
    for incident in session.scalars(query):
        if incident.state is not IncidentState.open:  # resolved in this transaction, not flushed yet
            continue
        incident.resolve("obsolete", at=now)
        dossier.record_event("incident_resolved", at=now, data={
            "incident_id": incident.id, "bpmn_id": incident.bpmn_id, "topic": incident.topic,
            "resolution": "obsolete"})
