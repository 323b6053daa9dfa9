"""The step log: each hand-over (a work item completed → the next) with its time limit, for the process-control
sheet (Phiếu kiểm soát quá trình giải quyết hồ sơ, TT 03/2025/TT-VPCP Mẫu 05; ND 118/2025 Art. 19; R46).

A step is *early* when completed on a local day before its due day, *on time* when completed on its due day at
or before the due time, *late* after the due time; a step without a time limit (before reception, no budget)
has no classification.
"""
import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.models import Applicant, Dossier, Officer, StepLogEntry, WorkItem

from .working_time import local_tz


class StepTiming(str, enum.Enum):
    """Classification of a hand-over on the process-control sheet."""

    early = "early"      # trước hạn
    on_time = "on_time"  # đúng hạn
    late = "late"        # quá hạn

    @property
    def label(self) -> str:
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}[self.value]


@dataclass(frozen=True)
class Step:
    """One completed step of a dossier; ``_at`` fields are aware UTC, ``timing`` ``None`` without a due time."""

    task_name: str
    agency: str
    officer: str | None
    received_at: datetime
    due_at: datetime | None
    completed_at: datetime
    timing: StepTiming | None


def classify(completed_at: datetime, due_at: datetime | None) -> StepTiming | None:
    """Early / on time / late of a step completed at ``completed_at`` against ``due_at`` (local days)."""
    if due_at is None:
        return None
    if completed_at > due_at:
        return StepTiming.late
    tz = local_tz()
    return StepTiming.early if completed_at.astimezone(tz).date() < due_at.astimezone(tz).date() else StepTiming.on_time


def record_step(dossier: Dossier, item: WorkItem, actor: Officer | Applicant, *, now: datetime) -> StepLogEntry:
    """Log the completion of ``item`` by ``actor`` at ``now`` (one row per hand-over)."""
    label = f"{actor.full_name}" if actor is not None else None
    entry = StepLogEntry(dossier=dossier, task_id=item.task_id, bpmn_id=item.bpmn_id, task_name=item.task_name,
                         agency=item.agency, officer_label=label, received_at=item.opened_at, due_at=item.due_at,
                         completed_at=now)
    object_session(dossier).add(entry)
    return entry


def steps_of(dossier: Dossier) -> list[Step]:
    """The dossier's completed steps, oldest first, classified (for the process-control sheet)."""
    rows = object_session(dossier).scalars(select(StepLogEntry).where(StepLogEntry.dossier_id == dossier.id)
                                           .order_by(StepLogEntry.completed_at, StepLogEntry.id))
    return [Step(task_name=r.task_name, agency=r.agency.name, officer=r.officer_label, received_at=r.received_at,
                 due_at=r.due_at, completed_at=r.completed_at, timing=classify(r.completed_at, r.due_at))
            for r in rows]
