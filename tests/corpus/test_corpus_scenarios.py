"""The construct corpus: the team's own Camunda-Modeler-style procedures in tests/data/corpus/, one per construct.

Every file is deployed through ``deploy_processes`` on a copy of the corpus (so every lint rule runs and none
may complain), and every scenario in tests/data/corpus/scenarios/ runs green through the designer scenario
runner (each on a fresh app that deploys the corpus again). The files follow the designer guide (README):
catalogue facts, candidate groups of the app's roles, ``dossier_status`` on user tasks and end events, and a
diagram shape for every element, so they open in Camunda Modeler.
"""
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from app.engine.bpmn_xml import NS, camunda, properties
from app.engine.calls import executable_processes, is_library, procedure_process
from app.engine.findings import Source
from app.engine.lint_rules import REQUIRED_CATALOGUE
from app.models import DossierStatus
from app.scenarios import load_scenario, run_scenario
from app.services.procedures import check_procedures, deploy_processes

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
BPMN_FILES = sorted(CORPUS.glob("*.bpmn"))
#: library files: only callable-only processes, called by other corpus procedures (no procedure, no scenario).
LIBRARY_FILES = [p for p in BPMN_FILES if is_library(Source.read(p))]
PROCEDURE_FILES = [p for p in BPMN_FILES if p not in LIBRARY_FILES]
SCENARIOS = sorted((CORPUS / "scenarios").glob("*.json"))
ROLES = {"one_stop", "specialist", "leader", "applicant"}
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
X = {**NS, "camunda": "http://camunda.org/schema/1.0/bpmn"}

#: construct → (corpus file, XPath that must find it there). Scenarios of that file exercise it.
CONSTRUCTS = {
    "parallel gateway fork and join": ("corpus_parallel.bpmn", "//bpmn:parallelGateway[count(bpmn:outgoing)=2]"),
    "another agency's specialists (agency_code)": (
        "corpus_parallel.bpmn", "//bpmn:userTask[.//camunda:property[@name='agency_code']]"),
    "inclusive gateway with conditions and a default": (
        "corpus_inclusive.bpmn", "//bpmn:inclusiveGateway[@default]"),
    "embedded subprocess with boundary timers": (
        "corpus_subprocess.bpmn", "//bpmn:boundaryEvent[@attachedToRef='handling']/bpmn:timerEventDefinition"),
    "non-interrupting event subprocess with a timer start": (
        "corpus_event_subprocess.bpmn",
        "//bpmn:subProcess[@triggeredByEvent='true']/bpmn:startEvent[@isInterrupting='false']"
        "/bpmn:timerEventDefinition"),
    "parallel multi-instance user task over a collection": (
        "corpus_multi_instance.bpmn",
        "//bpmn:userTask[@camunda:assignee='${reviewer}']/bpmn:multiInstanceLoopCharacteristics"
        "[@camunda:collection='${reviewers}'][@camunda:elementVariable='reviewer']"),
    "parallel multi-instance user task over a cardinality": (
        "corpus_multi_instance.bpmn", "//bpmn:userTask/bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality"),
    "DMN business rule task driving a gateway": (
        "corpus_dmn.bpmn", "//bpmn:businessRuleTask[@camunda:decisionRef='corpus_route'][@camunda:resultVariable]"),
    "message intermediate catch event": (
        "corpus_message.bpmn", "//bpmn:intermediateCatchEvent/bpmn:messageEventDefinition[@messageRef]"),
    "interrupting message boundary event": (
        "corpus_message.bpmn", "//bpmn:boundaryEvent[not(@cancelActivity)]/bpmn:messageEventDefinition"),
    "call activity to a library file with camunda:in/out mappings": (
        "corpus_call_activity.bpmn", "//bpmn:callActivity[@calledElement='corpus_consult_agency']"
        "[bpmn:extensionElements/camunda:in[@source]][bpmn:extensionElements/camunda:out[@source]]"),
    "call activity to a callable-only pool of the same file, all variables in": (
        "corpus_call_activity.bpmn", "//bpmn:callActivity[@calledElement='corpus_fee_notice']"
        "[bpmn:extensionElements/camunda:in[@variables='all']]"),
    "interrupting boundary timer on a call activity": (
        "corpus_call_activity.bpmn", "//bpmn:boundaryEvent[@attachedToRef='consult_agency']/bpmn:timerEventDefinition"),
    "timer start event with an ISO cycle (system-started dossier)": (
        "corpus_timer_start.bpmn", "//bpmn:process/bpmn:startEvent/bpmn:timerEventDefinition/bpmn:timeCycle"),
    "user task inside a called process": ("corpus_consult_agency.bpmn", "//bpmn:userTask[@id='give_opinion']"),
    "intermediate timer catch event with a duration": (
        "corpus_timer.bpmn", "//bpmn:intermediateCatchEvent/bpmn:timerEventDefinition[bpmn:timeDuration='PT2H']"),
}


@pytest.fixture(scope="module")
def corpus_dirs(tmp_path_factory) -> tuple[Path, Path]:
    """A processes folder (BPMN + DMN) and a forms folder copied from the corpus, as a designer would lay them out."""
    root = tmp_path_factory.mktemp("corpus")
    processes, forms = root / "processes", root / "forms"
    processes.mkdir()
    for path in [*CORPUS.glob("*.bpmn"), *CORPUS.glob("*.dmn")]:
        shutil.copy(path, processes / path.name)
    shutil.copytree(CORPUS / "forms", forms)
    return processes, forms


def test_the_lint_finds_nothing_and_every_file_deploys(ctx, corpus_dirs):
    processes, forms = corpus_dirs
    findings = check_procedures(processes, forms)
    assert [str(f) for f in findings if "inclusive" not in f.message] == []
    results = deploy_processes(processes, forms, now=datetime(2026, 6, 1, 2, tzinfo=UTC))
    assert sorted((r.file, r.created) for r in results) == [(p.name, True) for p in PROCEDURE_FILES]
    assert {r.procedure_code for r in results} == {f"CORPUS.{n:02}" for n in range(1, 11)}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_passes(path: Path, corpus_dirs):
    processes, forms = corpus_dirs
    lines: list[str] = []
    assert run_scenario(load_scenario(path), {"PROCESSES_DIR": str(processes), "FORMS_DIR": str(forms)},
                        lines.append), "\n".join(lines)
    assert not any("✗" in line for line in lines)


@pytest.mark.parametrize("bpmn", PROCEDURE_FILES, ids=lambda p: p.name)
def test_every_corpus_procedure_ships_with_scenarios(bpmn: Path):
    assert [p for p in SCENARIOS if p.name.startswith(f"{bpmn.stem}.")], f"add scenarios/{bpmn.stem}.<path>.json"


@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_each_construct_is_drawn_in_the_corpus(construct: str):
    file, xpath = CONSTRUCTS[construct]
    assert etree.parse(str(CORPUS / file)).xpath(xpath, namespaces=X), f"{construct}: nothing matches in {file}"


@pytest.mark.parametrize("bpmn", BPMN_FILES, ids=lambda p: p.name)
def test_corpus_files_follow_the_designer_guide(bpmn: Path):
    root = etree.parse(str(bpmn)).getroot()
    process = procedure_process(root)
    assert process is not None or bpmn in LIBRARY_FILES
    if process is not None:
        assert all(properties(process).get(key) for key in REQUIRED_CATALOGUE)
    for run in executable_processes(root):
        for task in run.iter(f"{{{NS['bpmn']}}}userTask"):
            groups = set((task.get(camunda("candidateGroups")) or "").split(","))
            assert groups and groups <= ROLES, (task.get("id"), groups)
        statuses = [properties(el).get("dossier_status") for el in run.iter()
                    if etree.QName(el).localname in ("userTask", "endEvent") and properties(el).get("dossier_status")]
        assert set(statuses) <= set(DossierStatus.__members__)
        assert statuses or run is not process
        drawn = {shape.get("bpmnElement") for shape in root.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge")}
        elements = {el.get("id") for el in run.iter() if etree.QName(el).localname not in (
            "process", "documentation", "extensionElements", "incoming", "outgoing", "conditionExpression",
            "timeDuration", "timeDate", "timeCycle", "loopCardinality", "completionCondition")
            and not etree.QName(el).localname.endswith(("EventDefinition", "LoopCharacteristics"))
            and etree.QName(el).namespace == NS["bpmn"] and el.get("id")}
        assert elements - drawn == set(), f"no diagram shape for {sorted(elements - drawn)}"
