"""DossierWorkflow on the corpus: the Camunda 7 semantics the wrapper adds to SpiffWorkflow 3.2.0.

Multi-instance variable scoping and completion conditions, message correlation, DMN result mappings and FEEL
input cells, event subprocesses that end with their scope, cycle timers; each checked through a save/restore
of the instance JSON where the dossier would be saved.
"""
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.engine import DossierWorkflow, EngineError, MessageNotExpectedError, frozen_at, parse_process
from app.engine.feel import FeelError, unary_test
from app.engine.findings import Source

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
FORM_IDS = {json.loads(p.read_text(encoding="utf-8"))["id"] for p in (CORPUS / "forms").glob("*.form")}
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def spec(bpmn: bytes, name: str = "inline.bpmn", dmn: tuple[Path, ...] = ()) -> str:
    return parse_process(bpmn, name, form_ids=FORM_IDS, topics=set(),
                         dmn=[Source.read(p, p.name) for p in dmn]).spec_json


def corpus_spec(name: str) -> str:
    return spec((CORPUS / name).read_bytes(), name, tuple(CORPUS.glob("*.dmn")))


class Flow:
    """A workflow saved and restored after every step, as the services do, on a frozen clock."""

    def __init__(self, spec_json: str, data: dict, now: datetime = T0):
        self.spec_json, self.key = spec_json, hashlib.sha256(spec_json.encode()).hexdigest()
        self.now = now
        with frozen_at(now):
            self.state = DossierWorkflow.start(self.key, lambda: spec_json, data).dump()

    @property
    def wf(self) -> DossierWorkflow:
        return DossierWorkflow.restore(self.key, lambda: self.spec_json, self.state)

    def do(self, action) -> object:
        wf = self.wf
        with frozen_at(self.now):
            result = action(wf)
        self.state = wf.dump()
        return result

    def complete(self, bpmn_id: str, data: dict | None = None, assignee: str | None = None) -> None:
        task = next(t for t in self.wf.ready_user_tasks() if t.bpmn_id == bpmn_id
                    and (assignee is None or t.assignee == assignee))
        self.do(lambda wf: wf.complete(task.task_id, data or {}))

    def advance(self, delta: timedelta) -> None:
        self.now += delta
        self.do(lambda wf: wf.fire_due_timers())

    def ready(self) -> list[str]:
        return sorted(t.bpmn_id for t in self.wf.ready_user_tasks())


APPLICATION = {"business_name": "Quán Tô Hiệu", "business_line": "retail", "capital_vnd": 5, "copies_requested": 2,
               "needs_fire_check": False, "needs_environment_check": False}


# Multi-instance user tasks ----------------------------------------------------------------------------------------

def test_each_instance_sees_its_own_element_variable_and_the_collection_is_left_alone():
    flow = Flow(corpus_spec("corpus_multi_instance.bpmn"), APPLICATION)
    flow.complete("assign_reviewers", {"reviewers": ["chuyenvien.tohieu", "lanhdao.tohieu", "motcua.tohieu"]})
    tasks = flow.wf.ready_user_tasks()
    assert sorted(t.assignee for t in tasks) == ["chuyenvien.tohieu", "lanhdao.tohieu", "motcua.tohieu"]
    seen = {flow.wf.task_data(t.task_id)["reviewer"]: flow.wf.task_data(t.task_id)["loopCounter"] for t in tasks}
    assert seen == {"chuyenvien.tohieu": 0, "lanhdao.tohieu": 1, "motcua.tohieu": 2}


def test_completions_set_process_variables_last_one_wins_and_the_condition_cancels_the_rest():
    flow = Flow(corpus_spec("corpus_multi_instance.bpmn"), APPLICATION)
    flow.complete("assign_reviewers", {"reviewers": ["chuyenvien.tohieu", "lanhdao.tohieu", "motcua.tohieu"]})
    flow.complete("review", {"opinion": "disagree", "opinion_note": "thiếu"}, assignee="lanhdao.tohieu")
    assert flow.ready() == ["review", "review"]
    flow.complete("review", {"opinion": "agree"}, assignee="chuyenvien.tohieu")  # 2 of 3: ${nrOf… >= 2}
    assert flow.ready() == ["stamp_copy", "stamp_copy"]  # loopCardinality ${copies_requested}
    data = flow.wf.data()
    assert data["opinion"] == "agree" and data["opinion_note"] == "thiếu"
    assert data["reviewers"] == ["chuyenvien.tohieu", "lanhdao.tohieu", "motcua.tohieu"]
    assert "reviewer" not in data and "loopCounter" not in data  # local to each instance, as in Camunda 7
    flow.complete("stamp_copy")
    flow.complete("stamp_copy")
    assert flow.wf.completed and flow.wf.reached_end_events() == ["end_returned"]


SEQUENTIAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="seq" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="procedure_code" value="T.SEQ" /><camunda:property name="procedure_name" value="Seq" />
      <camunda:property name="processing_working_days" value="1" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sign" />
    <bpmn:userTask id="sign" camunda:candidateGroups="leader" camunda:assignee="${signer}">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopDataInputRef>signers</bpmn:loopDataInputRef>
        <bpmn:inputDataItem name="signer" />
        <bpmn:completionCondition>${nrOfCompletedInstances/nrOfInstances &gt;= 0.6}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_sequential_instances_over_the_bpmn_spelling_of_a_collection_stop_at_the_completion_condition():
    flow = Flow(spec(SEQUENTIAL), {"signers": ["a", "b", "c", "d", "e"]})
    order = []
    while flow.wf.ready_user_tasks():
        (task,) = flow.wf.ready_user_tasks()
        order.append(task.assignee)
        flow.complete("sign", {"signed_by": task.assignee})
    assert order == ["a", "b", "c"]  # 3/5 >= 0.6, as Camunda 7's own test of this shape expects
    assert flow.wf.completed and flow.wf.data()["signed_by"] == "c"


# Messages --------------------------------------------------------------------------------------------------------

def test_a_correlated_message_sets_its_variables_and_a_message_nothing_waits_for_is_refused():
    flow = Flow(corpus_spec("corpus_message.bpmn"), APPLICATION)
    flow.complete("check_dossier", {"reception_outcome": "receive"})
    assert [(m.bpmn_id, m.name) for m in flow.wf.waiting_messages()] == [("wait_payment", "payment_received")]
    with pytest.raises(MessageNotExpectedError, match="waiting for: payment_received"):
        flow.do(lambda wf: wf.correlate("dossier_withdrawn", {}))
    assert flow.do(lambda wf: wf.correlate("payment_received", {"paid_amount": 100000})) == ["wait_payment"]
    assert flow.ready() == ["appraise"] and flow.wf.data()["paid_amount"] == 100000
    assert "wait_payment_Response" not in flow.wf.data()  # Spiff's own Camunda flavour would put it there
    assert [m.name for m in flow.wf.waiting_messages()] == ["dossier_withdrawn"]  # the boundary event


def test_an_interrupting_message_boundary_event_cancels_its_task():
    flow = Flow(corpus_spec("corpus_message.bpmn"), APPLICATION)
    flow.complete("check_dossier", {"reception_outcome": "receive"})
    flow.do(lambda wf: wf.correlate("payment_received", {}))
    assert flow.do(lambda wf: wf.correlate("dossier_withdrawn", {"withdrawal_reason": "x"})) == ["withdrawn"]
    assert flow.ready() == [] and flow.wf.completed and flow.wf.reached_end_events() == ["end_withdrawn"]


# Business rule tasks and FEEL cells --------------------------------------------------------------------------------

def _rule_task(mapping: str | None) -> bytes:
    result = f' camunda:resultVariable="route" camunda:mapDecisionResult="{mapping}"' if mapping else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="rules" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="procedure_code" value="T.RULES" /><camunda:property name="procedure_name" value="Rules" />
      <camunda:property name="processing_working_days" value="1" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide" />
    <bpmn:businessRuleTask id="decide" camunda:decisionRef="corpus_route"{result} />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="look" />
    <bpmn:userTask id="look" camunda:candidateGroups="leader" />
    <bpmn:sequenceFlow id="f3" sourceRef="look" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.mark.parametrize(("mapping", "line", "capital", "expected"), [
    ("singleEntry", "food", 5, "inspection"),
    ("singleEntry", "food", 2_000_000_000, "council"),  # FIRST: the first matching rule wins
    ("singleEntry", "retail", 5, "fast"),                 # not("food","drink")
    ("singleEntry", "food", -5, None),                    # no rule matches: null, as in Camunda 7
    ("singleResult", "drink", 5, {"route": "inspection"}),
    ("collectEntries", "retail", 5, ["fast"]),
    ("resultList", "retail", 5, [{"route": "fast"}]),
    (None, "retail", 5, "fast"),                          # no resultVariable: the output column is a variable
])
def test_the_decision_result_is_stored_as_camunda_maps_it(mapping, line, capital, expected):
    flow = Flow(spec(_rule_task(mapping), dmn=(CORPUS / "corpus_route.dmn",)),
                {"business_line": line, "capital_vnd": capital})
    (look,) = flow.wf.ready_user_tasks()
    assert flow.wf.task_data(look.task_id)["route"] == expected


def test_collect_returns_every_matching_rule_and_a_mapping_the_result_does_not_fit_fails_naming_the_task(tmp_path):
    path = tmp_path / "corpus_route.dmn"
    path.write_text((CORPUS / "corpus_route.dmn").read_text(encoding="utf-8").replace(
        'hitPolicy="FIRST"', 'hitPolicy="COLLECT"'), encoding="utf-8")
    big_shop = {"business_line": "retail", "capital_vnd": 2_000_000_000}  # rules 1 and 3 match
    flow = Flow(spec(_rule_task("collectEntries"), dmn=(path,)), big_shop)
    assert flow.wf.task_data(flow.wf.ready_user_tasks()[0].task_id)["route"] == ["council", "fast"]
    with pytest.raises(EngineError, match="singleEntry needs at most one matching rule, 2 matched") as caught:
        Flow(spec(_rule_task("singleEntry"), dmn=(path,)), big_shop)
    assert caught.value.element_id == "decide"


@pytest.mark.parametrize(("cell", "python"), [
    ("-", None), ("", None), ('"food"', '? == ("food")'), ('"a","b"', '(? == ("a")) or (? == ("b"))'),
    ("< 10", "? < (10)"), (">= limit", "? >= (limit)"), ("[1..5]", "(1) <= ? <= (5)"), ("]1..5[", "(1) < ? < (5)"),
    ("(1..5]", "(1) < ? <= (5)"), ('not("a","b")', 'not ((? == ("a")) or (? == ("b")))'), ('"a,b"', '? == ("a,b")'),
])
def test_feel_input_cells_become_engine_expressions(cell, python):
    assert unary_test(cell) == python


@pytest.mark.parametrize("cell", ["not(-)", "? > 3", '"a",,"b"'])
def test_feel_input_cells_outside_the_subset_are_refused(cell):
    with pytest.raises(FeelError):
        unary_test(cell)


# Event subprocesses and cycles -----------------------------------------------------------------------------------

def test_a_waiting_event_subprocess_timer_ends_with_the_process():
    flow = Flow(corpus_spec("corpus_event_subprocess.bpmn"), APPLICATION)
    assert [t.bpmn_id for t in flow.wf.pending_timers()] == ["reminder_start"]
    flow.complete("check_dossier", {"reception_outcome": "receive"})
    flow.complete("appraise", {"opinion": "agree"})
    flow.complete("approve", {"decision": "approve"})
    assert flow.wf.completed and flow.wf.pending_timers() == []  # Spiff alone would wait for the timer forever


def test_a_started_event_subprocess_is_waited_for_and_its_cycle_stops_after_its_repetitions():
    flow = Flow(corpus_spec("corpus_event_subprocess.bpmn"), APPLICATION)
    flow.complete("check_dossier", {"reception_outcome": "receive"})
    flow.advance(timedelta(days=1, seconds=1))
    assert flow.ready() == ["appraise", "follow_up"]
    assert [t.due_at for t in flow.wf.pending_timers()] == [T0 + timedelta(days=2)]  # R2/P1D: once more
    flow.advance(timedelta(days=1))
    assert flow.ready() == ["appraise", "follow_up", "follow_up"] and flow.wf.pending_timers() == []
    flow.complete("appraise", {"opinion": "agree"})
    flow.complete("approve", {"decision": "approve"})
    assert not flow.wf.completed and flow.ready() == ["follow_up", "follow_up"]  # Camunda waits for them too
    flow.complete("follow_up")
    flow.complete("follow_up")
    assert flow.wf.completed and sorted(flow.wf.reached_end_events()) == ["end_handled", "reminder_end",
                                                                          "reminder_end"]


def test_an_intermediate_timer_waits_its_duration():
    flow = Flow(corpus_spec("corpus_timer.bpmn"), APPLICATION)
    flow.complete("check_dossier", {"reception_outcome": "receive"})
    (timer,) = flow.wf.pending_timers()
    assert (timer.bpmn_id, timer.due_at) == ("wait_posting", T0 + timedelta(hours=2))
    flow.advance(timedelta(hours=1))
    assert flow.ready() == []
    flow.advance(timedelta(hours=1, microseconds=1))
    assert flow.ready() == ["appraise"]


# Another agency's task ---------------------------------------------------------------------------------------------

def test_a_task_names_the_agency_that_does_it():
    flow = Flow(corpus_spec("corpus_parallel.bpmn"), APPLICATION)
    flow.complete("check_dossier", {"reception_outcome": "receive"})
    agencies = {t.bpmn_id: t.agency_code for t in flow.wf.ready_user_tasks()}
    assert agencies == {"appraise_commune": None, "consult_mai_son": "H54.10.06"}
