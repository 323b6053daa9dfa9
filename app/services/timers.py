"""Firing BPMN timers of dossiers; ``pending_timers`` rows are the truth, the scheduler only executes them."""
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.engine import frozen_at
from app.extensions import db
from app.models import Dossier, PendingTimerRow

from .dossier_state import restore_workflow, save_workflow


def fire_due_timers(dossier_id: int, *, now: datetime) -> int:
    """Fire the dossier's timers due at or before ``now`` and save; idempotent.

    A second call (another scheduler, the sweeper, a retried job) finds no due row and does nothing; two
    concurrent calls are serialised by the dossier's optimistic lock (the loser gets ``StaleDataError``).

    :param now: aware UTC time; the engine's timers see it too (``engine.frozen_at``).
    :return: how many timers fired.
    """
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not any(t.due_at <= now for t in dossier.pending_timers):
        return 0
    before = {t.task_id: t for t in dossier.pending_timers}
    workflow = restore_workflow(dossier)
    with frozen_at(now + timedelta(microseconds=1)):  # Spiff fires only when due < its now; we promise due <= now
        workflow.fire_due_timers()
        still_waiting = {t.task_id: t.due_at for t in workflow.pending_timers()}
        # fired: due, and no longer waiting at that time (a cycle keeps its task and waits for its next time)
        fired = [t for task_id, t in before.items() if t.due_at <= now and still_waiting.get(task_id) != t.due_at]
        for timer in fired:
            dossier.record_event("timer_fired", at=now, data={"timer": timer.name, "bpmn_id": timer.bpmn_id,
                                                              "due_at": timer.due_at.isoformat()})
        save_workflow(dossier, workflow, now=now)
    return len(fired)


def dossiers_with_due_timers(now: datetime, *, limit: int | None = None,
                             skip: Collection[int] = ()) -> list[int]:
    """Ids of dossiers holding a timer due at or before ``now``, the longest overdue first (indexed on ``due_at``).

    :param limit: at most this many (the scheduler fires in batches); ``None``: all.
    :param skip: dossier ids left out (their firing failed just now and waits for a retry).
    """
    query = (select(PendingTimerRow.dossier_id).where(PendingTimerRow.due_at <= now)
             .group_by(PendingTimerRow.dossier_id).order_by(func.min(PendingTimerRow.due_at)).limit(limit))
    if skip:
        query = query.where(PendingTimerRow.dossier_id.not_in(list(skip)))
    return list(db.session.scalars(query))


def next_due_at(*, skip: Collection[int] = ()) -> datetime | None:
    """The earliest ``due_at`` (aware UTC) of all pending timers but those of ``skip`` dossiers; ``None``: none.

    One index lookup on ``pending_timers.due_at``: the scheduler plans a single job at this time instead of one
    job per dossier, so 100,000 waiting timers cost nothing at start.
    """
    query = select(func.min(PendingTimerRow.due_at))
    if skip:
        query = query.where(PendingTimerRow.dossier_id.not_in(list(skip)))
    return db.session.scalar(query)
