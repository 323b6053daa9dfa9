"""The process-control sheet (Phiếu kiểm soát quá trình giải quyết hồ sơ, TT 03/2025 Mẫu 06, TT 01/2018 Mẫu 05)
filled from the dossier's step log: each hand-over with giver, receiver, time and result (R34)."""
from datetime import datetime
from typing import Any

from app.models import Dossier

#: Step result against the dossier's due time (the sheet's "Kết quả" column).
EARLY, ON_TIME, LATE = "Trước hạn", "Đúng hạn", "Quá hạn"


def steps_of(dossier: Dossier) -> list[dict[str, Any]]:
    """The completed steps, oldest first: ``[{"task", "actor", "at"}]`` (aware UTC ``at``).

    Built from the ``task_completed`` events; the lead may swap in ``app.services.step_log.steps_of``.
    """
    return [{"task": e.data.get("task") or e.data.get("bpmn_id") or "", "actor": e.actor_label or "Hệ thống",
             "at": e.at} for e in dossier.events if e.kind == "task_completed"]


def control_rows(dossier: Dossier, steps: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Rows of the sheet: step i hands over to step i+1 (the last to the open work items, if any).

    :return: ``[{"giver", "receiver", "at", "result"}]`` with ``at`` a local "HH:MM dd/mm/yyyy" string.
    """
    from .slips import local
    steps = steps_of(dossier) if steps is None else steps
    waiting = ", ".join(w.task_name for w in dossier.work_items)
    rows = []
    for index, step in enumerate(steps):
        following = steps[index + 1] if index + 1 < len(steps) else None
        receiver = (f"{following['task']} — {following['actor']}" if following
                    else (waiting or "Kết thúc"))
        rows.append({"giver": f"{step['task']} — {step['actor']}", "receiver": receiver,
                     "at": local(step["at"]).strftime("%H:%M %d/%m/%Y"), "result": step_result(step["at"], dossier)})
    return rows


def step_result(at: datetime, dossier: Dossier) -> str:
    """Before, on or after the dossier's due day (no due time yet, i.e. before reception: on time)."""
    from .slips import local
    if dossier.due_at is None:
        return ON_TIME
    if at > dossier.due_at:
        return LATE
    return ON_TIME if local(at).date() == local(dossier.due_at).date() else EARLY
