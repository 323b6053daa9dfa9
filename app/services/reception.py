"""Reception at the one-stop counter for every channel (ND 118/2025 Art. 15–17; legal.md §1.1–1.2, R16–R24).

Online filing is :func:`app.services.dossiers.submit_dossier`. Here a one-stop officer files a dossier brought in
person, by post, by an authorised representative or by a hired service: the application data goes through the
procedure's own start form (so the same BPMN runs), the owner (chủ hồ sơ) is kept apart from the submitter, and
the scanned components are attached. The check that follows (``check_dossier`` with ``reception_outcome``) issues
Mẫu 01, 02 or 03 (:mod:`app.documents.slips`).
"""
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Applicant, Dossier, Officer, Procedure
from app.models.dossier import CHANNEL_DIRECT, CHANNEL_POSTAL, CHANNELS, SUBMITTER_KINDS

from .attachments import AttachmentRefused, ScannedFile, store_attachment
from .dossiers import submit_dossier
from .parties import set_parties

#: Channels a one-stop officer records (online dossiers come from the portal).
COUNTER_CHANNELS = (CHANNEL_DIRECT, CHANNEL_POSTAL)
PERSONAL_ID = re.compile(r"\d{12}")


class ReceptionError(ValueError):
    """The counter input is incomplete or wrong; ``errors`` maps field name → Vietnamese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_parties(channel: int, owner: dict[str, Any], submitter: dict[str, Any]) -> dict[str, str]:
    """What is wrong with the channel, owner and submitter (R16, R24); ``{}`` when all is well.

    Owner: name, identifier (a person's 12-digit personal ID number) and address are required. An authorised or
    hired submitter needs a name, an identifier and the authorisation paper (ND 118/2025 Art. 15.2, 17.1(a)).
    """
    errors = {}
    if channel not in COUNTER_CHANNELS:
        errors["channel"] = "Chọn cách thức nộp: trực tiếp hoặc qua bưu chính."
    if owner.get("owner_kind") not in ("person", "organisation"):
        errors["owner_kind"] = "Chọn chủ hồ sơ là cá nhân hay tổ chức."
    for field, label in (("owner_name", "Họ tên / tên tổ chức"), ("owner_id_number", "Số định danh / mã số"),
                         ("owner_address", "Địa chỉ")):
        if not (owner.get(field) or "").strip():
            errors[field] = f"{label} của chủ hồ sơ là bắt buộc."
    if owner.get("owner_kind") == "person" and owner.get("owner_id_number") and not PERSONAL_ID.fullmatch(
            owner["owner_id_number"].strip()):
        errors["owner_id_number"] = "Số định danh cá nhân gồm đúng 12 chữ số."
    kind = submitter.get("submitter_kind")
    if kind not in SUBMITTER_KINDS:
        errors["submitter_kind"] = "Chọn người nộp hồ sơ."
    elif kind != "self":
        for field, label in (("submitter_name", "Họ tên người nộp"), ("submitter_id_number", "Số định danh người nộp"),
                             ("authorisation_note", "Giấy ủy quyền / hợp đồng dịch vụ")):
            if not (submitter.get(field) or "").strip():
                errors[field] = f"{label} là bắt buộc khi nộp qua người được ủy quyền hoặc dịch vụ."
    return errors


def receive_at_counter(procedure: Procedure, *, officer: Officer, channel: int, owner: dict[str, Any],
                       submitter: dict[str, Any], application: dict[str, Any], files: list[ScannedFile],
                       now: datetime, submission_key: str | None = None) -> Dossier:
    """File a counter or postal dossier for its owner in ``officer``'s agency and attach its scanned components.

    The officer's agency handles it (its code replaces any ``handling_agency_code`` in the start form). The dossier
    is linked to the owner's citizen account when one exists with the same personal ID number, so the owner also
    sees it under "Hồ sơ của tôi"; otherwise it has none (``applicant`` is ``None``).

    :param application: the start form's validated values.
    :param files: the scanned components (each checked by content, size and malware scan).
    :param now: aware UTC time of reception.
    :raises ReceptionError: a party field or a file is refused (the caller rolls back: no row is kept; accepted files
        already written stay on disk, named by their sha256, and are reused if uploaded again).
    :raises app.engine.EngineError: the diagram failed on its first steps (roll back).
    """
    errors = check_parties(channel, owner, submitter)
    if errors:
        raise ReceptionError(errors)
    account = None
    if owner["owner_kind"] == "person":
        account = db.session.scalar(select(Applicant).where(Applicant.personal_id == owner["owner_id_number"].strip()))
    agency = officer.agency
    dossier = submit_dossier(procedure, applicant=account, handling_agency=agency, now=now, channel=channel,
                             received_by=officer, submission_key=submission_key,
                             application={**application, "handling_agency_code": agency.code})
    set_parties(dossier, {k: (v.strip() if isinstance(v, str) else v) for k, v in owner.items()},
                {k: (v.strip() if isinstance(v, str) else v) for k, v in submitter.items()})
    label = f"{officer.full_name} ({agency.name})"
    for index, scanned in enumerate(files):
        try:
            store_attachment(dossier, component=scanned.component, name=scanned.name, content=scanned.content,
                             uploaded_by=label, now=now)
        except AttachmentRefused as exc:
            raise ReceptionError({f"file_{index}": str(exc)}) from exc
    dossier.record_event("counter_reception", at=now, actor=officer, data={
        "channel": CHANNELS[channel], "submitter_kind": SUBMITTER_KINDS[dossier.submitter_kind],
        "attachments": [{"component": a.component, "name": a.original_name, "sha256": a.sha256,
                         "scan_status": a.scan_status} for a in dossier.attachments]})
    db.session.flush()
    return dossier
