"""Claiming work items, as in Camunda 7 Tasklist: claim, unclaim, and a leader's reassignment.

A claim marks who is handling a ready work item so that colleagues of the same group do not do it twice; only
the claimer may complete it (:func:`ensure_not_claimed_by_other`). A claim is not a transfer between agencies:
every action here stays inside the work item's agency (seed Art. 19.2: an officer acts only for their agency).
Every change is an entry in the dossier's history (``work_item_claimed``, ``work_item_unclaimed``,
``work_item_reassigned`` with ``from``/``to``/``by`` usernames), written in the caller's transaction.

Services only flush; the route commits.
"""
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import object_session

from app.models import Officer, WorkItem

from .dossiers import AlreadyHandledError, ClaimConflictError, NotAllowedError, RuleViolationError, ensure_may_act

#: Role allowed to reassign a work item to another officer of the agency.
LEADER_ROLE = "leader"


def is_candidate(officer: Officer, item: WorkItem) -> bool:
    """Whether ``officer`` may work on ``item`` at all: same agency, a candidate group among their roles or named
    among the candidate users, and not excluded by an assignee the diagram names (Camunda 7 semantics); the
    applicant's step of a counter or postal dossier belongs to the agency's one-stop officers. One rule with
    completing: :func:`app.services.dossiers.ensure_may_act` (claims aside)."""
    try:
        ensure_may_act(officer, item.dossier, item, completing=False)
    except NotAllowedError:
        return False
    return True


def ensure_not_claimed_by_other(officer: Officer, item: WorkItem) -> None:
    """Refuse to let ``officer`` complete an item another officer has claimed.

    :raises ClaimConflictError: with a message that names the claimer.
    """
    if item.claimed_by_id is not None and item.claimed_by_id != officer.id:
        ensure_may_act(officer, item.dossier, item)  # the one place the rule lives (raises ClaimConflictError)


def claim_work_item(item: WorkItem, *, officer: Officer, now: datetime) -> None:
    """``officer`` claims ``item`` (Tasklist "Claim").

    The claim is a conditional UPDATE, so of two officers claiming at once exactly one wins.

    :param now: aware UTC time of the request.
    :raises NotAllowedError: ``officer`` is not a candidate for it.
    :raises ClaimConflictError: it is already claimed (by anyone, the officer included).
    :raises AlreadyHandledError: it was completed meanwhile.
    """
    if not is_candidate(officer, item):
        raise NotAllowedError("Bạn không thuộc nhóm xử lý công việc này.")
    if item.claimed_by_id is not None:
        raise ClaimConflictError(f"Công việc này đã được {item.claimed_by.full_name} nhận.")
    session = object_session(item)
    won = session.execute(update(WorkItem).where(WorkItem.id == item.id, WorkItem.claimed_by_id.is_(None))
                          .values(claimed_by_id=officer.id, claimed_at=now)
                          .execution_options(synchronize_session=False)).rowcount
    if not won:
        holder = session.scalar(select(Officer).join(WorkItem, WorkItem.claimed_by_id == Officer.id)
                                .where(WorkItem.id == item.id))
        if holder is None:  # completed (and its row removed) meanwhile
            raise AlreadyHandledError("Công việc này đã được xử lý hoặc không còn tồn tại.")
        raise ClaimConflictError(f"Công việc này vừa được {holder.full_name} nhận.")
    session.refresh(item)
    item.dossier.record_event("work_item_claimed", at=now, actor=officer,
                              data={"task": item.task_name, "bpmn_id": item.bpmn_id, "to": officer.username})


def unclaim_work_item(item: WorkItem, *, officer: Officer, now: datetime) -> None:
    """Give ``item`` back to its group (Tasklist "Unclaim"): the claimer, or a leader of the item's agency.

    :raises NotAllowedError: someone else's claim and ``officer`` is not a leader there.
    :raises RuleViolationError: nobody has claimed it.
    """
    if item.claimed_by_id is None:
        raise RuleViolationError("Công việc này chưa có ai nhận.")
    if item.claimed_by_id != officer.id and not _leads(officer, item):
        raise NotAllowedError("Chỉ người đã nhận hoặc lãnh đạo cơ quan mới trả lại được công việc này.")
    previous = item.claimed_by.username
    item.claimed_by, item.claimed_at = None, None
    item.dossier.record_event("work_item_unclaimed", at=now, actor=officer,
                              data={"task": item.task_name, "bpmn_id": item.bpmn_id, "from": previous})


def reassign_work_item(item: WorkItem, *, leader: Officer, to: Officer, now: datetime) -> None:
    """A leader hands ``item`` to another officer of the same agency (Tasklist "Set assignee").

    The event ``work_item_reassigned`` records ``from`` (the previous claimer's username or ``None``), ``to`` and
    ``by``.

    :raises NotAllowedError: ``leader`` is not a leader of the item's agency, or ``to`` is of another agency or
        not a candidate for the item (they could not complete it).
    :raises RuleViolationError: ``to`` already holds it.
    """
    if not _leads(leader, item):
        raise NotAllowedError("Chỉ lãnh đạo của cơ quan xử lý mới giao lại được công việc.")
    if to.agency_id != item.agency_id:
        raise NotAllowedError("Chỉ giao được cho cán bộ cùng cơ quan.")
    if not is_candidate(to, item) or to.locked:
        raise NotAllowedError(f"{to.full_name} không thuộc nhóm xử lý công việc “{item.task_name}”.")
    if item.claimed_by_id == to.id:
        raise RuleViolationError(f"Công việc này đã do {to.full_name} xử lý.")
    previous = item.claimed_by.username if item.claimed_by is not None else None
    item.claimed_by, item.claimed_at = to, now
    item.dossier.record_event("work_item_reassigned", at=now, actor=leader, data={
        "task": item.task_name, "bpmn_id": item.bpmn_id, "from": previous, "to": to.username,
        "by": leader.username})


def reassignment_candidates(item: WorkItem) -> list[Officer]:
    """Officers of the item's agency who could take it over (unlocked candidates), by name."""
    session = object_session(item)
    officers = session.scalars(select(Officer).where(Officer.agency_id == item.agency_id, Officer.locked.is_(False))
                               .order_by(Officer.full_name))
    return [o for o in officers if is_candidate(o, item)]


def _leads(officer: Officer, item: WorkItem) -> bool:
    return LEADER_ROLE in officer.roles and officer.agency_id == item.agency_id
