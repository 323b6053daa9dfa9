"""Deploying procedures: ``processes/*.bpmn`` + ``forms/*.form`` → immutable process versions."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.engine.findings import Finding, Source
from app.engine.lint import collect_library, errors, lint
from app.engine.lint_dmn import decision_id
from app.engine.lint_rules import REQUIRED_CATALOGUE  # noqa: F401 (re-exported: the facts deploy needs)
from app.engine.specs import ParsedProcess, build_process
from app.extensions import db
from app.models import Procedure, ProcessVersion

from .external_tasks import registered_topics


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


def check_procedures(processes_dir: Path, forms_dir: Path) -> list[Finding]:
    """Lint what :func:`deploy_processes` would deploy; findings name files without their folder.

    :return: every finding (errors and warnings), sorted by file and line.
    """
    sources = _sources(processes_dir, forms_dir)
    return lint(sources, collect_library(sources, topics=registered_topics()))


def deploy_processes(processes_dir: Path, forms_dir: Path, *, now: datetime) -> list[DeployResult]:
    """Check every BPMN, DMN and form, then store a new published version for each changed process.

    All files are checked first, with the checks of ``flask procedures check``: any error-level finding
    refuses the whole deployment. Warnings do not.

    :param processes_dir: folder of ``*.bpmn`` (one procedure each) and the ``*.dmn`` they call.
    :param forms_dir: folder of ``*.form``.
    :param now: aware UTC time of deployment.
    :raises DeployError: listing every error found, each ``file:line: element-id: message``.
    """
    sources = _sources(processes_dir, forms_dir)
    library = collect_library(sources, topics=registered_topics())
    problems = errors(lint(sources, library))
    if problems:
        raise DeployError([finding.problem for finding in problems])
    forms = {document["id"]: document for document in _form_documents(sources)}
    decisions = {decision_id(s): s.data.decode("utf-8") for s in library.dmn}
    parsed = [(s, build_process(s, library)) for s in sources if s.kind == ".bpmn"]
    return [_store(source, process, forms, decisions, now) for source, process in parsed]


def _sources(processes_dir: Path, forms_dir: Path) -> list[Source]:
    files = [*sorted(processes_dir.glob("*.bpmn")), *sorted(processes_dir.glob("*.dmn")),
             *sorted(forms_dir.glob("*.form"))]
    return [Source.read(path, path.name) for path in files]


def _form_documents(sources: list[Source]) -> list[dict]:
    return [json.loads(s.data) for s in sources if s.kind == ".form"]


def _store(source: Source, process: ParsedProcess, forms: dict[str, dict], decisions: dict[str, str],
           now: datetime) -> DeployResult:
    used = {ref: forms[ref] for ref in [*process.form_refs, process.start_form_ref] if ref}
    bpmn = source.data.decode("utf-8")
    dmn = "".join(decisions[ref] for ref in process.decision_refs)  # empty without business rule tasks
    digest = hashlib.sha256((bpmn + json.dumps(used, sort_keys=True) + dmn).encode()).hexdigest()
    procedure = _procedure_for(process)
    existing = next((v for v in procedure.versions if v.content_hash == digest), None)
    if existing is not None:
        return DeployResult(source.name, procedure.code, existing.number, created=False)
    version = ProcessVersion(
        number=len(procedure.versions) + 1, content_hash=digest, source_file=source.name, bpmn_xml=bpmn,
        spec_json=process.spec_json, forms_json=json.dumps(used, ensure_ascii=False), deployed_at=now,
        published_at=now, definition_json=json.dumps(
            {"catalogue": process.catalogue, "start_form_ref": process.start_form_ref,
             "element_properties": process.element_properties}, ensure_ascii=False))
    procedure.versions.append(version)
    db.session.flush()
    return DeployResult(source.name, procedure.code, version.number, created=True)


def _procedure_for(process: ParsedProcess) -> Procedure:
    code = process.catalogue["procedure_code"]
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        procedure = Procedure(code=code, process_id=process.process_id, name=process.catalogue["procedure_name"])
        db.session.add(procedure)
    procedure.name = process.catalogue["procedure_name"]
    return procedure
