"""Procedure facts printed on slips, read from the process version's catalogue (process properties; R31)."""
import re

#: ``time_limit_unit`` (interface 1 of the brief) → Vietnamese unit.
UNIT_WORDS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}


def documents_of(catalogue: dict[str, str]) -> list[str]:
    """``document_1`` … ``document_N`` in numeric order (``document_10`` after ``document_9``)."""
    keyed = [(int(m.group(1)), v) for k, v in catalogue.items() if (m := re.fullmatch(r"document_(\d+)", k))]
    return [value for _, value in sorted(keyed)]


def time_limit_text(catalogue: dict[str, str]) -> str:
    """"03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", or "Trong ngày" for same-day procedures."""
    unit = catalogue.get("time_limit_unit") or "working_days"
    amount = catalogue.get("time_limit") or catalogue.get("processing_working_days") or "0"
    if unit == "same_day" or str(amount) in ("0", "0.0"):
        return "Trả kết quả trong ngày làm việc"
    return f"{amount} {UNIT_WORDS.get(unit, unit)} kể từ ngày nhận đủ hồ sơ hợp lệ"


def fee_text(catalogue: dict[str, str]) -> str:
    """"100.000 đồng" or "Không thu phí, lệ phí"."""
    amount = catalogue.get("fee_amount")
    if not amount or not str(amount).isdigit() or int(amount) == 0:
        return "Không thu phí, lệ phí"
    return f"{int(amount):,} đồng".replace(",", ".")
