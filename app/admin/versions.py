"""Administrator pages for procedures and their process versions (/admin/procedures, /admin/versions/…)."""
from flask import render_template

from app.services import versions

from . import bp


@bp.get("/procedures")
def procedures():
    """Every procedure with its versions: number, deployed at, published or draft, running dossiers."""
    return render_template("admin/procedures.html", procedures=versions.procedures_with_versions(),
                           running=versions.running_dossier_counts())
