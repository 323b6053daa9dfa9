"""Call activities run as Camunda 7 runs them: only mapped variables cross, the called process's user tasks are
work like any other, the called process is frozen into the calling version, and versions compare through it."""
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.engine import DossierWorkflow, compare_specs, parse_process
from app.engine.findings import Source
from app.extensions import db
from app.models import Applicant, Agency, Procedure
from app.services.dossier_state import restore_workflow
from app.services.dossiers import complete_work_item, submit_dossier
from app.services.procedures import deploy_processes

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
FORM_IDS = {json.loads(p.read_text())["id"] for p in (CORPUS / "forms").glob("*.form")}
FILED = {"business_name": "Quán cơm Tô Hiệu", "capital_vnd": 150_000_000, "reception_outcome": "receive"}


def _parsed(library: Path = CORPUS / "corpus_consult_agency.bpmn"):
    source = CORPUS / "corpus_call_activity.bpmn"
    return parse_process(source.read_bytes(), source.name, form_ids=FORM_IDS, topics=set(),
                         callables=[Source.read(library, library.name)])


def _started(parsed) -> DossierWorkflow:
    wf = DossierWorkflow.start(parsed.spec_json, lambda: parsed.spec_json, FILED)
    (check,) = wf.ready_user_tasks()
    wf.complete(check.task_id, {"reception_outcome": "receive"})
    return wf


def test_only_mapped_variables_enter_and_leave_the_called_process():
    parsed = _parsed()
    assert set(
        parsed.called_processes) == {"corpus_consult_agency", "corpus_fee_notice"}
    wf = _started(parsed)
    (opinion,) = wf.ready_user_tasks()
    assert opinion.bpmn_id == "give_opinion" and opinion.candidate_groups == ("specialist",)
    inside = wf.task_data(opinion.task_id)
    assert inside == {"subject": "Quán cơm Tô Hiệu", "large_business": True}  # camunda:in only, no capital_vnd
    wf.complete(opinion.task_id, {"opinion": "agree", "opinion_note": "ok"})
    (notice,) = wf.ready_user_tasks()
    assert notice.bpmn_id == "notify_fee"
    seen = wf.task_data(notice.task_id)  # camunda:in variables="all"
    assert seen["consultation_opinion"] == "agree" and seen["capital_vnd"] == 150_000_000
    assert "opinion" not in seen and "subject" not in seen  # camunda:out brought back only what it names
    wf.complete(notice.task_id, {"fee_notified": True, "scratch": 1})
    (returning,) = wf.ready_user_tasks()
    data = wf.task_data(returning.task_id)
    assert data["fee_notified"] is True and "scratch" not in data


def test_a_workflow_inside_a_called_process_survives_dump_and_restore():
    parsed = _parsed()
    wf = _started(parsed)
    restored = DossierWorkflow.restore(parsed.spec_json, lambda: parsed.spec_json, wf.dump())
    (opinion,) = restored.ready_user_tasks()
    assert opinion.bpmn_id == "give_opinion"
    assert [t.bpmn_id for t in restored.pending_timers()] == ["timer_consult_overdue"]
    restored.complete(opinion.task_id, {"opinion": "disagree"})
    assert restored.completed and restored.reached_end_events()[-1] == "end_refused"


def test_version_comparison_sees_a_change_inside_the_called_process(tmp_path):
    changed = tmp_path / "corpus_consult_agency.bpmn"
    changed.write_text((CORPUS / changed.name).read_text().replace("Cho ý kiến về ${subject}", "Thẩm định"))
    before, after = _parsed(), _parsed(changed)
    diff = compare_specs(before.spec_json, after.spec_json)
    assert [c.bpmn_id for c in diff.changed] == ["give_opinion"] and not diff.added and not diff.removed


@pytest.fixture
def corpus_dirs(tmp_path) -> tuple[Path, Path]:
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    processes.mkdir()
    for name in ("corpus_call_activity.bpmn", "corpus_consult_agency.bpmn"):
        shutil.copy(CORPUS / name, processes / name)
    shutil.copytree(CORPUS / "forms", forms)
    return processes, forms


def test_running_dossiers_keep_the_called_process_they_started_with(ctx, corpus_dirs):
    processes, forms = corpus_dirs
    now = datetime(2026, 6, 1, 2, tzinfo=UTC)
    results = deploy_processes(processes, forms, now=now)
    assert [(r.file, r.procedure_code, r.version_number) for r in results] == [
        ("corpus_call_activity.bpmn", "CORPUS.09", 1)]  # the library file is no procedure
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "CORPUS.09"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    dossier = submit_dossier(procedure, applicant=applicant, handling_agency=agency,
                             application={"business_name": "Quán cơm Tô Hiệu", "capital_vnd": 1}, now=now)
    (check,) = dossier.work_items
    officer = _officer("motcua.tohieu")
    complete_work_item(dossier, check.task_id, actor=officer, values={"reception_outcome": "receive"}, now=now)
    assert [(w.bpmn_id, w.task_name) for w in dossier.work_items] == [("give_opinion", "Cho ý kiến về ${subject}")]
    assert dossier.status.name == "in_progress"  # dossier_status of the called process's user task
    assert [t.bpmn_id for t in dossier.pending_timers] == ["timer_consult_overdue"]

    library = processes / "corpus_consult_agency.bpmn"
    library.write_text(library.read_text().replace("Cho ý kiến về ${subject}", "Thẩm định ý kiến"))
    again = deploy_processes(processes, forms, now=now)
    assert [(r.procedure_code, r.version_number, r.created) for r in again] == [("CORPUS.09", 2, True)]
    assert json.loads(procedure.versions[-1].definition_json)["called_files"].keys() == {library.name}

    (opinion,) = restore_workflow(dossier).ready_user_tasks()
    assert opinion.name == "Cho ý kiến về ${subject}"  # version 1's frozen copy of the called process
    complete_work_item(dossier, opinion.task_id, actor=_officer("chuyenvien.tohieu"), values={"opinion": "agree"},
                       now=now)
    assert [w.bpmn_id for w in dossier.work_items] == ["notify_fee"]


def _officer(username: str):
    from app.models import Officer
    return db.session.scalar(select(Officer).where(Officer.username == username))


def test_values_submitted_in_the_called_process_are_not_the_procedures_variables(ctx, corpus_dirs):
    from app.scenarios.expectations import dossier_variables
    processes, forms = corpus_dirs
    now = datetime(2026, 6, 1, 2, tzinfo=UTC)
    deploy_processes(processes, forms, now=now)
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "CORPUS.09"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    dossier = submit_dossier(procedure, applicant=applicant, handling_agency=agency,
                             application={"business_name": "Quán cơm Tô Hiệu", "capital_vnd": 1}, now=now)
    complete_work_item(dossier, dossier.work_items[0].task_id, actor=_officer("motcua.tohieu"),
                       values={"reception_outcome": "receive"}, now=now)
    complete_work_item(dossier, dossier.work_items[0].task_id, actor=_officer("chuyenvien.tohieu"),
                       values={"opinion": "agree", "opinion_note": "Đủ điều kiện"}, now=now)
    variables = dossier_variables(dossier)
    assert variables["consultation_opinion"] == "agree"  # camunda:out source="opinion"
    assert "opinion" not in variables and "opinion_note" not in variables and "subject" not in variables


def test_a_dossier_inside_the_called_process_moves_to_a_version_that_changed_it(tmp_path):
    from app.engine import MigrationTarget, migrate, migration_blockers
    changed = tmp_path / "corpus_consult_agency.bpmn"
    changed.write_text((CORPUS / changed.name).read_text().replace("Cho ý kiến về ${subject}", "Thẩm định"))
    before, after = _parsed(), _parsed(changed)
    wf = _started(before)
    target = MigrationTarget(after.spec_json)
    assert migration_blockers(wf, target) == []
    moved = DossierWorkflow.restore(after.spec_json, lambda: after.spec_json, migrate(wf, target))
    (opinion,) = moved.ready_user_tasks()
    assert (opinion.bpmn_id, opinion.name) == ("give_opinion", "Thẩm định")
    assert moved.task_data(opinion.task_id)["subject"] == "Quán cơm Tô Hiệu"
    moved.complete(opinion.task_id, {"opinion": "agree"})
    assert [t.bpmn_id for t in moved.ready_user_tasks()] == ["notify_fee"]


def test_a_library_process_reusing_the_callers_element_ids_is_refused(tmp_path):
    from app.engine.lint import collect_library, lint
    library = tmp_path / "corpus_consult_agency.bpmn"
    library.write_text((CORPUS / library.name).read_text().replace("give_opinion", "check_dossier"))
    caller = CORPUS / "corpus_call_activity.bpmn"
    sources = [Source.read(caller, caller.name), Source.read(library, library.name),
               *(Source.read(p, p.name) for p in (CORPUS / "forms").glob("*.form"))]
    found = [(f.element_id, f.rule) for f in lint(sources, collect_library(sources, topics=()))
             if f.severity == "error"]
    assert found == [("consult_agency", "call-activity")]


def test_a_stored_version_is_checked_again_with_the_library_file_it_froze(ctx, corpus_dirs):
    from app.services.version_checks import lint_version, version_files
    deploy_processes(*corpus_dirs, now=datetime(2026, 6, 1, 2, tzinfo=UTC))
    version = db.session.scalar(select(Procedure).where(Procedure.code == "CORPUS.09")).versions[-1]
    assert "corpus_consult_agency.bpmn" in [s.path for s in version_files(version).sources]
    assert [str(f) for f in lint_version(version) if f.severity == "error"] == []
