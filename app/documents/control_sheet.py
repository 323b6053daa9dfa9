"""The process-control sheet (Phiếu kiểm soát quá trình giải quyết hồ sơ, TT 03/2025 Mẫu 06, TT 01/2018 Mẫu 05)
filled from the dossier's step log (:func:`app.services.step_log.steps_of`): each hand-over with giver, receiver,
time, the step's own time limit and its result early / on time / late (R34, R46)."""
from typing import Any

from app.models import Dossier
from app.services.step_log import Step, steps_of

#: What the result column says for a step without a time limit (before reception, no step budget).
NO_TIME_LIMIT = "—"


def control_rows(dossier: Dossier, steps: list[Step] | None = None) -> list[dict[str, Any]]:
    """Rows of the sheet: step i hands over to step i+1 (the last to the open work items, if any).

    :param steps: the completed steps, oldest first; the dossier's step log when ``None``.
    :return: ``[{"giver", "receiver", "at", "result", "note"}]``: ``at`` a local "HH:MM dd/mm/yyyy" string,
        ``result`` "Trước hạn" / "Đúng hạn" / "Quá hạn" (:class:`~app.services.step_log.StepTiming`), ``note`` the
        step's due time.
    """
    from .slips import local
    steps = steps_of(dossier) if steps is None else steps
    waiting = ", ".join(w.task_name for w in dossier.work_items)
    rows = []
    for index, step in enumerate(steps):
        following = steps[index + 1] if index + 1 < len(steps) else None
        receiver = _who(following) if following else (waiting or "Kết thúc")
        rows.append({"giver": _who(step), "receiver": receiver,
                     "at": local(step.completed_at).strftime("%H:%M %d/%m/%Y"),
                     "result": step.timing.label if step.timing else NO_TIME_LIMIT,
                     "note": f"Hạn: {local(step.due_at):%H:%M %d/%m/%Y}" if step.due_at else ""})
    return rows


def _who(step: Step) -> str:
    return f"{step.task_name} — {step.officer or 'Hệ thống'} ({step.agency})"
