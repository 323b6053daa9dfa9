"""The dossier tracking book (Sổ theo dõi hồ sơ, TT 03/2025/TT-VPCP Mẫu 07, formerly TT 01/2018 Mẫu 06) as xlsx:
one book per unit and year, entries numbered continuously in order of submission (TT 01/2018 Art. 10; R35)."""
from datetime import datetime, time
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Dossier
from app.models.dossier import CHANNELS

COLUMNS = [("STT", 6), ("Mã hồ sơ", 24), ("Tên thủ tục hành chính", 34), ("Số lượng hồ sơ (bộ)", 10),
           ("Tên cá nhân, tổ chức", 24), ("Địa chỉ, số điện thoại", 32), ("Cơ quan chủ trì giải quyết", 24),
           ("Cách thức nộp hồ sơ", 18), ("Nhận hồ sơ (giờ, ngày)", 18), ("Hẹn trả kết quả (giờ, ngày)", 18),
           ("Trả kết quả (giờ, ngày)", 18), ("Trạng thái", 18), ("Phương thức nhận kết quả", 20),
           ("Ký nhận", 12), ("Ghi chú", 20)]


def book_dossiers(agency_id: int, year: int, session=None) -> list[Dossier]:
    """The unit's dossiers submitted in local ``year``, in book order (submission time, then id)."""
    from app.services.working_time import local_tz
    tz = local_tz()
    start = datetime.combine(datetime(year, 1, 1).date(), time(0), tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time(0), tz)
    return list((session or db.session).scalars(select(Dossier).where(
        Dossier.handling_agency_id == agency_id, Dossier.submitted_at >= start, Dossier.submitted_at < end)
        .order_by(Dossier.submitted_at, Dossier.id)))


def tracking_book_xlsx(agency: Agency, year: int) -> bytes:
    """The xlsx bytes of ``agency``'s tracking book for ``year`` (A4 landscape, header repeated on each page)."""
    from .slips import local
    book = Workbook()
    sheet = book.active
    sheet.title = f"So theo doi {year}"
    sheet.append([f"SỔ THEO DÕI HỒ SƠ — {agency.name.upper()} — NĂM {year}"])
    sheet.append(["Mẫu 07, Phụ lục I Thông tư số 03/2025/TT-VPCP (sổ điện tử thay thế sổ giấy)"])
    sheet.append([name for name, _ in COLUMNS])
    thin = Side(style="thin")
    for column, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        cell = sheet.cell(row=3, column=column)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="center")
    sheet["A1"].font = Font(bold=True, size=13)
    for number, dossier in enumerate(book_dossiers(agency.id, year), start=1):
        contact = ", ".join(v for v in (dossier.owner_address, dossier.owner_phone) if v)
        returned = dossier.finished_at if dossier.status.name == "result_returned" else None
        sheet.append([number, dossier.code, dossier.procedure.name, 1, dossier.owner_display_name, contact,
                      dossier.handling_agency.name, CHANNELS.get(dossier.channel, ""), _at(local(dossier.received_at)),
                      _at(local(dossier.due_at)), _at(local(returned)), dossier.status.label,
                      CHANNELS.get(dossier.channel, ""), "", ""])
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "3:3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _at(value: datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""
