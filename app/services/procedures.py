"""Deploying procedures: ``processes/*.bpmn`` + ``forms/*.form`` → immutable process versions."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.camunda_forms import FormSchemaError, parse_form
from app.engine import ParsedProcess, ProcessDefinitionError, parse_process
from app.extensions import db
from app.models import Procedure, ProcessVersion

from .external_tasks import registered_topics

REQUIRED_CATALOGUE = ("procedure_code", "procedure_name", "processing_working_days")


class DeployError(Exception):
    """Deployment refused; nothing was written. ``problems`` holds one ``file:line: element: message`` each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DeployResult:
    """What deploying one BPMN file did: ``created`` is False when the same content was already deployed."""

    file: str
    procedure_code: str
    version_number: int
    created: bool


def deploy_processes(processes_dir: Path, forms_dir: Path, *, now: datetime) -> list[DeployResult]:
    """Parse every BPMN and form, then store a new published version for each changed process.

    All files are checked before anything is written: one bad file refuses the whole deployment.

    :param now: aware UTC time of deployment.
    :raises DeployError: listing every problem found, each with file, line and element id.
    """
    forms, problems = _load_forms(forms_dir)
    parsed = []
    for path in sorted(processes_dir.glob("*.bpmn")):
        try:
            parsed.append((path, _parse_checked(path, forms)))
        except ProcessDefinitionError as exc:
            problems.append(str(exc))
    if problems:
        raise DeployError(problems)
    return [_store(path, process, forms, now) for path, process in parsed]


def _load_forms(forms_dir: Path) -> tuple[dict[str, dict], list[str]]:
    forms, problems = {}, []
    for path in sorted(forms_dir.glob("*.form")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            forms[parse_form(raw, source=path.name).id] = raw
        except (FormSchemaError, ValueError) as exc:
            problems.append(str(exc) if isinstance(exc, FormSchemaError) else f"{path.name}: not valid JSON: {exc}")
    return forms, problems


def _parse_checked(path: Path, forms: dict[str, dict]) -> ParsedProcess:
    process = parse_process(path.read_bytes(), path.name, form_ids=set(forms), topics=registered_topics())
    missing = [key for key in REQUIRED_CATALOGUE if not process.catalogue.get(key)]
    if missing:
        raise ProcessDefinitionError(f"catalogue properties missing on the process: {', '.join(missing)}",
                                     file=path.name, element_id=process.process_id)
    if not process.catalogue["processing_working_days"].isdigit():
        raise ProcessDefinitionError("processing_working_days must be a whole number of working days",
                                     file=path.name, element_id=process.process_id)
    return process


def _store(path: Path, process: ParsedProcess, forms: dict[str, dict], now: datetime) -> DeployResult:
    used = {ref: forms[ref] for ref in [*process.form_refs, process.start_form_ref] if ref}
    bpmn = path.read_text(encoding="utf-8")
    digest = hashlib.sha256((bpmn + json.dumps(used, sort_keys=True)).encode()).hexdigest()
    procedure = _procedure_for(process)
    existing = next((v for v in procedure.versions if v.content_hash == digest), None)
    if existing is not None:
        return DeployResult(path.name, procedure.code, existing.number, created=False)
    version = ProcessVersion(
        number=len(procedure.versions) + 1, content_hash=digest, source_file=path.name, bpmn_xml=bpmn,
        spec_json=process.spec_json, forms_json=json.dumps(used, ensure_ascii=False), deployed_at=now,
        published_at=now, definition_json=json.dumps(
            {"catalogue": process.catalogue, "start_form_ref": process.start_form_ref,
             "element_properties": process.element_properties}, ensure_ascii=False))
    procedure.versions.append(version)
    db.session.flush()
    return DeployResult(path.name, procedure.code, version.number, created=True)


def _procedure_for(process: ParsedProcess) -> Procedure:
    code = process.catalogue["procedure_code"]
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        procedure = Procedure(code=code, process_id=process.process_id, name=process.catalogue["procedure_name"])
        db.session.add(procedure)
    procedure.name = process.catalogue["procedure_name"]
    return procedure
