"""The applicant's own slips (Mẫu 01–04) on "Hồ sơ của tôi" (TT 01/2018/TT-VPCP Art. 16.2(d); legal.md R30)."""
from io import BytesIO

from flask import abort, send_file
from flask_login import current_user
from sqlalchemy import select

from app.auth import applicant_required
from app.documents.slips import render_slip
from app.extensions import db
from app.models import Dossier, Slip

from . import bp


@bp.get("/my-dossiers/<code>/slips/<int:slip_id>.pdf")
@applicant_required
def my_slip(code, slip_id):
    """A slip of one of my dossiers as an A5 PDF (404 for anyone else's)."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    slip = db.session.get(Slip, slip_id)
    if dossier is None or dossier.applicant_id != current_user.id or slip is None or slip.dossier_id != dossier.id:
        abort(404, "Không tìm thấy phiếu của hồ sơ.")
    return send_file(BytesIO(render_slip(slip)), mimetype="application/pdf",
                     download_name=f"{slip.kind}-{dossier.code}.pdf")
