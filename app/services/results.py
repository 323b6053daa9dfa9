"""Returning results: the early-return notice, the channel of return, e-result codes and originals given back.

Two external service-task topics a diagram puts around its *Trả kết quả* (return) user task::

    handling ─▶ [result_ready] ─▶ (Trả kết quả, form_result_return) ─▶ [result_returned] ─▶ end

``result_ready`` runs when the result exists: it records ``result_ready`` and, when that is before the appointment
day (the local date of ``dossier.due_at``), an ``early_return_notice`` to the applicant — results may be returned
early only after the applicant is told (ND 118/2025 Art. 22; ND 61/2018 Art. 20.4; legal.md R55).

``result_returned`` runs after the one-stop officer returned it, with the return form's values as process data:
``return_channel`` (``counter`` | ``post`` | ``online``), ``recipient_name``, ``postal_tracking_number``,
``originals_returned``. It records ``result_returned`` (channel), ``e_result_issued`` with the code
``<dossier code>-KQ<n>`` (n = 1, 2, … within the dossier; ND 45/2020 Art. 14.3, legal.md R13/R56) and, when ticked,
``originals_returned`` (ND 118/2025 Art. 22: originals taken for comparison are given back).

Handlers only flush; :mod:`.external_tasks` commits, retries and opens incidents.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Dossier, DossierEvent

from .apologies import on_time_due_at
from .external_tasks import external_task
from .working_time import local_tz

RETURN_CHANNELS = ("counter", "post", "online")
#: What the applicant receives when the competent officer refused (ND 118/2025 Art. 19.3).
REFUSAL_RESULT_NAME = "Văn bản từ chối giải quyết hồ sơ"
E_RESULT_EVENT = "e_result_issued"


class ReturnChannelError(ValueError):
    """The return task's data names no known channel (the diagram's form lacks ``return_channel``)."""


def e_result_code(dossier: Dossier, n: int) -> str:
    """The code of the dossier's ``n``-th electronic result: ``<dossier code>-KQ<n>`` (ND 45/2020 Art. 14.3)."""
    return f"{dossier.code}-KQ{n}"


def next_e_result_number(dossier: Dossier) -> int:
    """1 + the e-results the dossier already has (one query; a repeat in the same flush is counted too)."""
    db.session.flush()
    issued = db.session.scalar(select(func.count(DossierEvent.id)).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.kind == E_RESULT_EVENT))
    return (issued or 0) + 1


def is_early(dossier: Dossier, now: datetime) -> bool:
    """Whether a result ready at ``now`` is ready before the appointment day (local dates; same day is not early).

    The appointment is the one before any apology (:func:`.apologies.on_time_due_at`): a dossier already late
    and given a new appointment is never "early" (R55 is about returning before the appointment kept)."""
    due_at = on_time_due_at(dossier)
    if due_at is None:
        return False
    tz = local_tz()
    return now.astimezone(tz).date() < due_at.astimezone(tz).date()


@external_task("result_ready")
def notice_result_ready(dossier: Dossier, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Record that the result is ready; before the appointment day, notify the applicant of the early return.

    :return: ``{"result_ready_at": ISO, "early_return": bool}`` merged into the process data.
    """
    early = is_early(dossier, now)
    dossier.record_event("result_ready", at=now, data={"decision": data.get("decision") or "",
                                                       "due_at": _iso(dossier.due_at)})
    if early:
        contacts = {key: data[key] for key in ("applicant_phone", "applicant_email") if data.get(key)}
        dossier.record_event("early_return_notice", at=now, data={
            "due_at": _iso(dossier.due_at), "contacts": contacts,
            "message": f"Hồ sơ {dossier.code} đã có kết quả trước ngày hẹn trả; mời ông/bà nhận kết quả sớm."})
    return {"result_ready_at": now.isoformat(), "early_return": early}


@external_task("result_returned")
def record_result_return(dossier: Dossier, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Record how the result was returned, issue its e-result code and note the originals given back.

    :return: ``{"e_result_code": "<code>-KQ<n>", "result_returned_at": ISO}`` merged into the process data.
    :raises ReturnChannelError: ``return_channel`` is missing or unknown (the task becomes an incident).
    """
    channel = data.get("return_channel")
    if channel not in RETURN_CHANNELS:
        raise ReturnChannelError(f"return_channel must be one of {', '.join(RETURN_CHANNELS)}, got {channel!r}")
    details = {key: data[key] for key in ("recipient_name", "postal_tracking_number", "returned_note")
               if data.get(key)}
    dossier.record_event("result_returned", at=now, data={"channel": channel, **details})
    refused = data.get("decision") == "refuse"
    code = e_result_code(dossier, next_e_result_number(dossier))
    name = REFUSAL_RESULT_NAME if refused else dossier.process_version.catalogue.get("result_name", "")
    dossier.record_event(E_RESULT_EVENT, at=now, data={"code": code, "name": name, "channel": channel})
    if data.get("originals_returned"):
        dossier.record_event("originals_returned", at=now, data={"channel": channel})
    return {"e_result_code": code, "result_returned_at": now.isoformat()}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
