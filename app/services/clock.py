"""The legal clock of a dossier, driven by the diagram: pauses, restart, per-step budgets.

User-task properties (``camunda:properties``) a designer sets in Camunda Modeler:

* ``clock_pause`` = ``supplement`` | ``financial_obligation``: while that task is ready the legal clock stands
  still (legal.md §9.4 item 5, R121; QĐ 766 indicator 2.1 excludes the applicant's waiting time). The interval
  is recorded (:class:`~app.models.ClockPause`); when it ends the appointment moves by the paused working time.
  A ``supplement`` pause opened after reception is a post-appraisal supplement request: allowed only within
  3 working days of reception (ND 118/2025 Art. 19.5; ND 61/2018 Art. 19.4; R41), refused otherwise.
* ``clock_restart`` = ``true``: completing that task means "the complete dossier was received"; the handling
  time counts again from zero (ND 118/2025 Art. 19.5) and the applicant gets a new appointment.
* ``budget_working_hours`` = N: the work item is due N working hours after it became ready (R46).

Each change of the appointment is written to the process variables ``dossier_due_at`` and ``warning_at`` and
the waiting date timers reading them are re-armed (:mod:`app.engine.timer_rearm`); while a pause lasts they hold
:data:`PAUSED_UNTIL`, so no "due soon" or "overdue" timer fires during it.

Working time is counted by :mod:`app.services.deadlines` within the office hours of the dossier's handling agency
(its ``agency_office_hours`` row, else ``OFFICE_OPENS_AT``–``OFFICE_CLOSES_AT``) on working days of the provincial
calendar; the lunch break is not modelled. Services only flush; ``now`` is aware UTC.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.engine import DossierWorkflow, UserTask, frozen_at
from app.engine.timer_rearm import set_clock_variables
from app.models import ClockPause, Dossier, WorkItem
from app.models.working_calendar import load_working_calendar

from . import deadlines
from .working_time import local_tz, office_hours, reception_deadlines

PAUSE_REASONS = {"supplement": "Chờ tổ chức, cá nhân bổ sung hồ sơ",
                 "financial_obligation": "Chờ thực hiện nghĩa vụ tài chính"}
#: ND 118/2025 Art. 19.5: a post-appraisal supplement request within 3 working days of reception, unless a
#: specialised law sets another period (process property ``supplement_request_working_days``).
SUPPLEMENT_REQUEST_WORKING_DAYS = 3
#: What ``dossier_due_at`` and ``warning_at`` hold while the clock is paused: the timers reading them wait.
PAUSED_UNTIL = "2999-12-31T17:00:00+07:00"


class ClockRuleError(Exception):
    """An action breaks a rule of the legal clock; the message (Vietnamese) cites the rule."""


def task_property(dossier: Dossier, bpmn_id: str, name: str) -> str | None:
    """The ``camunda:property`` ``name`` of element ``bpmn_id`` in the dossier's process version, if any."""
    return dossier.process_version.definition["element_properties"].get(bpmn_id, {}).get(name)


# --- working time ------------------------------------------------------------------------------------------
# The arithmetic is :mod:`app.services.deadlines` (pure); here it gets the calendar, the agency's office hours
# (R116) and the time zone.

def _clock(agency_id: int | None):
    return load_working_calendar(), office_hours(agency_id), local_tz()


def warning_for(due_at: datetime, *, now: datetime, agency_id: int | None = None) -> datetime:
    """When the "due soon" warning fires for an appointment ``due_at`` (R48), never before ``now``.

    ``DUE_WARNING_WORKING_HOURS`` working hours before the due time when set (> 0), else
    ``DUE_WARNING_WORKING_DAYS`` working days before it (:func:`app.services.deadlines.warning_at`), in the office
    hours of agency ``agency_id`` (defaults when ``None``).
    """
    config = current_app.config
    calendar, hours, tz = _clock(agency_id)
    if config.get("DUE_WARNING_WORKING_HOURS"):
        warning = deadlines.subtract_working_seconds(due_at, int(config["DUE_WARNING_WORKING_HOURS"]) * 3600,
                                                     calendar, hours, tz)
    else:
        warning = deadlines.warning_at(due_at, calendar, hours, tz, config["DUE_WARNING_WORKING_DAYS"])
    return max(warning, now)


# --- pauses and restart ------------------------------------------------------------------------------------

def open_pauses(dossier: Dossier) -> list[ClockPause]:
    """The dossier's pauses not ended yet."""
    if dossier.id is None:
        return []
    return list(object_session(dossier).scalars(select(ClockPause).where(
        ClockPause.dossier_id == dossier.id, ClockPause.ended_at.is_(None))))


def pauses_of(dossier: Dossier) -> list[ClockPause]:
    """Every pause interval of the dossier, oldest first."""
    return list(object_session(dossier).scalars(select(ClockPause).where(ClockPause.dossier_id == dossier.id)
                                                .order_by(ClockPause.started_at, ClockPause.id)))


def apply_clock(dossier: Dossier, workflow: DossierWorkflow, *, now: datetime) -> None:
    """Open and close pause intervals for where the workflow now stands (called by ``save_workflow`` first).

    A pause ends when its task is no longer ready (completed, or cancelled by the diagram) and the appointment
    moves by the working time it lasted. A new ready ``clock_pause`` task opens one while the clock runs.

    :raises ClockRuleError: a post-appraisal supplement request later than 3 working days after reception.
    """
    ready = {t.task_id: t for t in workflow.ready_user_tasks()}
    moved, still_open = False, []
    for pause in open_pauses(dossier):
        if pause.task_id not in ready:
            moved |= _end_pause(dossier, pause, now, shift=True)
        else:
            still_open.append(pause)
    known = {w.task_id for w in dossier.work_items}
    opened = []
    for task in (t for t in ready.values() if t.task_id not in known):
        reason = task_property(dossier, task.bpmn_id, "clock_pause")
        if reason in PAUSE_REASONS and dossier.due_at is not None and dossier.finished_at is None:
            opened.append(_start_pause(dossier, task, reason, now))
    if opened or (moved and still_open):
        hold_due(workflow, now=now)
    elif moved:
        push_due(dossier, workflow, now=now)


def after_completion(dossier: Dossier, workflow: DossierWorkflow, item: WorkItem, *, now: datetime) -> None:
    """Clock effects of completing ``item`` (before the workflow is saved).

    Its pause ends (the appointment moves); if it carries ``clock_restart = true`` and the clock had started,
    the handling time restarts from zero at ``now`` (ND 118/2025 Art. 19.5): new appointment, event
    ``clock_restarted`` (shown to the applicant and the officers).
    """
    restart = (task_property(dossier, item.bpmn_id, "clock_restart") or "").lower() == "true"
    restart = restart and dossier.received_at is not None and dossier.finished_at is None
    moved, still_open = False, False
    for pause in open_pauses(dossier):
        if pause.task_id == item.task_id or restart:
            moved |= _end_pause(dossier, pause, now, shift=not restart)
        else:
            still_open = True
    if restart:
        limit = deadlines.TimeLimit.from_properties(dossier.process_version.catalogue)
        previous = dossier.due_at
        dossier.due_at, _ = reception_deadlines(now, limit, dossier.handling_agency_id)
        dossier.record_event("clock_restarted", at=now, data={
            "due_at": dossier.due_at.isoformat(), "previous_due_at": previous.isoformat() if previous else None,
            "task": item.task_name})
        moved = True
    if moved and not still_open:
        push_due(dossier, workflow, now=now)


def push_due(dossier: Dossier, workflow: DossierWorkflow, *, now: datetime) -> None:
    """Write the dossier's current appointment to ``dossier_due_at`` / ``warning_at`` and re-arm their timers."""
    tz = local_tz()
    warning = warning_for(dossier.due_at, now=now, agency_id=dossier.handling_agency_id)
    set_clock_variables(workflow, {"dossier_due_at": dossier.due_at.astimezone(tz).isoformat(),
                                   "warning_at": warning.astimezone(tz).isoformat()})
    with frozen_at(now):
        workflow.fire_due_timers()


def hold_due(workflow: DossierWorkflow, *, now: datetime) -> None:
    """While the clock is paused, ``dossier_due_at`` / ``warning_at`` read :data:`PAUSED_UNTIL`: the timers
    reading them wait (no "due soon" and no "overdue" during a pause) until the pause ends and the moved
    appointment is pushed (:func:`push_due`)."""
    set_clock_variables(workflow, {"dossier_due_at": PAUSED_UNTIL, "warning_at": PAUSED_UNTIL})
    with frozen_at(now):
        workflow.fire_due_timers()


def _start_pause(dossier: Dossier, task: UserTask, reason: str, now: datetime) -> ClockPause:
    if reason == "supplement" and dossier.received_at is not None:
        _check_supplement_window(dossier, now)
    pause = ClockPause(dossier=dossier, reason=reason, task_id=task.task_id, bpmn_id=task.bpmn_id, started_at=now)
    object_session(dossier).add(pause)
    dossier.record_event("clock_paused", at=now, data={"reason": reason, "task": task.name,
                                                       "label": PAUSE_REASONS[reason]})
    return pause


def _check_supplement_window(dossier: Dossier, now: datetime) -> None:
    """ND 118/2025 Art. 19.5: within 3 working days from reception (the reception day not counted)."""
    days = int(dossier.process_version.catalogue.get("supplement_request_working_days")
               or SUPPLEMENT_REQUEST_WORKING_DAYS)
    limit = deadlines.due_at(dossier.received_at, days, *_clock(dossier.handling_agency_id))
    if now > limit:
        local = limit.astimezone(local_tz())
        raise ClockRuleError(
            f"Chỉ được yêu cầu bổ sung hồ sơ sau thẩm định trong {days} ngày làm việc kể từ ngày tiếp nhận "
            f"(đến {local:%H:%M ngày %d/%m/%Y}); nay đã quá thời hạn này (Nghị định 118/2025/NĐ-CP, Điều 19 "
            f"khoản 5). Hãy tiếp tục giải quyết hoặc từ chối và nêu rõ lý do.")


def _end_pause(dossier: Dossier, pause: ClockPause, now: datetime, *, shift: bool) -> bool:
    """Close ``pause`` at ``now``; with ``shift`` move the appointment by its working time. :return: moved."""
    pause.ended_at = now
    calendar, hours, tz = _clock(dossier.handling_agency_id)
    pause.paused_working_seconds = deadlines.working_seconds_between(pause.started_at, now, calendar, hours, tz)
    data = {"reason": pause.reason, "label": PAUSE_REASONS.get(pause.reason, pause.reason),
            "paused_working_hours": round(pause.paused_working_seconds / 3600, 2)}
    moved = shift and dossier.due_at is not None and pause.paused_working_seconds > 0
    if moved:
        dossier.due_at = deadlines.add_working_seconds(dossier.due_at, pause.paused_working_seconds,
                                                       calendar, hours, tz)
        data["due_at"] = dossier.due_at.isoformat()
    dossier.record_event("clock_resumed", at=now, data=data)
    return moved


# --- per-step budgets --------------------------------------------------------------------------------------

def step_due_at(dossier: Dossier, task: UserTask, opened_at: datetime, agency_id: int | None = None
                ) -> datetime | None:
    """Due time of a work item from its ``budget_working_hours`` property (``None`` without one).

    Ready time + budget in working hours (legal.md §9.4 item 6; R46), in the office hours of the work item's
    agency ``agency_id`` (the dossier's handling agency when ``None``).
    """
    budget = task.properties.get("budget_working_hours") or task_property(dossier, task.bpmn_id,
                                                                           "budget_working_hours")
    if not budget:
        return None
    return deadlines.add_working_hours(opened_at, float(budget), *_clock(agency_id or dossier.handling_agency_id))
