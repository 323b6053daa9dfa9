"""Deploy resolves every form reference into the version: formRef bindings, formKey files, generated formData."""
import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.camunda_forms import FormSchemaError, parse_form
from app.engine import parse_process
from app.engine.findings import Source
from app.engine.lint import collect_library, lint
from app.extensions import db
from app.models import Procedure
from app.services.procedures import DeployError, deploy_processes
from app.task_forms import form_for_task, start_form_of
from tests.conftest import make_app

DATA = Path(__file__).parents[1] / "data" / "forms_binding"
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _version(code="T.forms_binding"):
    return db.session.scalar(select(Procedure).where(Procedure.code == code)).published_version


def test_each_element_maps_to_its_stored_form(forms_app):
    with forms_app.app_context():
        version = _version()
        assert version.definition["task_forms"] == {
            "start": "file:filing.form", "by_ref": "Form_Review", "by_app_key": "file:note.form",
            "generated": "formdata:generated"}
        assert version.definition["start_form"] == "file:filing.form"
        assert set(json.loads(version.forms_json)) == {"file:filing.form", "Form_Review", "file:note.form",
                                                       "formdata:generated"}
        assert [f.key for f in start_form_of(version).fields] == ["handling_agency_code", "request_text"]
        assert form_for_task(version, "by_app_key").id == "file:note.form"  # no id in the file: its key
        assert form_for_task(version, "by_ref").id == "Form_Review"
        assert form_for_task(version, "nowhere") is None


def test_formdata_becomes_a_form_js_schema(forms_app):
    with forms_app.app_context():
        schema = json.loads(_version().forms_json)["formdata:generated"]
    by_key = {c["key"]: c for c in schema["components"]}
    assert schema["type"] == "default" and "id" not in schema
    assert by_key["business_name"] == {"id": "formField_business_name", "type": "textfield", "key": "business_name",
                                       "label": "Tên hộ kinh doanh",
                                       "validate": {"required": True, "minLength": 3, "maxLength": 50}}
    assert by_key["employee_count"]["type"] == "number" and by_key["employee_count"]["decimalDigits"] == 0
    assert by_key["employee_count"]["validate"] == {"required": True, "min": 1, "max": 9}
    assert by_key["employee_count"]["defaultValue"] == 1
    assert (by_key["has_license"]["type"], by_key["has_license"]["defaultValue"]) == ("checkbox", False)
    assert by_key["opened_on"] == {"id": "formField_opened_on", "type": "datetime", "key": "opened_on",
                                   "subtype": "date", "dateLabel": "Ngày bắt đầu kinh doanh",
                                   "defaultValue": "2026-06-01"}  # Camunda's dd/MM/yyyy default, stored ISO
    assert by_key["kind"]["type"] == "select" and by_key["kind"]["values"] == [
        {"label": "Bán lẻ", "value": "retail"}, {"label": "Ăn uống", "value": "food"}]
    assert by_key["register_code"]["readonly"] is True


def test_a_form_without_id_parses_only_with_a_default_id():
    document = json.loads((DATA / "forms" / "note.form").read_text(encoding="utf-8"))
    with pytest.raises(FormSchemaError):
        parse_form(document, "note.form")
    assert parse_form(document, "note.form", default_id="file:note.form").id == "file:note.form"


def test_versions_deployed_before_the_map_find_their_forms_from_the_bpmn(app):
    """A version stored before ``task_forms`` existed (same content, so redeploying keeps it) still finds forms."""
    with app.app_context():
        version = _version("1.001612")
        definition = json.loads(version.definition_json)
        del definition["task_forms"], definition["start_form"]
        version.definition_json = json.dumps(definition)
        assert form_for_task(version, "check_dossier").id == "form_check_dossier"
        assert start_form_of(version).id == "form_application"


# --- formRefBinding="version" -------------------------------------------------------------------------------


@pytest.fixture
def dirs(tmp_path):
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    shutil.copytree(DATA / "processes", processes, ignore=shutil.ignore_patterns("scenarios"))
    shutil.copytree(DATA / "forms", forms)
    return processes, forms


def _set_review_label(forms: Path, label: str) -> None:
    path = forms / "review.form"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["components"][0]["label"] = label
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def _bind(processes: Path, attributes: str) -> None:
    """Replace the binding attributes of task ``by_ref`` with ``attributes``."""
    path = processes / "forms_binding.bpmn"
    text = re.sub(r' camunda:formRef(Binding|Version)="[^"]*"', "", path.read_text(encoding="utf-8"))
    path.write_text(text.replace('camunda:formRef="Form_Review"', f'camunda:formRef="Form_Review" {attributes}'),
                    encoding="utf-8")


def _review_label(version) -> str:
    return form_for_task(version, "by_ref").fields[0].label


def test_version_binding_picks_the_nth_deployed_content_of_the_form_id(dirs):
    processes, forms = dirs
    app = make_app(PROCESSES_DIR=str(processes), FORMS_DIR=str(forms))
    with app.app_context():
        assert _review_label(_version()) == "Ý kiến xem xét"  # version 1 of Form_Review, deployed with v1
        _set_review_label(forms, "Ý kiến (bản 2)")
        (second,) = deploy_processes(processes, forms, now=NOW)  # binding deployment: the form of this run
        db.session.commit()
        assert second.created and _review_label(_version()) == "Ý kiến (bản 2)"
        _set_review_label(forms, "Ý kiến (bản 3)")
        _bind(processes, 'camunda:formRefBinding="version" camunda:formRefVersion="1"')
        deploy_processes(processes, forms, now=NOW + timedelta(minutes=1))
        db.session.commit()
        version = _version()
        assert version.definition["task_forms"]["by_ref"] == "Form_Review@1"
        assert _review_label(version) == "Ý kiến xem xét"
        _bind(processes, 'camunda:formRefBinding="version" camunda:formRefVersion="3"')
        deploy_processes(processes, forms, now=NOW + timedelta(minutes=2))  # the run's new content is version 3
        db.session.commit()
        assert _review_label(_version()) == "Ý kiến (bản 3)"
        _bind(processes, 'camunda:formRefBinding="version" camunda:formRefVersion="4"')
        with pytest.raises(DeployError, match="form 'Form_Review' has no deployed version 4"):
            deploy_processes(processes, forms, now=NOW + timedelta(minutes=3))
        db.session.rollback()
        _bind(processes, 'camunda:formRefBinding="latest"')
        deploy_processes(processes, forms, now=NOW + timedelta(minutes=4))
        assert _review_label(_version()) == "Ý kiến (bản 3)" and _version().number == 5


def test_check_refuses_a_version_binding_without_a_version(dirs):
    processes, forms = dirs
    _bind(processes, 'camunda:formRefBinding="version"')
    app = make_app()
    with app.app_context(), pytest.raises(DeployError, match="formRefVersion"):
        deploy_processes(processes, forms, now=NOW)


def test_the_sample_lints_clean_although_two_forms_have_no_id():
    files = [*(DATA / "processes").glob("*.bpmn"), *(DATA / "forms").glob("*.form")]
    sources = [Source.read(path, path.name) for path in sorted(files)]
    assert lint(sources, collect_library(sources, topics={"deadline_warning"})) == []


def test_formdata_on_the_start_event_is_the_filing_form():
    bpmn = (DATA / "processes" / "forms_binding.bpmn").read_text(encoding="utf-8").replace(
        ' camunda:formKey="camunda-forms:deployment:forms/filing.form">',
        '><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="handling_agency_code" label="Cơ quan" type="enum">'
        '<camunda:value id="H54.10.01" name="Phường Tô Hiệu" /></camunda:formField>'
        '</camunda:formData></bpmn:extensionElements>')
    parsed = parse_process(bpmn.encode(), "start_form_data.bpmn", form_ids={"Form_Review"},
                           form_files={"note.form"}, topics={"deadline_warning"})
    assert parsed.start_form == "formdata:start" and parsed.start_form_ref is None
    (component,) = parsed.generated_forms["formdata:start"]["components"]
    assert component["values"] == [{"label": "Phường Tô Hiệu", "value": "H54.10.01"}]
