"""The applicant's request to stop handling a dossier (withdrawal) and the one-stop's stop notice (Mẫu 05).

ND 118/2025 Art. 21: an applicant may ask to stop the procedure from the receipt (counter, post) or from a
successful online submission until the competent body issues its decision or result notice; the system keeps the
whole history of the stop. TT 03/2025/TT-VPCP Art. 7: the one-stop checks the dossier's status and, when no
decision exists yet, issues the *Thông báo dừng giải quyết hồ sơ* (Phụ lục I, Mẫu 05). legal-2025-update.md §5;
legal.md R53 (statuses 7 "withdrawal requested" and 8 "stopped").

Each procedure's diagram decides *when* a stop can still be asked for: an interrupting message boundary event
``withdrawal_requested`` on its handling part leads to the one-stop's stop-notice task and the end ``stopped``.
The request is possible exactly while the workflow waits for that message
(:meth:`app.engine.DossierWorkflow.waiting_messages`); the dossier's status then follows the diagram's
``dossier_status`` properties. Services only flush; the route commits.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.documents.slips import common_data, issue_slip, spoken_time
from app.engine import MessageNotExpectedError
from app.models import Applicant, Dossier, DossierEvent, Officer
from app.models.dossier import CHANNEL_ONLINE

from .dossier_state import restore_workflow
from .dossiers import NotAllowedError, RuleViolationError
from .messages import correlate_message

#: The BPMN message every procedure's handling part catches (global message name).
WITHDRAWAL_MESSAGE = "withdrawal_requested"
#: The history entry of the request, and of the stop notice issued.
REQUEST_EVENT, NOTICE_EVENT = "withdrawal_requested", "stop_notice_issued"
#: The stop-notice task's form field that marks its completion (forms/stop_notice.form).
NOTICE_FIELD = "stop_notice_number"
REASON_MAX = 2000
TOO_LATE = ("Hồ sơ không còn có thể đề nghị dừng giải quyết: cơ quan có thẩm quyền đã có quyết định hoặc thông báo "
            "kết quả, hoặc hồ sơ đã kết thúc (Nghị định 118/2025/NĐ-CP, Điều 21).")


def may_withdraw(dossier: Dossier) -> bool:
    """Whether the dossier's workflow waits for ``withdrawal_requested`` now (its diagram allows a stop here)."""
    if dossier.status.is_final or not dossier.workflow_state:
        return False
    return any(m.name == WITHDRAWAL_MESSAGE for m in restore_workflow(dossier).waiting_messages())


def request_withdrawal(dossier: Dossier, *, reason: str, actor: Applicant | Officer, now: datetime) -> None:
    """Deliver the applicant's stop request to the dossier's workflow.

    Online dossiers: only their own applicant asks, on the portal (ND 118/2025 Art. 21.2). Counter and postal
    dossiers: a one-stop officer of the handling agency records the request the applicant made there (Art. 21.1).
    Records ``withdrawal_requested`` (reason, channel of the request) before the message is delivered; the
    workflow then moves to the stop-notice task (status 7).

    :param reason: the applicant's reason, 1–2000 characters.
    :param now: aware UTC time of the request.
    :raises NotAllowedError: ``actor`` may not ask for this dossier.
    :raises RuleViolationError: no reason, or the diagram no longer allows a stop (decision already taken).
    :raises app.engine.EngineError: the engine failed afterwards (roll back).
    """
    _ensure_may_request(actor, dossier)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise RuleViolationError(f"Vui lòng nêu lý do đề nghị dừng giải quyết hồ sơ (tối đa {REASON_MAX} ký tự).")
    if not may_withdraw(dossier):
        raise RuleViolationError(TOO_LATE)
    dossier.record_event(REQUEST_EVENT, at=now, actor=actor, data={
        "reason": reason, "requested_at": now.isoformat(),
        "via": "online" if isinstance(actor, Applicant) else "counter"})
    try:
        correlate_message(dossier, WITHDRAWAL_MESSAGE, {"withdrawal_reason": reason,
                                                        "withdrawal_requested_at": now.isoformat()}, now=now)
    except MessageNotExpectedError as exc:  # checked above; a parallel request could still win the race
        raise RuleViolationError(TOO_LATE) from exc


def issue_stop_notice(dossier: Dossier, data: dict[str, Any], *, actor, now: datetime):
    """Issue Mẫu 05 *Thông báo dừng giải quyết hồ sơ* when the stop-notice task is completed (TT 03/2025 Art. 7).

    Prints the applicant's request (date, reason, from the ``withdrawal_requested`` event), that the handling
    stops, what happens to paper originals and fees (the task's ``stop_originals_returned``, ``stop_fee_note``).
    Records ``stop_notice_issued``.

    :param data: the stop-notice form's values.
    :return: the :class:`app.models.Slip` issued.
    """
    session = object_session(dossier)
    session.flush()
    request = session.scalar(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                       DossierEvent.kind == REQUEST_EVENT)
                             .order_by(DossierEvent.id.desc()).limit(1))
    asked = request.data if request is not None else {}
    values = {**common_data(dossier, actor, now),
              "reason": asked.get("reason", ""),
              "requested": spoken_time(request.at) if request is not None else "",
              "reference": str(data.get(NOTICE_FIELD) or ""),
              "originals_returned": bool(data.get("stop_originals_returned")),
              "fee_note": str(data.get("stop_fee_note") or "").strip(),
              "received": spoken_time(dossier.received_at)}
    slip = issue_slip(dossier, "stop_notice", values, actor=actor, now=now)
    dossier.record_event(NOTICE_EVENT, at=now, actor=actor, data={"number": slip.number,
                                                                  "reason": values["reason"]})
    return slip


def _ensure_may_request(actor, dossier: Dossier) -> None:
    if isinstance(actor, Applicant):
        allowed = dossier.channel == CHANNEL_ONLINE and dossier.applicant_id == actor.id
    else:
        allowed = (dossier.channel != CHANNEL_ONLINE and dossier.handling_agency_id == actor.agency_id
                   and "one_stop" in actor.roles)
    if not allowed:
        raise NotAllowedError("Bạn không có quyền đề nghị dừng giải quyết hồ sơ này.")
