"""Documents the one-stop system prints: the reception slips (TT 03/2025/TT-VPCP Phụ lục I Mẫu 01–04, 06) as
A5 PDF through WeasyPrint with the dossier code as a QR code (segno), and the tracking book (Mẫu 07) as xlsx
(openpyxl). Slip templates are versioned data (:class:`app.models.SlipTemplate`), loaded from
``app/templates/documents/manifest.json``.
"""
from .pdf import render_pdf
from .qr import qr_svg
from .templates import sync_slip_templates, template_for

__all__ = ["qr_svg", "render_pdf", "sync_slip_templates", "template_for"]
