"""Procedure facts printed on slips, read from the process version's catalogue (process properties; R31)."""
import re

from app.services.deadlines import time_limit_label


def documents_of(catalogue: dict[str, str]) -> list[str]:
    """``document_1`` … ``document_N`` in numeric order (``document_10`` after ``document_9``)."""
    keyed = [(int(m.group(1)), v) for k, v in catalogue.items() if (m := re.fullmatch(r"document_(\d+)", k))]
    return [value for _, value in sorted(keyed)]


def time_limit_text(catalogue: dict[str, str]) -> str:
    """"3 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", or "Trong ngày (…)" for same-day procedures
    (:func:`app.services.deadlines.time_limit_label`)."""
    return time_limit_label(catalogue, from_reception=True)


def fee_text(catalogue: dict[str, str]) -> str:
    """"100.000 đồng" or "Không thu phí, lệ phí"."""
    amount = catalogue.get("fee_amount")
    if not amount or not str(amount).isdigit() or int(amount) == 0:
        return "Không thu phí, lệ phí"
    return f"{int(amount):,} đồng".replace(",", ".")
