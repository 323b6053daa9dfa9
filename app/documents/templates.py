"""Slip templates as versioned data: ``manifest.json`` lists each (kind, version, effective date, file)."""
import hashlib
import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import SlipTemplate

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"


class TemplateMissing(LookupError):
    """No template version of that kind is in force on that date."""


def sync_slip_templates(session=None) -> int:
    """Insert the manifest's template versions the database lacks (existing rows are immutable).

    :return: the number of rows added (flushed, not committed).
    :raises ValueError: a stored version's file changed: a changed form must become a new version.
    """
    session = session or db.session
    manifest = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    stored = {(t.kind, t.version): t for t in session.scalars(select(SlipTemplate))}
    added = 0
    for entry in manifest:
        source = (TEMPLATE_DIR / entry["file"]).read_text(encoding="utf-8")
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        row = stored.get((entry["kind"], entry["version"]))
        if row is not None:
            if row.content_hash != digest:
                raise ValueError(f"{entry['file']}: phiên bản {entry['version']} của mẫu {entry['kind']} đã được "
                                 "dùng để in; hãy tạo phiên bản mới thay vì sửa tệp cũ")
            continue
        session.add(SlipTemplate(kind=entry["kind"], version=entry["version"], form_number=entry["form_number"],
                                    title=entry["title"], legal_basis=entry["legal_basis"],
                                    effective_on=date.fromisoformat(entry["effective_on"]), source=source,
                                    content_hash=digest))
        added += 1
    if added:
        session.flush()
    return added


def template_for(kind: str, on: date, session=None) -> SlipTemplate:
    """The newest version of ``kind`` in force on the local date ``on`` (the manifest's new versions loaded first).

    :raises TemplateMissing: none is in force yet.
    """
    session = session or db.session  # the dossier's own session when given (two requests, two sessions)
    sync_slip_templates(session)
    query = (select(SlipTemplate).where(SlipTemplate.kind == kind, SlipTemplate.effective_on <= on)
             .order_by(SlipTemplate.effective_on.desc(), SlipTemplate.version.desc()).limit(1))
    found = session.scalar(query)
    if found is None:
        raise TemplateMissing(f"Không có mẫu {kind} có hiệu lực ngày {on:%d/%m/%Y}")
    return found
