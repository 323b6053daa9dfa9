"""Vietnamese validation messages shown next to a field (the UI is Vietnamese first)."""

from __future__ import annotations

from decimal import Decimal

REQUIRED = "Trường này là bắt buộc."
INVALID_CHOICE = "Giá trị không hợp lệ."
NOT_A_NUMBER = "Phải là số."
BAD_FORMAT = "Không đúng định dạng."
BAD_EMAIL = "Thư điện tử không đúng định dạng (ví dụ: ten@example.vn)."
BAD_PHONE = "Số điện thoại không đúng định dạng (ví dụ: 0912345678 hoặc +84912345678)."
PASSED_DATE = "Không được chọn ngày đã qua."
_DATETIME = {"date": "Ngày không hợp lệ.", "time": "Giờ không hợp lệ.", "datetime": "Ngày giờ không hợp lệ."}


def number_vi(number: int | float | Decimal) -> str:
    """Write a number the Vietnamese way: ``1.000.000`` and ``2,5``."""
    value = Decimal(str(number)).normalize()
    sign = "-" if value < 0 else ""
    whole, _, fraction = format(abs(value), "f").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def min_length(limit: int) -> str:
    return f"Phải có ít nhất {limit} ký tự."


def max_length(limit: int) -> str:
    return f"Không được vượt quá {limit} ký tự."


def min_value(limit: int | float) -> str:
    return f"Giá trị phải lớn hơn hoặc bằng {number_vi(limit)}."


def max_value(limit: int | float) -> str:
    return f"Giá trị phải nhỏ hơn hoặc bằng {number_vi(limit)}."


def too_many_decimals(digits: int) -> str:
    return "Phải là số nguyên." if digits == 0 else f"Chỉ được có tối đa {digits} chữ số thập phân."


def not_on_step(below: Decimal, above: Decimal) -> str:
    return f"Giá trị không hợp lệ; hai giá trị hợp lệ gần nhất là {number_vi(below)} và {number_vi(above)}."


def invalid_datetime(subtype: str) -> str:
    return _DATETIME[subtype]
