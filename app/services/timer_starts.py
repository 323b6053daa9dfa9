"""System-started dossiers: a procedure whose BPMN starts with a timer start event is started by the scheduler.

The ``timer_starts`` row of a procedure is the truth about its next occurrence (APScheduler only runs
:func:`start_due_instances` every ``SCHEDULER_SWEEP_SECONDS``); it follows the newest published version
(:func:`schedule_timer_start`, called on publish). Each due occurrence starts one dossier with no applicant,
handled by the agency of the process property ``handling_agency_code``.

Restart semantics: when the app was down across several occurrences, the first run afterwards starts ONE dossier,
for the latest occurrence missed, and the schedule moves to the first occurrence after now (Camunda 7 also fires
an overdue timer job once). Occurrences skipped that way count against a bounded cycle (``R5/…``): the cycle is a
calendar, not a quota.

Two schedulers (two app processes) never start two dossiers for one occurrence: the row's ``next_at`` is moved
with a compare-and-set UPDATE, and the occurrence is recorded under a unique (procedure, moment) constraint, both
in the dossier's transaction.
"""
import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.engine import DossierWorkflow, EngineError, frozen_at
from app.engine.timer_start import TimerStartSchedule, first_occurrence, latest_due, next_occurrence
from app.extensions import db
from app.models import Agency, Dossier, DossierStatus, ProcessVersion, TimerStart, TimerStartOccurrence

from .dossier_codes import next_dossier_code
from .dossier_state import save_workflow
from .working_time import local_tz

logger = logging.getLogger(__name__)
#: Channel code stored on system-started dossiers (nobody filed them: not a counter, postal or online filing).
SYSTEM_CHANNEL = 0


class TimerStartAgencyError(ValueError):
    """The version's ``handling_agency_code`` names no agency: no dossier can be started (the row is kept)."""


def schedule_of(version: ProcessVersion) -> TimerStartSchedule | None:
    """The version's timer start schedule as deployed, or None (versions without one, or deployed before)."""
    stored = version.definition.get("timer_start")
    return TimerStartSchedule(**stored) if stored else None


def schedule_timer_start(version: ProcessVersion, *, now: datetime) -> TimerStart | None:
    """Point the procedure's schedule at its newest published version (call after publishing ``version``).

    The same cycle, cron or date on the new version keeps the next occurrence; a changed one starts again from
    ``now``; a version without a timer start removes the schedule.

    :param now: aware UTC time of publication.
    :return: the procedure's schedule row, or None.
    """
    procedure = version.procedure
    current = procedure.published_version or version
    schedule = schedule_of(current)
    row = db.session.scalar(select(TimerStart).where(TimerStart.procedure_id == procedure.id)) \
        if procedure.id is not None else None
    if schedule is None:
        if row is not None:
            db.session.delete(row)
        return None
    if row is None:
        row = TimerStart(procedure=procedure, process_version=current, kind=schedule.kind,
                         expression=schedule.expression, anchor_at=now, next_index=0)
        db.session.add(row)
    elif (row.kind, row.expression) == (schedule.kind, schedule.expression):
        row.process_version = current
        return row
    row.process_version, row.kind, row.expression, row.anchor_at = current, schedule.kind, schedule.expression, now
    row.next_at, row.next_index = first_occurrence(schedule, anchor=now, zone=local_tz()), 0
    return row


def due_timer_starts(now: datetime) -> list[int]:
    """Ids of the schedules whose next occurrence is at or before ``now``."""
    return list(db.session.scalars(select(TimerStart.id).where(TimerStart.next_at <= now).order_by(TimerStart.id)))


def start_due_instance(timer_start_id: int, *, now: datetime) -> Dossier | None:
    """Start the dossier of one schedule's due occurrence (the latest missed one) and move the schedule on.

    Flushes but does not commit: the caller commits the dossier, the occurrence and the moved schedule together,
    or rolls all back.

    :return: the dossier, or None when nothing is due or another scheduler took this occurrence.
    :raises TimerStartAgencyError: ``handling_agency_code`` names no agency.
    :raises app.engine.EngineError: the diagram failed on its first steps (roll back).
    """
    row = db.session.get(TimerStart, timer_start_id)
    if row is None or row.next_at is None or row.next_at > now:
        return None
    schedule = TimerStartSchedule("", row.kind, row.expression)
    zone = local_tz()
    occurrence = latest_due(schedule, anchor=row.anchor_at, due=row.next_at, now=now, zone=zone)
    following, index = next_occurrence(schedule, anchor=row.anchor_at, after=now, zone=zone)
    moved = db.session.execute(update(TimerStart).where(TimerStart.id == row.id, TimerStart.next_at == row.next_at)
                               .values(next_at=following, next_index=index).execution_options(
                                   synchronize_session=False))
    if moved.rowcount != 1:
        return None  # another scheduler moved it first: that one starts this occurrence
    db.session.refresh(row)
    dossier = start_system_dossier(row.process_version, occurrence_at=occurrence, now=now)
    db.session.add(TimerStartOccurrence(procedure_id=row.procedure_id, occurrence_at=occurrence, dossier=dossier,
                                        started_at=now))
    db.session.flush()
    return dossier


def start_system_dossier(version: ProcessVersion, *, occurrence_at: datetime, now: datetime) -> Dossier:
    """Start a dossier with no applicant on ``version`` (a timer start occurrence, or a designer's scenario).

    The workflow gets ``dossier_code``, ``procedure_code``, ``handling_agency_code``, ``submitted_at`` and
    ``timer_occurrence_at`` (ISO 8601) as its first variables.

    :raises TimerStartAgencyError: the version's ``handling_agency_code`` names no agency.
    :raises app.engine.EngineError: the diagram failed on its first steps (nothing may be committed).
    """
    code_of_agency = version.catalogue.get("handling_agency_code", "")
    agency = db.session.scalar(select(Agency).where(Agency.code == code_of_agency))
    if agency is None:
        raise TimerStartAgencyError(f"{version.procedure.code} v{version.number}: handling_agency_code "
                                    f"{code_of_agency!r} names no agency")
    code = next_dossier_code(agency.code, now.astimezone(local_tz()).date())
    data = {"dossier_code": code, "procedure_code": version.procedure.code, "handling_agency_code": agency.code,
            "submitted_at": now.isoformat(), "timer_occurrence_at": occurrence_at.isoformat()}
    dossier = Dossier(code=code, procedure=version.procedure, process_version=version, applicant=None,
                      handling_agency=agency, channel=SYSTEM_CHANNEL, status=DossierStatus.submitted, application={},
                      workflow_state="", submitted_at=now)
    db.session.add(dossier)
    dossier.record_event("started_by_timer", at=now, data={"occurrence_at": occurrence_at.isoformat(),
                                                            "version": version.number})
    with frozen_at(now):
        workflow = DossierWorkflow.start(version.content_hash, lambda: version.spec_json, data)
        save_workflow(dossier, workflow, now=now)
    return dossier


def start_due_instances(now: datetime) -> list[int]:
    """Start every due occurrence, one transaction each (what the scheduler's job runs).

    :return: ids of the dossiers started.
    """
    started = []
    for timer_start_id in due_timer_starts(now):
        try:
            dossier = start_due_instance(timer_start_id, now=now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            logger.info("Timer start %s: occurrence already started by another scheduler", timer_start_id)
            continue
        except (EngineError, TimerStartAgencyError):
            db.session.rollback()
            logger.exception("Timer start %s: no dossier could be started", timer_start_id)
            continue
        if dossier is not None:
            started.append(dossier.id)
            logger.info("Timer start %s: dossier %s started", timer_start_id, dossier.code)
    return started

