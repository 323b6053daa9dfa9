"""Dossier verbs: submit a dossier, complete one of its work items (reception, appraisal, decision, return).

Services only flush; the route (or scheduler job) commits once. ``now`` is always passed in (aware UTC).
"""
from datetime import datetime
from typing import Any

from app.documents.slips import COMPUTED_FEE_VARIABLE, SlipDataError, issue_documents, reception_reasons
from app.engine import DossierWorkflow, TaskNotReadyError, frozen_at
from app.extensions import db
from app.models import Agency, Apology, Applicant, Dossier, DossierStatus, Officer, Procedure, WorkItem
from app.models.dossier import CHANNEL_ONLINE, CHANNEL_POSTAL

#: Channel code → the name history entries use.
CHANNEL_NAMES = {1: "counter", CHANNEL_ONLINE: "online", CHANNEL_POSTAL: "postal"}

from . import apologies, clock, step_log
from .deadlines import TimeLimit
from .dossier_codes import next_dossier_code
from .dossier_state import restore_workflow, save_workflow
from .parties import owner_from_application, set_parties
from .working_time import local_tz, reception_deadlines

#: Reception outcomes of the one-stop check (ND 118/2025 Art. 17.1(c): receive, supplement, refuse).
RECEPTION_EVENTS = {"receive": "received", "supplement": "supplement_requested", "refuse": "reception_refused"}
#: A leader's decision field (``decision``: approve / refuse, with ``decision_reason``) is recorded on its own.
DECISIONS = ("approve", "refuse")
APPLICANT_GROUP = "applicant"
SUPPLEMENT_ONCE = ("Chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần (Nghị định 118/2025/NĐ-CP, Điều 11 "
                   "khoản 2 điểm c). Nếu hồ sơ vẫn chưa đầy đủ, hãy từ chối tiếp nhận và nêu rõ lý do.")


class DossierActionError(Exception):
    """Base of the refusals a route maps to HTTP."""


class NotAllowedError(DossierActionError):
    """The user may not act on this work item (wrong agency, role, or not the dossier's applicant): HTTP 403."""


class AlreadyHandledError(DossierActionError):
    """The work item was completed by someone else meanwhile: HTTP 409 "already handled"."""


class RuleViolationError(DossierActionError):
    """The action breaks a legal rule (e.g. a second supplement request); the message cites the rule."""


class ClaimConflictError(RuleViolationError):
    """Someone else claimed the work item first (or holds it): HTTP 409 on the officer pages."""


def submit_dossier(procedure: Procedure, *, applicant: Applicant | None, handling_agency: Agency,
                   application: dict[str, Any], now: datetime, submission_key: str | None = None,
                   channel: int = CHANNEL_ONLINE, received_by: Officer | None = None) -> Dossier:
    """File a dossier on the procedure's newest published version and start its workflow: online by the citizen,
    or at the counter / by post through a one-stop officer (``channel``, ``received_by``; no citizen account needed:
    ``applicant`` may be ``None``, see :mod:`app.services.reception`).

    The code is issued at once by the provincial system (ND 118/2025 Art. 28.1) with the handling agency's
    identifier and the local date of receipt by the system.

    :param application: the start form's validated values (JSON-ready).
    :param submission_key: the filing form's one-time key (unique: a second dossier with it cannot be stored).
    :param channel: national channel code (:data:`app.models.dossier.CHANNELS`).
    :param now: aware UTC time of submission.
    :raises ValueError: the procedure has no published version.
    :raises app.engine.EngineError: the diagram failed on its first steps (nothing is saved).
    """
    version = procedure.published_version
    if version is None:
        raise ValueError(f"procedure {procedure.code} has no published version")
    code = next_dossier_code(handling_agency.code, now.astimezone(local_tz()).date())
    start_data = {**application, "dossier_code": code, "procedure_code": procedure.code,
                  "handling_agency_code": handling_agency.code, "submitted_at": now.isoformat(), "channel": channel}
    dossier = Dossier(code=code, procedure=procedure, process_version=version, applicant=applicant,
                      handling_agency=handling_agency, channel=channel, status=DossierStatus.submitted,
                      application=application, workflow_state="", submitted_at=now, submission_key=submission_key)
    set_parties(dossier, owner_from_application(application, applicant))
    db.session.add(dossier)
    dossier.record_event("submitted", at=now, actor=received_by or applicant,
                         data={"channel": CHANNEL_NAMES.get(channel, channel), "channel_code": channel})
    with frozen_at(now):  # the engine's timers count from the request's time, as the due dates do
        workflow = DossierWorkflow.start(version.content_hash, lambda: version.spec_json, start_data)
        save_workflow(dossier, workflow, now=now)
    return dossier


def complete_work_item(dossier: Dossier, task_id: str, *, actor: Officer | Applicant,
                       values: dict[str, Any], now: datetime) -> None:
    """Complete one ready user task of ``dossier`` with validated form ``values``.

    A reception check whose ``reception_outcome`` is ``receive`` starts the legal clock: ``received_at`` is
    ``now`` and the due time is counted in the version's time-limit unit with the handling agency's office hours
    (Civil Code 2015 Art. 147; ND 118/2025 Art. 17.3; legal.md §9.4), stored on the dossier (a later calendar
    edit never moves it, R120) and passed to the diagram as ``dossier_due_at`` and ``warning_at`` (ISO 8601,
    local time with offset) for its timers.
    A supplement may be requested only once (ND 118/2025 Art. 11.2(c)). The legal clock follows the diagram
    (:mod:`.clock`: pauses, restart, step budgets); a form with ``apology_reason`` and ``new_appointment_on``
    records the one apology (:mod:`.apologies`); the hand-over is written to the step log (:mod:`.step_log`).

    :raises AlreadyHandledError: the task is no longer ready.
    :raises NotAllowedError: ``actor`` may not act on it.
    :raises RuleViolationError: a second supplement request, a late post-appraisal supplement request, a second
        apology or a new appointment the rules do not allow.
    :raises app.engine.EngineError: the diagram failed afterwards (roll back).
    """
    item = work_item_of(dossier, task_id)
    ensure_may_act(actor, dossier, item)
    data = dict(values)
    if data.get("reception_outcome") == "supplement" and dossier.has_event("supplement_requested"):
        raise RuleViolationError(SUPPLEMENT_ONCE)
    try:  # each reception outcome needs what its slip prints (Mẫu 02 items and reason, Mẫu 03 reasons)
        reception_reasons(data.get("reception_outcome") or "", data)
    except SlipDataError as exc:
        raise RuleViolationError(str(exc)) from exc
    if data.get("reception_outcome") == "receive":
        data.update(_receive(dossier, now))
    workflow = restore_workflow(dossier)
    with frozen_at(now):  # the engine's timers see the request's time, as the due dates do
        try:
            apology = apologies.record_apology(
                dossier, officer=actor, reason=data[apologies.REASON_FIELD],
                new_appointment_on=data[apologies.NEW_APPOINTMENT_FIELD], now=now) if apologies.is_apology(data) else None
            workflow.complete(task_id, data)
            if data.get("reception_outcome") == "receive":  # a fee the diagram computed (a DMN) goes on Mẫu 01
                computed_fee = workflow.data().get(COMPUTED_FEE_VARIABLE)
                if computed_fee is not None:
                    data[COMPUTED_FEE_VARIABLE] = computed_fee
            _record_completion(dossier, item, actor, data, values, now, apology)
            clock.after_completion(dossier, workflow, item, now=now)
            if apology is not None:
                clock.push_due(dossier, workflow, now=now)
            save_workflow(dossier, workflow, now=now)
        except TaskNotReadyError as exc:
            raise AlreadyHandledError("Công việc này đã được người khác xử lý.") from exc
        except clock.ClockRuleError as exc:
            raise RuleViolationError(str(exc)) from exc


def _record_completion(dossier: Dossier, item: WorkItem, actor, data: dict, values: dict, now: datetime,
                       apology: Apology | None = None) -> None:
    step_log.record_step(dossier, item, actor, now=now)
    dossier.record_event("task_completed", at=now, actor=actor, data={
        "task": item.task_name, "bpmn_id": item.bpmn_id, "form_ref": item.form_ref, "values": values})
    outcome = data.get("reception_outcome")
    if outcome in RECEPTION_EVENTS:
        dossier.record_event(RECEPTION_EVENTS[outcome], at=now, actor=actor, data=_reception_details(dossier, data))
    issue_documents(dossier, item.bpmn_id, data, actor=actor, now=now, apology=apology)  # Mẫu 01–04
    if data.get("decision") in DECISIONS:
        dossier.record_event("decision_recorded", at=now, actor=actor, data={
            "decision": data["decision"], "reason": data.get("decision_reason") or ""})


def work_item_of(dossier: Dossier, task_id: str) -> WorkItem:
    """The dossier's ready work item ``task_id``. :raises AlreadyHandledError: it is not ready any more."""
    item = next((w for w in dossier.work_items if w.task_id == task_id), None)
    if item is None:
        raise AlreadyHandledError("Công việc này đã được xử lý hoặc không còn tồn tại.")
    return item


def ensure_may_act(actor: Officer | Applicant, dossier: Dossier, item: WorkItem, *, completing: bool = True) -> None:
    """Who may complete a work item.

    Officers: of the dossier's handling agency, in one of its candidate groups or named among its candidate users,
    and the assignee when the diagram names one (Camunda 7's ``candidateGroups``/``candidateUsers``/``assignee``).
    Applicants: the dossier's own applicant, on items of the ``applicant`` group; for a dossier filed at the counter
    or by post, the handling agency's one-stop officers record the applicant's answer.
    An item another officer claimed (Tasklist "Claim") is completed only by that officer, on every path
    (:func:`complete_work_item` calls this); ``completing=False`` checks only who may open the item.

    :raises NotAllowedError: otherwise.
    :raises ClaimConflictError: ``completing`` and another officer holds the claim (the message names them).
    """
    if isinstance(actor, Applicant):
        allowed = APPLICANT_GROUP in item.groups and dossier.applicant_id == actor.id
    elif APPLICANT_GROUP in item.groups and dossier.channel != CHANNEL_ONLINE:
        # a counter or postal applicant answers at the counter: its one-stop officers record it (ND 118/2025 Art. 15)
        allowed = item.agency_id == actor.agency_id and "one_stop" in actor.roles
    else:
        candidate = bool(item.groups & actor.roles) or actor.username in item.users
        allowed = item.agency_id == actor.agency_id and candidate and item.assignee in (None, "", actor.username)
    if not allowed:
        raise NotAllowedError("Bạn không có quyền xử lý công việc này.")
    claimer_id = item.claimed_by_id
    if completing and claimer_id is not None and (isinstance(actor, Applicant) or claimer_id != actor.id):
        raise ClaimConflictError(f"Công việc “{item.task_name}” đang do {item.claimed_by.full_name} nhận xử lý: "
                                 "chỉ người đã nhận mới hoàn thành được. Đề nghị lãnh đạo giao lại nếu cần.")


def _receive(dossier: Dossier, now: datetime) -> dict[str, str]:
    limit = TimeLimit.from_properties(dossier.process_version.catalogue)
    due_at, _ = reception_deadlines(now, limit, dossier.handling_agency_id)
    warning_at = clock.warning_for(due_at, now=now, agency_id=dossier.handling_agency_id)
    dossier.received_at, dossier.due_at = now, due_at
    dossier.original_due_at = dossier.original_due_at or due_at
    tz = local_tz()
    return {"received_at": now.astimezone(tz).isoformat(), "dossier_due_at": due_at.astimezone(tz).isoformat(),
            "warning_at": warning_at.astimezone(tz).isoformat()}


def _reception_details(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    details = {key: data[key] for key in ("missing_items", "supplement_reason", "refusal_reason") if data.get(key)}
    if dossier.due_at is not None and data.get("reception_outcome") == "receive":
        details["due_at"] = dossier.due_at.isoformat()
    return details
