"""Issuing and printing the slips of a dossier (TT 03/2025/TT-VPCP Phụ lục I; TT 01/2018/TT-VPCP Art. 9–10).

A slip's printed values are frozen in :attr:`Slip.data` when it is issued: procedure facts come from the
catalogue of the process version the dossier runs on (never typed, R31), applicant facts from the dossier's owner
and submitter, times in the agencies' time zone. Rendering later only fills the template version recorded on
the slip, plus the QR code of the public look-up URL.
"""
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, render_template_string, url_for
from sqlalchemy import extract, func, select
from sqlalchemy.orm import object_session

from app.extensions import db
from app.models import Apology, Dossier, Officer, Slip
from app.models.dossier import CHANNELS, SUBMITTER_KINDS

from .catalogue import documents_of, fee_text, time_limit_text
from .pdf import render_pdf
from .qr import qr_svg
from .templates import template_for

#: Reception outcome (``reception_outcome`` of the one-stop check) → slip kind (ND 118/2025 Art. 17.1(c)).
RECEPTION_SLIPS = {"receive": "receipt", "supplement": "supplement_request", "refuse": "refusal"}
#: Slip kind → number suffix (TT 03/2025 Phụ lục I: PBS, PTC, PXL, PKS; the receipt carries the unit's).
NUMBER_SUFFIX = {"receipt": "TNHS", "supplement_request": "PBS", "refusal": "PTC", "apology": "PXL",
                 "control_sheet": "PKS", "stop_notice": "TB-DGQ"}


class SlipDataError(ValueError):
    """A slip lacks what the law requires (e.g. a refusal without reasons); the message is Vietnamese."""


def local(value: datetime | None) -> datetime | None:
    from app.services.working_time import local_tz
    return value.astimezone(local_tz()) if value else None


def spoken_time(value: datetime | None) -> str:
    """``"14 giờ 05 phút, ngày 03 tháng 06 năm 2026"`` in local time (the slips' wording), "" for ``None``."""
    at = local(value)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d} tháng {at:%m} năm {at:%Y}" if at else ""


def reception_reasons(outcome: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the reception outcome's slip needs from the check form, validated.

    A supplement request lists every missing item at once with its reason (ND 118/2025 Art. 16.3, 17.1(c);
    R18, R32); a refusal states its reasons (R33).

    :return: ``{"missing_items": [str], "reason": str}`` (supplement), ``{"reason": str}`` (refusal), ``{}``.
    :raises SlipDataError: the items or the reasons are missing.
    """
    if outcome == "supplement":
        items = split_items(data.get("missing_items"))
        reason = str(data.get("supplement_reason") or "").strip()
        if not items:
            raise SlipDataError("Phiếu yêu cầu bổ sung phải liệt kê đầy đủ các nội dung cần bổ sung, hoàn thiện.")
        if not reason:
            raise SlipDataError("Phiếu yêu cầu bổ sung phải nêu lý do.")
        return {"missing_items": items, "reason": reason}
    if outcome == "refuse":
        reason = str(data.get("refusal_reason") or "").strip()
        if not reason:
            raise SlipDataError("Phiếu từ chối tiếp nhận phải nêu rõ lý do (Nghị định 118/2025/NĐ-CP, Điều 17).")
        return {"reason": reason}
    return {}


def split_items(value: Any) -> list[str]:
    """Missing items typed one per line (or a list) → clean list, numbering like "1." or "-" removed."""
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    items = [str(line).strip().lstrip("-•*").strip() for line in lines]
    return [item.split(".", 1)[1].strip() if item[:1].isdigit() and "." in item[:4] else item
            for item in items if item]


#: Process variable holding a fee in đồng the diagram computed for the dossier (e.g. copy certification's DMN by
#: pages and copies, TT 226/2016/TT-BTC); when set at reception it is the fee Mẫu 01 prints.
COMPUTED_FEE_VARIABLE = "fee_amount_vnd"


def issue_reception_slip(dossier: Dossier, outcome: str, data: dict[str, Any], *, actor, now: datetime) -> Slip:
    """Issue the slip of a reception outcome: receive → Mẫu 01, supplement → Mẫu 02, refuse → Mẫu 03.

    :param data: the check form's values (``missing_items``, ``supplement_reason``, ``refusal_reason``).
    :param now: aware UTC time of the outcome.
    :raises SlipDataError: the outcome's reasons are missing.
    """
    kind = RECEPTION_SLIPS[outcome]
    values = {**common_data(dossier, actor, now), **reception_reasons(outcome, data)}
    if kind == "receipt":
        values.update(receipt_data(dossier, now, computed_fee=data.get(COMPUTED_FEE_VARIABLE)))
    return issue_slip(dossier, kind, values, actor=actor, now=now)


def apology_slip_data(apology: Apology, *, signer_title: str = "Thủ trưởng cơ quan") -> dict:
    """The values of the apology and new appointment (TT 03/2025 Mẫu 04; ND 118/2025 Art. 19.6, 12.5), from the
    recorded :class:`~app.models.Apology` (:func:`app.services.apologies.record_apology`): its reason, the
    appointment it replaced, the new one and who signed it."""
    return {"reason": apology.reason, "original_due": spoken_time(apology.previous_due_at),
            "new_due": spoken_time(apology.new_due_at), "received": spoken_time(apology.dossier.received_at),
            "signer_name": apology.signed_by or "", "signer_title": signer_title}


def issue_slip(dossier: Dossier, kind: str, values: dict[str, Any], *, actor, now: datetime) -> Slip:
    """Store a slip of ``kind`` with ``values``, numbered per issuing agency, kind and year, on the template
    version in force today (R36). Flushes."""
    session = object_session(dossier) or db.session
    issued_on = local(now).date()
    template = template_for(kind, issued_on, session)
    number = f"{_next_number(session, dossier.handling_agency_id, kind, issued_on.year):04d}/{NUMBER_SUFFIX[kind]}"
    slip = Slip(dossier=dossier, kind=kind, template=template, number=number, issued_at=now,
                issued_by_label=_label(actor), data={**values, "number": number})
    session.add(slip)
    session.flush()
    return slip


def common_data(dossier: Dossier, actor, now: datetime) -> dict[str, Any]:
    """What every slip prints: unit, place and date, dossier code, owner, submitter, procedure (from catalogue)."""
    agency, catalogue, at = dossier.handling_agency, dossier.process_version.catalogue, local(now)
    representative = dossier.submitter_kind != "self" and bool(dossier.submitter_name)
    return {
        "parent_name": agency.parent.name if agency.parent else "Ủy ban nhân dân tỉnh Sơn La",
        "unit_name": f"Bộ phận Một cửa — {agency.name}", "agency_name": agency.name,
        "place_date": f"Sơn La, ngày {at:%d} tháng {at:%m} năm {at:%Y}", "dossier_code": dossier.code,
        "owner_kind": dossier.owner_kind, "owner_name": dossier.owner_display_name,
        "owner_id_number": dossier.owner_id_number or "", "owner_address": dossier.owner_address or "",
        "owner_phone": dossier.owner_phone or "", "owner_email": dossier.owner_email or "",
        "representative": representative, "submitter_kind": SUBMITTER_KINDS.get(dossier.submitter_kind, ""),
        "submitter_name": dossier.submitter_name or "", "submitter_id_number": dossier.submitter_id_number or "",
        "submitter_phone": dossier.submitter_phone or "", "submitter_address": dossier.submitter_address or "",
        "authorisation_note": dossier.authorisation_note or "",
        "procedure_code": dossier.procedure.code, "procedure_name": catalogue.get("procedure_name")
        or dossier.procedure.name, "channel": CHANNELS.get(dossier.channel, ""),
        "officer_name": _name(actor),
    }


def receipt_data(dossier: Dossier, now: datetime, computed_fee: int | str | None = None) -> dict[str, Any]:
    """Mẫu 01's own lines: components, sets, time limit, reception and return times, result place, fee, book.

    :param computed_fee: the fee in đồng the diagram computed for this dossier (process variable
        :data:`COMPUTED_FEE_VARIABLE`, e.g. by pages and copies); without it the catalogue's ``fee_amount``.
    """
    catalogue = dossier.process_version.catalogue
    scanned = {}
    for attachment in dossier.attachments:
        scanned[attachment.component] = scanned.get(attachment.component, 0) + 1
    documents = [{"name": name, "form": "Bản điện tử (đã số hóa)" if scanned.get(name) else "Theo quy định",
                  "quantity": scanned.get(name) or 1} for name in documents_of(catalogue)]
    extra = [{"name": c, "form": "Bản điện tử (đã số hóa)", "quantity": n}
             for c, n in scanned.items() if c not in documents_of(catalogue)]
    book, entry = book_entry(dossier)
    return {"documents": documents + extra, "sets": 1, "time_limit": time_limit_text(catalogue),
            "received": spoken_time(dossier.received_at or now), "due": spoken_time(dossier.due_at),
            "result_place": f"{CHANNELS.get(dossier.channel, '')} — {dossier.handling_agency.name}"
            if dossier.channel != 2 else "Trực tuyến, trên Cổng Dịch vụ công và tại Bộ phận Một cửa",
            "result_name": catalogue.get("result_name", ""), "fee": fee_text(catalogue if computed_fee is None else {**catalogue, "fee_amount": str(computed_fee)}),
            "book": book, "entry": entry}


def book_entry(dossier: Dossier) -> tuple[int, int]:
    """(book = year, entry number) of the dossier in its agency's tracking book: continuous per unit and year
    in order of submission (TT 01/2018 Art. 10; R35)."""
    year = local(dossier.submitted_at).year
    from .tracking_book import book_dossiers
    ids = [d.id for d in book_dossiers(dossier.handling_agency_id, year, object_session(dossier))]
    return year, (ids.index(dossier.id) + 1 if dossier.id in ids else len(ids) + 1)


def render_slip(slip: Slip) -> bytes:
    """The slip's A5 PDF from the template version that issued it; the QR opens the public look-up URL."""
    return render_document(slip.template, slip.data, dossier_code=slip.dossier.code, title=slip.template.title,
                           form_number=slip.template.form_number, legal_basis=slip.template.legal_basis,
                           issued_by=slip.issued_by_label or "")


def render_document(template, values: dict[str, Any], *, dossier_code: str, **extra) -> bytes:
    """Fill ``template`` (a :class:`SlipTemplate`) and print it; ``extra`` adds template variables."""
    lookup_url = lookup_url_of(dossier_code)
    procedure_url = _external("portal.procedure_detail", code=values.get("procedure_code", ""))
    html = render_template_string(template.source, d=values, qr=qr_svg(lookup_url), lookup_url=lookup_url,
                                  procedure_url=procedure_url, **extra)
    return render_pdf(html)


def lookup_url_of(code: str) -> str:
    """The public look-up URL of a dossier code (``PUBLIC_BASE_URL`` or this request's host)."""
    return _external("portal.lookup", code=code)


def _external(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context():  # no request (a job): a relative URL is better than none
        return url_for(endpoint, **values)


def _next_number(session, agency_id: int, kind: str, year: int) -> int:
    count = session.scalar(select(func.count(Slip.id)).join(Dossier, Slip.dossier_id == Dossier.id).where(
        Dossier.handling_agency_id == agency_id, Slip.kind == kind, extract("year", Slip.issued_at) == year))
    return (count or 0) + 1


def _name(actor) -> str:
    return getattr(actor, "full_name", "") or ""


def _label(actor) -> str | None:
    if isinstance(actor, Officer):
        return f"{actor.full_name} ({actor.agency.name})"
    return getattr(actor, "full_name", None)


def issue_documents(dossier: Dossier, bpmn_id: str | None, data: dict[str, Any], *, actor, now: datetime,
                    apology: Apology | None = None) -> None:
    """The slips a completed step issues: a reception outcome's Mẫu 01/02/03, Mẫu 04 from ``apology`` when the
    step recorded one (``apology_reason`` with ``new_appointment_on``, the household procedure's ``write_apology``),
    and Mẫu 05 when the stop-notice task is completed (``stop_notice_number``, :mod:`app.services.withdrawal`).

    :raises SlipDataError: the reasons the slip needs are missing.
    """
    outcome = data.get("reception_outcome")
    if outcome in RECEPTION_SLIPS:
        issue_reception_slip(dossier, outcome, data, actor=actor, now=now)
    if apology is not None:
        issue_slip(dossier, "apology", {**common_data(dossier, actor, now), **apology_slip_data(apology)},
                   actor=actor, now=now)
    if data.get("stop_notice_number"):  # the one-stop's stop-notice task: Mẫu 05 (app.services.withdrawal)
        from app.services.withdrawal import issue_stop_notice
        issue_stop_notice(dossier, data, actor=actor, now=now)


def control_sheet_pdf(dossier: Dossier, *, now: datetime) -> bytes:
    """Print the process-control sheet of ``dossier`` as it stands at ``now`` from its step log (not stored: the
    step log is the record, TT 03/2025 Mẫu 06 note)."""
    from .control_sheet import control_rows
    template = template_for("control_sheet", local(now).date())
    values = {**common_data(dossier, None, now), "number": f"{dossier.id:04d}/{NUMBER_SUFFIX['control_sheet']}",
              "rows": control_rows(dossier), "received": spoken_time(dossier.received_at),
              "due": spoken_time(dossier.due_at), "coordinating": ""}
    return render_document(template, values, dossier_code=dossier.code, title=template.title,
                           form_number=template.form_number, legal_basis=template.legal_basis)
