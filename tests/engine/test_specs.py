"""Deploy-time refusals name the file, the line and the element, so a designer can act on them."""
from pathlib import Path

import pytest

from app.engine import ProcessDefinitionError, parse_process

TWO_STEP = (Path(__file__).parents[1] / "data" / "two_step.bpmn").read_text()


def _parse(text: str, topics=frozenset({"deadline_warning"}), form_ids=frozenset()):
    return parse_process(text.encode(), "broken.bpmn", form_ids=set(form_ids), topics=set(topics))


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_malformed_xml_is_refused_with_its_line():
    broken = TWO_STEP.replace('<bpmn:endEvent id="end_no" />', '<bpmn:endEvent id="end_no">')
    with pytest.raises(ProcessDefinitionError) as caught:
        _parse(broken)
    line = _line_of(broken, "</bpmn:process>")  # where the parser finds the unclosed endEvent
    assert caught.value.file == "broken.bpmn" and caught.value.line == line
    assert str(caught.value).startswith(f"broken.bpmn:{line}: ") and "not well-formed" in str(caught.value)


def test_bad_condition_is_refused_with_element_and_line():
    broken = TWO_STEP.replace("${approved &amp;&amp; !blocked}", "${approved ==}")
    with pytest.raises(ProcessDefinitionError) as caught:
        _parse(broken)
    assert caught.value.element_id == "f_yes"
    assert caught.value.line == _line_of(broken, "${approved ==}")


def test_unregistered_topic_is_refused():
    with pytest.raises(ProcessDefinitionError, match="no handler is registered") as caught:
        _parse(TWO_STEP, topics=set())
    assert caught.value.element_id == "notify" and caught.value.line == _line_of(TWO_STEP, 'id="notify"')


def test_unknown_form_reference_is_refused():
    broken = TWO_STEP.replace('name="Review"', 'name="Review" camunda:formRef="form_review"')
    with pytest.raises(ProcessDefinitionError, match="form_review") as caught:
        _parse(broken)
    assert caught.value.element_id == "review"


def test_script_task_is_refused():
    broken = TWO_STEP.replace('<bpmn:endEvent id="end_no" />',
                              '<bpmn:endEvent id="end_no" /><bpmn:scriptTask id="evil"><bpmn:script>'
                              "import os</bpmn:script></bpmn:scriptTask>")
    with pytest.raises(ProcessDefinitionError, match="script tasks") as caught:
        _parse(broken)
    assert caught.value.element_id == "evil"


def test_camunda_8_model_is_refused():
    zeebe = TWO_STEP.replace('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
                             'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                             'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"')
    with pytest.raises(ProcessDefinitionError, match="Camunda 8"):
        _parse(zeebe)


def test_flow_to_a_missing_element_is_refused_naming_it():
    broken = TWO_STEP.replace('targetRef="end_no"', 'targetRef="end_nowhere"')
    with pytest.raises(ProcessDefinitionError, match="'end_nowhere'") as caught:
        _parse(broken)
    assert caught.value.element_id == "f_no" and caught.value.line == _line_of(broken, "end_nowhere")
