"""Procedures and their immutable process versions (processes are data: architecture.md)."""
import json
from functools import lru_cache
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime


@lru_cache(maxsize=256)
def _parsed_definition(content_hash: str, definition_json: str) -> dict[str, Any]:
    return json.loads(definition_json)


class Procedure(db.Model):
    """An administrative procedure (TTHC) as published in the catalogue; its facts come from the BPMN file."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: National procedure code, e.g. ``1.001612``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: BPMN process id the procedure is drawn as.
    process_id: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    versions: Mapped[list["ProcessVersion"]] = relationship(back_populates="procedure",
                                                             order_by="ProcessVersion.number")

    @property
    def published_version(self) -> "ProcessVersion | None":
        """The newest published version: new dossiers start on it."""
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None


class ProcessVersion(db.Model):
    """One deployed, immutable version of a procedure's BPMN and forms; running dossiers keep theirs."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    procedure: Mapped[Procedure] = relationship(back_populates="versions")
    number: Mapped[int]
    #: sha256 of the BPMN bytes and the forms it uses: deploying the newest version's content again is a no-op;
    #: reverting to an older content makes a new version (new dossiers must start on what was deployed last).
    content_hash: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    #: SpiffWorkflow spec (top process and subprocesses), serialized once for all dossiers of the version.
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    #: JSON: catalogue facts, start form, element properties (see ``engine.ParsedProcess``).
    definition_json: Mapped[str] = mapped_column(Text)
    #: JSON object form id → Camunda Forms schema used by this version.
    forms_json: Mapped[str] = mapped_column(Text, deferred=True)
    #: UTC time of deployment.
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC time of publication; ``None`` while a draft.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def definition(self) -> dict[str, Any]:
        """Catalogue facts, start form and element properties (parsed once per content, versions never change)."""
        return _parsed_definition(self.content_hash, self.definition_json)

    @property
    def catalogue(self) -> dict[str, str]:
        return self.definition["catalogue"]

    @property
    def system_started(self) -> bool:
        """True when its start event is a timer: the scheduler starts its dossiers, nobody files them."""
        return bool(self.definition.get("timer_start"))

    def form(self, form_id: str | None) -> dict | None:
        """The Camunda Forms schema with this id, or ``None``."""
        return json.loads(self.forms_json).get(form_id) if form_id else None
