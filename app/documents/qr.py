"""QR codes (segno) inline as SVG, for the dossier code on slips (TT 01/2018/TT-VPCP Art. 19.2; legal.md R11)."""
import segno


def qr_svg(text: str, *, scale: int = 2) -> str:
    """An ``<svg>`` element (no XML declaration) encoding ``text``, error correction M, ready to inline in HTML."""
    return segno.make_qr(text, error="m").svg_inline(scale=scale, border=2)
