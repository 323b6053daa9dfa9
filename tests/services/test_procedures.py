"""Deploying procedures: versions are immutable, unchanged content is a no-op, one bad file refuses all."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, Applicant, Procedure, ProcessVersion
from app.services import dossiers
from app.services.procedures import DeployError, deploy_processes
from tests.conftest import APPLICATION

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def _household(results):
    """The household registration's result among those of every diagram in processes/."""
    return next(r for r in results if r.procedure_code == "1.001612")


def _versions() -> int:
    return db.session.scalar(select(func.count(ProcessVersion.id)))


def test_the_real_procedure_is_deployed_with_its_catalogue(ctx):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    catalogue = procedure.published_version.catalogue
    assert procedure.name == "Đăng ký thành lập hộ kinh doanh" and catalogue["processing_working_days"] == "3"
    assert procedure.published_version.definition["start_form_ref"] == "form_application"


def test_same_content_twice_makes_no_new_version(ctx, designer_dirs):
    before = _versions()
    results = deploy_processes(*designer_dirs, now=NOW)
    assert results and not any(r.created for r in results) and _versions() == before


def test_changed_diagram_makes_a_new_version_and_running_dossiers_keep_theirs(ctx, designer_dirs):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    dossier = dossiers.submit_dossier(
        procedure, applicant=db.session.scalar(select(Applicant)), now=NOW,
        handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
        application={**APPLICATION, "capital_vnd": 1, "commitment": True})
    processes, forms = designer_dirs
    bpmn = processes / "household_business_registration.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace("Thẩm định hồ sơ", "Thẩm định hồ sơ (bản 2)"),
                    encoding="utf-8")
    result = _household(deploy_processes(processes, forms, now=NOW))
    assert result.created and result.version_number == 2
    assert procedure.published_version.number == 2 and dossier.process_version.number == 1


def test_one_bad_file_refuses_the_whole_deployment(ctx, designer_dirs):
    processes, forms = designer_dirs
    bpmn = processes / "household_business_registration.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace("Thẩm định hồ sơ", "Thẩm định (mới)"), encoding="utf-8")
    broken = processes / "broken.bpmn"
    broken.write_text(bpmn.read_text(encoding="utf-8").replace(
        'id="household_business_registration"', 'id="broken_copy"').replace(
        'value="1.001612"', 'value="9.999999"').replace('${reception_outcome == "refuse"}', '${reception_outcome ==}'),
        encoding="utf-8")
    before = _versions()
    with pytest.raises(DeployError) as caught:
        deploy_processes(processes, forms, now=NOW)
    (problem,) = caught.value.problems
    assert problem.startswith("broken.bpmn:") and "flow_refuse" in problem
    assert _versions() == before


def test_form_that_breaks_the_schema_is_refused_with_its_path(ctx, designer_dirs):
    processes, forms = designer_dirs
    form = forms / "approval.form"
    form.write_text(form.read_text(encoding="utf-8").replace('"key": "decision_reason"', '"key": "typename"'),
                    encoding="utf-8")
    with pytest.raises(DeployError) as caught:
        deploy_processes(processes, forms, now=NOW)
    assert any(p.startswith("approval.form: components") and "typename" in p for p in caught.value.problems)


def test_missing_catalogue_facts_are_refused(ctx, designer_dirs):
    processes, forms = designer_dirs
    bpmn = processes / "household_business_registration.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace('name="processing_working_days"', 'name="days"'),
                    encoding="utf-8")
    with pytest.raises(DeployError, match="processing_working_days"):
        deploy_processes(processes, forms, now=NOW)


def test_cli_deploy_prints_what_it_did(app):
    result = app.test_cli_runner().invoke(args=["procedures", "deploy"])
    assert result.exit_code == 0 and "1.001612 v1 unchanged" in result.output


def test_cli_deploy_refusal_exits_non_zero_with_the_line(app, tmp_path, designer_dirs):
    processes, forms = designer_dirs
    (processes / "bad.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    app.config.update(PROCESSES_DIR=str(processes), FORMS_DIR=str(forms))
    result = app.test_cli_runner().invoke(args=["procedures", "deploy"])
    assert result.exit_code == 1 and "bad.bpmn:1: -: not well-formed XML" in result.output


def test_migrations_build_exactly_the_models_schema(tmp_path):
    """`flask setup` migrates with Alembic; the migrations must match the models (no pending autogenerate diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from app import create_app
    from config import TestingConfig

    config = type("MigratedConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    app = create_app(config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert diff == []


def test_reverting_to_an_earlier_diagram_makes_it_the_newest_version(ctx, designer_dirs):
    processes, forms = designer_dirs
    bpmn = processes / "household_business_registration.bpmn"
    original = bpmn.read_text(encoding="utf-8")
    bpmn.write_text(original.replace("Thẩm định hồ sơ", "Thẩm định hồ sơ (bản 2)"), encoding="utf-8")
    assert _household(deploy_processes(processes, forms, now=NOW)).version_number == 2
    bpmn.write_text(original, encoding="utf-8")
    back = _household(deploy_processes(processes, forms, now=NOW))
    assert back.created and back.version_number == 3
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    assert procedure.published_version.number == 3
    assert procedure.published_version.content_hash == procedure.versions[0].content_hash
