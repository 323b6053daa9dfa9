"""Public list of apologies for late dossiers (seed QĐ 19/2024/QĐ-UBND Art. 4.8): no personal data."""
from flask import render_template

from app.services.apologies import public_apologies

from . import bp


@bp.get("/apologies")
def apologies():
    """Apology letters of the province's agencies for late dossiers: code, procedure, agency, reason, dates."""
    return render_template("portal/apologies.html", apologies=public_apologies())
