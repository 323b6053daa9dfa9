"""Process versions as administrators manage them at /admin/procedures: list, upload drafts, publish, migrate.

Deploying from disk (``flask procedures deploy``) publishes at once; an upload through the admin pages stores a
**draft** that an administrator publishes after testing it (seed Art. 13.2). Running dossiers stay on the version
they started on until an administrator migrates them (architecture.md, "Processes are data").
"""
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import func, select

from app.engine.calls import is_library
from app.engine.findings import Finding, Source
from app.engine.forms_xml import FILE_PREFIX, FORMDATA_PREFIX
from app.engine.lint import errors
from app.extensions import db
from app.models import Dossier, Officer, Procedure, ProcessVersion, WorkItem

from .procedures import DeployError, DeployResult, check_sources, deploy_sources, publish

logger = logging.getLogger(__name__)

#: Largest file an upload may hold (bytes); Camunda Modeler files are a few dozen KB.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Most files one upload may hold (one BPMN, its forms and decisions).
MAX_FILES = 40
UPLOAD_KINDS = (".bpmn", ".form", ".dmn")
#: A document type declaration (and with it any entity) has no place in a Camunda Modeler file.
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def procedures_with_versions() -> list[Procedure]:
    """Every procedure by name, its versions loaded (newest last)."""
    return list(db.session.scalars(select(Procedure).order_by(Procedure.name)))


def running_dossier_counts() -> dict[int, int]:
    """Process version id → number of its dossiers not yet finished (final status not reached)."""
    query = (select(Dossier.process_version_id, func.count(Dossier.id)).where(Dossier.finished_at.is_(None))
             .group_by(Dossier.process_version_id))
    return {version_id: count for version_id, count in db.session.execute(query)}


def waiting_counts(version: ProcessVersion) -> dict[str, int]:
    """BPMN id → number of ready work items of the version's unfinished dossiers there (badges on the diagram)."""
    query = (select(WorkItem.bpmn_id, func.count(WorkItem.id)).join(Dossier)
             .where(Dossier.process_version_id == version.id, Dossier.finished_at.is_(None))
             .group_by(WorkItem.bpmn_id))
    return {bpmn_id: count for bpmn_id, count in db.session.execute(query)}


class VersionStateError(Exception):
    """The version cannot be published (already published, or older than the published one): HTTP 409."""


def publish_version(version: ProcessVersion, *, by: Officer, now: datetime) -> None:
    """Publish a draft: from now on new dossiers of the procedure start on it; running dossiers keep theirs.

    Legal basis: QĐ 19/2024/QĐ-UBND Sơn La, Art. 13.2 — functions are tested before they are made public; the
    administrator confirms the draft was tested (its scenarios are run on the version page).

    :param by: the system administrator publishing it (logged).
    :param now: aware UTC time of publication.
    :raises VersionStateError: it is published already, or a newer version is published (publishing an older
        draft would not change what new dossiers start on).
    """
    if version.published_at is not None:
        raise VersionStateError(f"Phiên bản v{version.number} đã được công bố.")
    current = version.procedure.published_version
    if current is not None and current.number > version.number:
        raise VersionStateError(f"Phiên bản v{version.number} cũ hơn phiên bản đang áp dụng v{current.number}; "
                                "hãy tải lên lại nội dung này để tạo phiên bản mới nhất.")
    publish(version, at=now)
    db.session.flush()
    logger.info("Procedure %s v%s published by %s", version.procedure.code, version.number, by.username)


class UploadError(Exception):
    """The uploaded files cannot be checked at all (wrong kind, too big, not UTF-8, …): HTTP 400."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UploadedFile:
    """One file of an upload: its name as the browser sent it and at most ``MAX_FILE_BYTES + 1`` of its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UploadOutcome:
    """What an upload did: every lint finding, and the draft stored (``None`` when refused).

    :ivar problems: refusals found after the lint (e.g. a ``camunda:formRefVersion`` never deployed).
    :ivar borrowed_forms: names of previously deployed forms the BPMN used without them being uploaded.
    """

    findings: list[Finding]
    result: DeployResult | None
    problems: list[str] = field(default_factory=list)
    borrowed_forms: list[str] = field(default_factory=list)
    version_id: int | None = None

    @property
    def refused(self) -> bool:
        return self.result is None


def upload_version(files: list[UploadedFile], *, now: datetime) -> UploadOutcome:
    """Check one BPMN with its forms and decisions and store it as a **draft** version of its procedure.

    The files get the checks of ``flask procedures check``; any error refuses the upload and nothing is stored.
    A form the BPMN uses but the upload lacks is taken as last deployed (Camunda's ``latest`` binding). Nothing
    is written to processes/ or forms/: the content lives in the version row.

    :param now: aware UTC time of the upload.
    :raises UploadError: the files themselves are unacceptable (see :func:`read_upload`).
    """
    sources = read_upload(files)
    known = _deployed_forms_missing_from(sources)
    findings = check_sources(sources, list(known.values()))
    if errors(findings):
        return UploadOutcome(findings, None)
    try:
        (result,) = deploy_sources(sources, now=now, published_at=None, known_forms=list(known.values()))
    except DeployError as exc:
        return UploadOutcome(findings, None, exc.problems)
    version = _version(result)
    used = json.loads(version.forms_json)
    return UploadOutcome(findings, result, borrowed_forms=sorted(s.name for key, s in known.items() if key in used),
                         version_id=version.id)


def read_upload(files: list[UploadedFile]) -> list[Source]:
    """The upload as lint sources, after the checks no linter can make.

    :raises UploadError: no file or too many, not exactly one procedure ``.bpmn`` (library files it calls may
        come with it), a kind other than ``.bpmn``/``.form``/
        ``.dmn``, an empty or too large file, two files with one name, text that is not UTF-8, or XML with a
        document type declaration (entities are never expanded; the parser also has no network access).
    """
    files = [f for f in files if f.name]
    problems = [] if 0 < len(files) <= MAX_FILES else [
        f"Hãy chọn từ 1 đến {MAX_FILES} tệp: một tệp .bpmn cùng các tệp .form và .dmn của nó."]
    names = [PurePath(f.name.replace("\\", "/")).name for f in files]
    # library files (callable-only processes the procedure calls, app.engine.calls) may come with it
    bpmn = [n for n, f in zip(names, files) if n.lower().endswith(".bpmn") and not is_library(Source(n, f.data))]
    if files and len(bpmn) != 1:
        problems.append(f"Cần đúng một tệp .bpmn trong mỗi lần tải lên (đã chọn {len(bpmn)}); các tệp .bpmn dùng "
                        "chung (callable_only) mà thủ tục gọi được gửi kèm.")
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: có hai tệp cùng tên.")
    for name, upload in zip(names, files):
        problems += [f"{name}: {problem}" for problem in _file_problems(name, upload.data)]
    if problems:
        raise UploadError(problems)
    return [Source(name, upload.data) for name, upload in zip(names, files)]


def _file_problems(name: str, data: bytes) -> list[str]:
    if PurePath(name).suffix.lower() not in UPLOAD_KINDS:
        return [f"chỉ nhận tệp {', '.join(UPLOAD_KINDS)} (sơ đồ, biểu mẫu Camunda Forms, bảng quyết định DMN)."]
    if not data:
        return ["tệp rỗng."]
    if len(data) > MAX_FILE_BYTES:
        return [f"tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB."]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return ["không phải văn bản UTF-8; hãy lưu lại tệp từ Camunda Modeler."]
    if not name.lower().endswith(".form") and _DOCTYPE.search(data):
        return ["tệp XML có khai báo DOCTYPE/ENTITY, không được chấp nhận (tệp của Camunda Modeler không có)."]
    return []


def _deployed_forms_missing_from(sources: list[Source]) -> dict[str, Source]:
    """The newest deployed content of each form id and form file the upload does not hold, by ``forms_json`` key."""
    uploaded_files = {s.name for s in sources if s.kind == ".form"}
    uploaded_ids = {_form_id(s.data) for s in sources if s.kind == ".form"} - {None}
    newest: dict[str, Source] = {}
    for text in db.session.scalars(select(ProcessVersion.forms_json).order_by(ProcessVersion.id)):
        for key, schema in json.loads(text).items():
            source = _known_form(key, schema)
            if source is not None:
                newest[key] = source
    return {key: s for key, s in newest.items() if s.name not in uploaded_files and _form_id(s.data) not in uploaded_ids}


def _known_form(key: str, schema: dict) -> Source | None:
    """A stored form as a source: ``file:<name>`` under its file name, a form id as ``<id>.form``."""
    if key.startswith(FORMDATA_PREFIX) or "@" in key:
        return None
    name = key[len(FILE_PREFIX):] if key.startswith(FILE_PREFIX) else f"{key}.form"
    return Source(name, json.dumps(schema, ensure_ascii=False).encode("utf-8"))


def _form_id(data: bytes) -> str | None:
    try:
        document = json.loads(data)
    except ValueError:
        return None
    return document.get("id") if isinstance(document, dict) and isinstance(document.get("id"), str) else None


def _version(result: DeployResult) -> ProcessVersion:
    return db.session.scalar(select(ProcessVersion).join(Procedure).where(
        Procedure.code == result.procedure_code, ProcessVersion.number == result.version_number))
