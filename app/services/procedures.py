"""Deploying procedures: ``processes/*.bpmn`` + ``forms/*.form`` → immutable process versions.

Forms are snapshotted into each process version (``forms_json``, keyed as :mod:`app.engine.forms_xml` says), so a
running dossier always shows the forms its version was deployed with. ``camunda:formRef`` bindings:

* ``latest`` (the default) — Camunda: the newest deployed version of the form id. Here the form file in the run
  being deployed *is* the newest version, so the version stores the form's content at its deploy time; a later
  change of the form makes a new process version (the content hash covers the forms), and running dossiers keep
  the old one.
* ``deployment`` — Camunda: the form deployed together with the process. Every deploy deploys ``processes/`` and
  ``forms/`` together, so this is the same form as ``latest``.
* ``version`` + ``camunda:formRefVersion="N"`` — the Nth version of that form id. Form versions are not a table of
  their own: they are read from what process versions stored. Version 1 is the first content of that form id any
  process version stored, version 2 the next *different* content, and so on (storing order); the form file of the
  current run counts as the next version when its content is new. A content that was never stored with any
  process version was never deployed and has no number. Unlike Camunda, changing a form back to an earlier
  content does not make a new version: it is that earlier version again.
"""
import hashlib
import json
from collections.abc import Callable, Sequence
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
from .timer_starts import schedule_timer_start


class DeployError(Exception):
    """Deployment refused; nothing was written. ``problems`` holds one ``file:line: element: message`` each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DeployResult:
    """What deploying one BPMN file did: ``created`` is False when the same content was already deployed;
    ``published`` tells whether that version is published (False: a draft, see :func:`deploy_sources`)."""

    file: str
    procedure_code: str
    version_number: int
    created: bool
    published: bool = True


def check_procedures(processes_dir: Path, forms_dir: Path) -> list[Finding]:
    """Lint what :func:`deploy_processes` would deploy; findings name files without their folder.

    :return: every finding (errors and warnings), sorted by file and line.
    """
    return check_sources(read_sources(processes_dir, forms_dir))


def check_sources(sources: Sequence[Source], known_forms: Sequence[Source] = ()) -> list[Finding]:
    """Lint a run of files (e.g. an upload); ``known_forms`` are forms the BPMN may use without being checked.

    :return: every finding of ``sources`` (errors and warnings), sorted by file and line.
    """
    return lint(sources, collect_library([*sources, *known_forms], topics=registered_topics()))


def deploy_processes(processes_dir: Path, forms_dir: Path, *, now: datetime) -> list[DeployResult]:
    """Check every BPMN, DMN and form, then store a new published version for each changed process.

    All files are checked first, with the checks of ``flask procedures check``: any error-level finding
    refuses the whole deployment. Warnings do not. A file whose content is the newest version's is unchanged
    (that version is published if it was a draft); any other content becomes the newest version, even a revert.

    :param processes_dir: folder of ``*.bpmn`` (one procedure each, or a library of callable-only processes that
        call activities call, :mod:`app.engine.calls`) and the ``*.dmn`` they call.
    :param forms_dir: folder of ``*.form``.
    :param now: aware UTC time of deployment.
    :raises DeployError: listing every error found, each ``file:line: element-id: message``.
    """
    return deploy_sources(read_sources(processes_dir, forms_dir), now=now, published_at=now)


def deploy_new_content(processes_dir: Path, forms_dir: Path, *, now: datetime) -> list[DeployResult]:
    """:func:`deploy_processes` for the start of the app (``flask setup``): content that any version of the
    procedure already holds makes no new version, so versions uploaded and published by an administrator
    (``/admin/procedures``) stay the newest after a restart while processes/ still holds the older file.

    :raises DeployError: as :func:`deploy_processes`.
    """
    return deploy_sources(read_sources(processes_dir, forms_dir), now=now, published_at=now,
                          same_content=_any_version_with)


def read_sources(processes_dir: Path, forms_dir: Path) -> list[Source]:
    """The files a deploy of these folders reads: ``*.bpmn`` and ``*.dmn``, then ``*.form``."""
    files = [*sorted(processes_dir.glob("*.bpmn")), *sorted(processes_dir.glob("*.dmn")),
             *sorted(forms_dir.glob("*.form"))]
    return [Source.read(path, path.name) for path in files]


def deploy_sources(sources: Sequence[Source], *, now: datetime, published_at: datetime | None,
                   known_forms: Sequence[Source] = (),
                   same_content: Callable[[Procedure, str], ProcessVersion | None] | None = None
                   ) -> list[DeployResult]:
    """Check a run of files and store a version for each BPMN whose content is new.

    :param sources: the run: ``.bpmn`` (one procedure each), the ``.dmn`` they call, ``.form`` files.
    :param now: aware UTC time of deployment.
    :param published_at: publication time of the new versions, or ``None`` to store drafts an administrator
        publishes later (seed Art. 13.2: tested before published).
    :param known_forms: forms the run may use without holding them (an upload's previously deployed forms);
        they are not checked again, and the run's own forms win over them.
    :param same_content: ``(procedure, content hash) → version`` the content counts as (no new version);
        by default the newest version when it has that hash.
    :raises DeployError: listing every error found, each ``file:line: element-id: message``.
    """
    library = collect_library([*sources, *known_forms], topics=registered_topics())
    problems = errors(lint(sources, library))
    if problems:
        raise DeployError([finding.problem for finding in problems])
    forms = _RunForms([*known_forms, *sources])
    decisions = {decision_id(s): s.data.decode("utf-8") for s in library.dmn}
    parsed = [(s, build_process(s, library)) for s in sources if s.kind == ".bpmn" and s not in library.callables]
    used = [_forms_used(source, process, forms) for source, process in parsed]
    problems = [problem for _, found in used for problem in found]
    if problems:
        raise DeployError(problems)
    stored = _Storing(now, published_at, same_content or _newest_version_with)
    return [stored(source, process, forms_json, decisions) for (source, process), (forms_json, _) in zip(parsed, used)]


class _RunForms:
    """The forms of the run being deployed, by id and by file name, and the versions of each form id."""

    def __init__(self, sources: list[Source]):
        documents = [(s.name, json.loads(s.data)) for s in sources if s.kind == ".form"]
        self.by_file = dict(documents)
        self.by_id = {document["id"]: document for _, document in documents if isinstance(document.get("id"), str)}
        self._history: list[dict] | None = None

    def version(self, form_id: str, number: int) -> dict | None:
        """The ``number``-th version (from 1) of form ``form_id``, or None if it has fewer (module docstring)."""
        contents: list[str] = []
        for schema in [*self._stored(), self.by_id.get(form_id)]:
            if isinstance(schema, dict) and schema.get("id") == form_id:
                text = json.dumps(schema, sort_keys=True, ensure_ascii=False)
                if text not in contents:
                    contents.append(text)
        return json.loads(contents[number - 1]) if number <= len(contents) else None

    def _stored(self) -> list[dict]:
        """Every form schema stored by any process version, in deploy order (read once per deploy)."""
        if self._history is None:
            stored = db.session.scalars(select(ProcessVersion.forms_json).order_by(ProcessVersion.id))
            self._history = [schema for text in stored for schema in json.loads(text).values()]
        return self._history

    def stored(self, forms_json: dict[str, dict]) -> None:
        """Count the forms of a version stored during this deploy in later version look-ups."""
        if self._history is not None:
            self._history.extend(forms_json.values())


def _forms_used(source: Source, process: ParsedProcess, forms: _RunForms) -> tuple[dict[str, dict], list[str]]:
    """``(forms_json, problems)``: each form the process uses under its key, or why a version is missing."""
    used, problems = dict(process.generated_forms), []
    for key, ref in process.form_references.items():
        if ref.kind == "formKey":
            used[key] = forms.by_file[ref.file]
        elif ref.kind == "formRef" and ref.version is None:
            used[key] = forms.by_id[ref.form_id]
        elif ref.kind == "formRef":
            schema = forms.version(ref.form_id, ref.version)
            if schema is None:
                element = next(e for e, k in process.task_forms.items() if k == key)
                problems.append(f"{source.name}: {element}: form {ref.form_id!r} has no deployed version "
                                f"{ref.version} (camunda:formRefVersion); use a version that was deployed, or the "
                                "binding 'latest'")
            else:
                used[key] = schema
    forms.stored(used)
    return used, problems


def _newest_version_with(procedure: Procedure, digest: str) -> ProcessVersion | None:
    """The newest version when it has this content (a revert to older content is a new version)."""
    newest = procedure.versions[-1] if procedure.versions else None
    return newest if newest is not None and newest.content_hash == digest else None


def _any_version_with(procedure: Procedure, digest: str) -> ProcessVersion | None:
    """The newest version with this content, however old."""
    return next((v for v in reversed(procedure.versions) if v.content_hash == digest), None)


@dataclass(frozen=True)
class _Storing:
    """Stores one checked BPMN file as a version (or finds the version that already holds its content)."""

    now: datetime
    published_at: datetime | None
    same_content: Callable[[Procedure, str], ProcessVersion | None]

    def __call__(self, source: Source, process: ParsedProcess, used: dict[str, dict],
                 decisions: dict[str, str]) -> DeployResult:
        bpmn = source.data.decode("utf-8")
        dmn = {ref: decisions[ref] for ref in process.decision_refs}  # empty without business rule tasks
        called = "".join(process.called_files[name] for name in sorted(process.called_files))
        digest = hashlib.sha256((bpmn + json.dumps(used, sort_keys=True) + "".join(dmn.values()) + called).encode()
                                ).hexdigest()
        procedure = _procedure_for(process)
        same = self.same_content(procedure, digest)
        if same is not None:
            if same.published_at is None and self.published_at is not None and same is procedure.versions[-1]:
                publish(same, at=self.published_at)  # deploying a draft's content publishes it
            return DeployResult(source.name, procedure.code, same.number, created=False,
                                published=same.published_at is not None)
        version = ProcessVersion(
            number=len(procedure.versions) + 1, content_hash=digest, source_file=source.name, bpmn_xml=bpmn,
            spec_json=process.spec_json, forms_json=json.dumps(used, ensure_ascii=False), deployed_at=self.now,
            published_at=None, definition_json=json.dumps(
                {"catalogue": process.catalogue, "start_form_ref": process.start_form_ref,
                 "start_form": process.start_form, "task_forms": process.task_forms,
                 "element_properties": process.element_properties, "dmn": dmn,
                 "called_files": process.called_files, "called_processes": process.called_processes,
                 "called_elements": process.called_elements,
                 "timer_start": process.timer_start},
                ensure_ascii=False))
        procedure.versions.append(version)
        if self.published_at is not None:
            publish(version, at=self.published_at)
        db.session.flush()
        return DeployResult(source.name, procedure.code, version.number, created=True,
                            published=version.published_at is not None)


def publish(version: ProcessVersion, *, at: datetime) -> None:
    """Make ``version`` published at ``at``: new dossiers start on the newest published version, and the
    procedure takes its name from it (a draft never renames the procedure citizens see). A timer start event's
    schedule moves to it (:mod:`.timer_starts`)."""
    version.published_at = at
    version.procedure.name = version.catalogue["procedure_name"]
    schedule_timer_start(version, now=at)


def _procedure_for(process: ParsedProcess) -> Procedure:
    code = process.catalogue["procedure_code"]
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        procedure = Procedure(code=code, process_id=process.process_id, name=process.catalogue["procedure_name"])
        db.session.add(procedure)
    return procedure
