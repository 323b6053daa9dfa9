"""Real Camunda 7 models from public repositories (tests/data/public/, each with its source and licence in a header
comment): each either deploys and runs its scenarios as Camunda would, or is refused by ``flask procedures check``
with findings that name the element. Which one, and why, is recorded here per file.
"""
from pathlib import Path

import pytest
from lxml import etree

from app.engine.bpmn_xml import BPMN, CAMUNDA
from app.engine.findings import Source
from app.engine.lint import collect_library, errors, lint
from app.procedures_check import check_command
from app.scenarios import load_scenario, run_scenario
from app.services.external_tasks import registered_topics

PUBLIC = Path(__file__).parents[1] / "data" / "public"

#: file → the (element id, rule) of every error ``check`` reports for the file as published.
REFUSED = {
    # camunda/camunda-bpm-examples clients/java/loan-granting: a cron timer start (run, but the agency handling the
    # instances it starts is not named), external topics the app does not serve, a multi-instance subprocess
    # (instances of an embedded subprocess do not get Camunda's scoping).
    "camunda-bpm-examples_loan-granting.bpmn": {
        ("loan_process", "catalogue"), ("loan_process", "time-limit"),
        ("StartEvent_1", "catalogue"),  # handling_agency_code
        ("Task_1lvjtd4", "service-task"), ("Task_0v4gadf", "service-task"), ("Task_0j0sjlk", "service-task"),
        ("SubProcess_16kr5xn", "unsupported-construct"),
    },
    # camunda/camunda-bpm-examples testing/assert job announcement: a call activity to another file, Java beans in
    # a service task and in assignees. Its ${approved} / ${!approved} gateway needs no default flow.
    "camunda-bpm-examples_job-announcement.bpmn": {
        ("camunda-testing-job-announcement", "catalogue"), ("camunda-testing-job-announcement", "time-limit"),
        ("mail", "service-task"), ("publication", "call-activity"),  # the called process is not in the run
        ("review", "expression-function"), ("correct", "expression-function"),
    },
    # camunda/camunda-bpm-platform MessageBoundaryEventTest: only the catalogue facts a procedure needs are missing.
    "camunda-bpm-platform_boundary-message-on-subprocess.bpmn": {("testProcess", "catalogue"),
                                                                 ("testProcess", "time-limit")},
}
#: file → scenarios that run once the catalogue facts are added (as a designer does in Extensions → Properties).
RUNS = {"camunda-bpm-platform_boundary-message-on-subprocess.bpmn": "PUBLIC.01"}


def _source(name: str) -> Source:
    return Source.read(PUBLIC / name, name)


def test_every_public_model_names_its_source_and_licence():
    for path in PUBLIC.glob("*.bpmn"):
        head = path.read_text(encoding="utf-8")[:1200]
        assert "Repository: https://github.com/camunda/" in head and "Path:" in head, path.name
        assert "Licence:    Apache License 2.0" in head, path.name
    assert {p.name for p in PUBLIC.glob("*.bpmn")} == set(REFUSED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_as_published_each_is_refused_with_findings_naming_the_element(name: str):
    source = _source(name)
    found = errors(lint([source], collect_library([source], topics=registered_topics())))
    assert {(f.element_id, f.rule) for f in found} == REFUSED[name]
    root = etree.fromstring(source.data)
    for finding in found:  # the line is the element's, or that of one of its parts (timer, loop marker)
        (element,) = root.xpath("//*[@id=$id]", id=finding.element_id)
        assert finding.line in {el.sourceline for el in element.iter()}, str(finding)


def test_check_prints_one_line_per_finding_and_fails(app):
    result = app.test_cli_runner().invoke(check_command, [str(PUBLIC / "camunda-bpm-examples_job-announcement.bpmn")])
    assert result.exit_code == 1
    assert ("camunda-bpm-examples_job-announcement.bpmn:39: publication: error: calledElement "
            "'camunda-testing-job-announcement-publication' names no callable process" in result.output), result.output


def with_catalogue(data: bytes, code: str) -> bytes:
    """The model with the catalogue facts deploy needs on its executable process, nothing else changed."""
    root = etree.fromstring(data)
    process = root.find(f"{{{BPMN}}}process")
    extensions = etree.Element(f"{{{BPMN}}}extensionElements")
    props = etree.SubElement(extensions, f"{{{CAMUNDA}}}properties")
    for key, value in (("procedure_code", code), ("procedure_name", f"Public model {process.get('id')}"),
                       ("processing_working_days", "5")):
        etree.SubElement(props, f"{{{CAMUNDA}}}property", name=key, value=value)
    process.insert(0, extensions)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("name", sorted(RUNS))
def test_with_its_catalogue_facts_it_deploys_and_runs_as_camunda_would(name: str, tmp_path):
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    processes.mkdir()
    forms.mkdir()
    (processes / name).write_bytes(with_catalogue((PUBLIC / name).read_bytes(), RUNS[name]))
    scenarios = sorted((PUBLIC / "scenarios").glob(f"{Path(name).stem}.*.json"))
    assert scenarios
    for path in scenarios:
        lines: list[str] = []
        assert run_scenario(load_scenario(path), {"PROCESSES_DIR": str(processes), "FORMS_DIR": str(forms)},
                            lines.append), "\n".join(lines)
