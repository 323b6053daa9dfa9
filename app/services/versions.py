"""Process versions as administrators manage them at /admin/procedures: list, upload drafts, publish, migrate.

Deploying from disk (``flask procedures deploy``) publishes at once; an upload through the admin pages stores a
**draft** that an administrator publishes after testing it (seed Art. 13.2). Running dossiers stay on the version
they started on until an administrator migrates them (architecture.md, "Processes are data").
"""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Dossier, Procedure, ProcessVersion


def procedures_with_versions() -> list[Procedure]:
    """Every procedure by name, its versions loaded (newest last)."""
    return list(db.session.scalars(select(Procedure).order_by(Procedure.name)))


def running_dossier_counts() -> dict[int, int]:
    """Process version id → number of its dossiers not yet finished (final status not reached)."""
    query = (select(Dossier.process_version_id, func.count(Dossier.id)).where(Dossier.finished_at.is_(None))
             .group_by(Dossier.process_version_id))
    return {version_id: count for version_id, count in db.session.execute(query)}


def version_or_none(version_id: int) -> ProcessVersion | None:
    return db.session.get(ProcessVersion, version_id)
