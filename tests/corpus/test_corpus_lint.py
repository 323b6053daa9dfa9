"""Lint rules the corpus relies on, on small inline diagrams: complementary gateway conditions, collections."""
import pytest

from app.engine.findings import Source
from app.engine.lint import collect_library, lint

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n<bpmn:process id="p" '
        'isExecutable="true"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="procedure_code" value="T.L" /><camunda:property name="procedure_name" value="L" />'
        '<camunda:property name="processing_working_days" value="1" /></camunda:properties></bpmn:extensionElements>\n')


def findings(body: str) -> list[tuple[str | None, str]]:
    source = Source("inline.bpmn", (HEAD + body + "</bpmn:process></bpmn:definitions>").encode())
    return [(f.element_id, f.rule) for f in lint([source], collect_library([source], topics=[]))]


def gateway(first: str, second: str) -> str:
    return f"""<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="gw" />
<bpmn:exclusiveGateway id="gw" />
<bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="a"><bpmn:conditionExpression>{first}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="b"><bpmn:conditionExpression>{second}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:endEvent id="a" /><bpmn:endEvent id="b" />"""


@pytest.mark.parametrize(("first", "second"), [
    ("${approved}", "${!approved}"), ("#{approved}", "#{not approved}"), ("${score &gt; 5}", "${score &lt;= 5}"),
    ("${kind == 'a'}", "${kind != 'a'}"), ("${n lt 3}", "${n ge 3}"),
])
def test_two_conditions_that_negate_each_other_need_no_default_flow(first, second):
    assert findings(gateway(first, second)) == []


@pytest.mark.parametrize(("first", "second"), [
    ("${approved}", "${rejected}"), ("${score &gt; 5}", "${score &lt; 5}"), ("${a &gt; 5}", "${b &lt;= 5}"),
])
def test_other_pairs_still_need_a_default_flow(first, second):
    assert findings(gateway(first, second)) == [("gw", "gateway-no-default")]


@pytest.mark.parametrize(("collection", "expected"), [
    ('camunda:collection="reviewers"', []), ('camunda:collection="${reviewers}"', []),
    ('camunda:collection="#{ reviewers }"', []),
    ('camunda:collection="${reviewers.keys()}"', [("review", "expression-function")]),
    ('camunda:collection="${a}${b}"', [("review", "expression-syntax")]),
    ('camunda:collection="${a + b}"', [("review", "multi-instance")]),
])
def test_a_collection_names_a_variable(collection, expected):
    body = f"""<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="review" />
<bpmn:userTask id="review" camunda:candidateGroups="specialist" camunda:assignee="${{reviewer}}">
<bpmn:multiInstanceLoopCharacteristics {collection} camunda:elementVariable="reviewer" /></bpmn:userTask>
<bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="e" /><bpmn:endEvent id="e" />"""
    assert findings(body) == expected
