"""Moving running dossiers to a newer published version of their procedure: an explicit, reviewed admin action.

A dossier always runs on the version it started on (architecture.md, "Processes are data"). An administrator may
move selected running dossiers to a newer **published** version after reviewing what changes (tasks added, removed,
changed). A dossier waiting at a task the newer version removed — or whose history holds one — is refused, naming
the task. A moved dossier gets a ``version_migrated`` event (from, to, by whom); its workflow continues on the new
version: the next steps are the new diagram's.
"""
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.engine import (DossierWorkflow, EngineError, MigrationBlocker, MigrationRefused, MigrationTarget,
                        ProcessChanges, compare_specs, frozen_at, migrate, migration_blockers)
from app.extensions import db
from app.models import Dossier, Officer, ProcessVersion

from .dossier_state import restore_workflow, save_workflow
from .timers import fire_due_timers

logger = logging.getLogger(__name__)


class MigrationError(Exception):
    """The request itself is wrong (target not a newer published version of the same procedure): HTTP 409."""


@dataclass(frozen=True)
class DossierCheck:
    """A running dossier of the source version and whether it can move: ``blockers`` empty means it can.

    :ivar tasks: names of the tasks it waits at (its work items).
    :ivar error: the engine could not load or compare its workflow (it cannot move).
    """

    dossier: Dossier
    tasks: list[str]
    blockers: list[MigrationBlocker]
    error: str | None = None

    @property
    def movable(self) -> bool:
        return not self.blockers and self.error is None


@dataclass(frozen=True)
class MigrationOutcome:
    """What happened to one selected dossier; ``message`` says why when it was not moved."""

    dossier_code: str
    migrated: bool
    message: str = ""


def migration_targets(version: ProcessVersion) -> list[ProcessVersion]:
    """The published versions of the same procedure newer than ``version``, newest first."""
    return [v for v in reversed(version.procedure.versions) if v.number > version.number and v.published_at]


def version_changes(source: ProcessVersion, target: ProcessVersion) -> ProcessChanges:
    """Tasks and other elements the target adds, removes and changes compared with the source."""
    return compare_specs(source.spec_json, target.spec_json)


def running_dossiers(version: ProcessVersion) -> list[Dossier]:
    """The version's dossiers that have not reached a final status, oldest first."""
    query = (select(Dossier).where(Dossier.process_version_id == version.id, Dossier.finished_at.is_(None))
             .order_by(Dossier.id))
    return list(db.session.scalars(query))


def check_dossiers(source: ProcessVersion, target: ProcessVersion) -> list[DossierCheck]:
    """Each running dossier of ``source`` with what would stop it from moving to ``target``."""
    loaded = MigrationTarget(target.spec_json)
    return [_check(dossier, loaded) for dossier in running_dossiers(source)]


def migrate_dossiers(source: ProcessVersion, target: ProcessVersion, dossier_ids: list[int], *, by: Officer,
                     now: datetime) -> list[MigrationOutcome]:
    """Move the selected running dossiers of ``source`` to ``target``; refused ones are left as they were.

    Each moved dossier: due timers fired first (as the scheduler would), its workflow moved with SpiffWorkflow's
    ``migrate_workflow`` and run on the target under ``now``, saved (status, work items, timers), and a
    ``version_migrated`` event recorded with both version numbers and the administrator. Only flushes.

    :param by: the system administrator (recorded on the event).
    :param now: aware UTC time of the request.
    :raises MigrationError: ``target`` is not a newer published version of the same procedure.
    :raises app.engine.EngineError: saving a moved dossier failed (roll back the whole request).
    """
    if target.procedure_id != source.procedure_id or target.number <= source.number or target.published_at is None:
        raise MigrationError(f"v{target.number} không phải phiên bản đã công bố mới hơn v{source.number} của "
                             "cùng thủ tục.")
    loaded = MigrationTarget(target.spec_json)
    return [_migrate_one(dossier_id, source, target, loaded, by, now) for dossier_id in dict.fromkeys(dossier_ids)]


def _check(dossier: Dossier, target: MigrationTarget) -> DossierCheck:
    tasks = [w.task_name for w in dossier.work_items]
    try:
        return DossierCheck(dossier, tasks, migration_blockers(restore_workflow(dossier), target))
    except EngineError as exc:
        return DossierCheck(dossier, tasks, [], error=str(exc))


def _migrate_one(dossier_id: int, source: ProcessVersion, target: ProcessVersion, loaded: MigrationTarget,
                 by: Officer, now: datetime) -> MigrationOutcome:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.process_version_id != source.id or dossier.finished_at is not None:
        code = dossier.code if dossier else f"#{dossier_id}"
        return MigrationOutcome(code, False, f"Hồ sơ không còn đang xử lý trên v{source.number}.")
    try:
        fire_due_timers(dossier.id, now=now)  # what the scheduler would have done by now
        with frozen_at(now):  # waiting timers are set again on the target: they see the request's time
            state = migrate(restore_workflow(dossier), loaded)
            moved = DossierWorkflow.restore(target.content_hash, lambda: target.spec_json, state)
            moved.fire_due_timers()
    except MigrationRefused as exc:
        return MigrationOutcome(dossier.code, False, refusal(exc.blockers, target))
    except EngineError as exc:
        return MigrationOutcome(dossier.code, False, f"Máy quy trình không chuyển được hồ sơ: {exc}")
    _save_on(dossier, moved, target, now)
    dossier.record_event("version_migrated", at=now, actor=by, data={
        "from_version": source.number, "to_version": target.number, "from_version_id": source.id,
        "to_version_id": target.id, "by": by.username, "tasks": [w.bpmn_id for w in dossier.work_items]})
    logger.info("Dossier %s moved from v%s to v%s of %s by %s", dossier.code, source.number, target.number,
                target.procedure.code, by.username)
    return MigrationOutcome(dossier.code, True)


def _save_on(dossier: Dossier, workflow: DossierWorkflow, target: ProcessVersion, now: datetime) -> None:
    """Save the moved workflow on ``target``; work items are written afresh from the target's task definitions
    (a renamed task or new candidate groups), keeping when each task became ready."""
    opened = {item.task_id: item.opened_at for item in dossier.work_items}
    dossier.work_items.clear()
    db.session.flush()  # the same task ids come back: delete the old rows first
    dossier.process_version = target
    save_workflow(dossier, workflow, now=now)
    for item in dossier.work_items:
        item.opened_at = opened.get(item.task_id, item.opened_at)


def refusal(blockers: list[MigrationBlocker], target: ProcessVersion) -> str:
    """Why a dossier cannot move, in words, each blocking task named (BPMN name and id)."""
    reasons = {"waiting": "hồ sơ đang chờ ở bước «{name}» ({id}) mà v{n} đã bỏ",
               "passed": "hồ sơ đã qua bước «{name}» ({id}) mà v{n} đã bỏ, lịch sử của hồ sơ không chuyển được",
               "subprocess": "quy trình con «{name}» ({id}) đang chạy không còn trong v{n}"}
    return "; ".join(reasons[b.reason].format(name=b.name, id=b.bpmn_id, n=target.number) for b in blockers) + "."
