"""HTML → PDF with WeasyPrint (A5 slips, fonts with Vietnamese glyphs: DejaVu / Liberation / Noto)."""
from weasyprint import HTML


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF bytes of ``html`` (page size and margins come from the HTML's own ``@page`` CSS)."""
    return HTML(string=html, base_url=base_url).write_pdf()
