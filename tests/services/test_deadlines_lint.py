"""Deploy-time checks of the time-limit properties, helpers in timer expressions, and each unit at reception."""
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.engine.findings import Source
from app.engine.lint import collect_library, lint
from app.extensions import db
from app.models import Officer
from app.services import dossiers
from app.services.procedures import DeployError, deploy_processes
from tests.services.test_dossiers import _file


def process(properties: dict[str, str], body: str = '<bpmn:startEvent id="s" />') -> Source:
    props = "".join(f'<camunda:property name="{k}" value="{v}" />' for k, v in
                    {"procedure_code": "T.L", "procedure_name": "L", **properties}.items())
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/'
            'MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
            'instance" id="d" targetNamespace="t">\n<bpmn:process id="ho_tich_1" isExecutable="true">'
            f'<bpmn:extensionElements><camunda:properties>{props}</camunda:properties></bpmn:extensionElements>\n'
            f'{body}</bpmn:process></bpmn:definitions>')
    return Source("inline.bpmn", text.encode())


def findings(source: Source, functions=None) -> list[tuple[str | None, str, str]]:
    library = collect_library([source], topics=[], functions=functions)
    return [(f.element_id, f.rule, f.message) for f in lint([source], library)]


@pytest.mark.parametrize("properties", [
    {"processing_working_days": "3"},
    {"time_limit_unit": "working_days", "time_limit": "3"},
    {"time_limit_unit": "working_hours", "time_limit": "1"},
    {"time_limit_unit": "calendar_days", "time_limit": "15"},
    {"time_limit_unit": "same_day"},
])
def test_valid_time_limits_pass(properties):
    assert findings(process(properties)) == []


@pytest.mark.parametrize(("properties", "message"), [
    ({"time_limit_unit": "ngay", "time_limit": "3"}, "time_limit_unit 'ngay' is not one of"),
    ({"time_limit_unit": "working_days", "time_limit": "ba"}, "time_limit must be a whole number, not 'ba'"),
    ({"processing_working_days": "3,5"}, "processing_working_days must be a whole number"),
    ({"time_limit_unit": "calendar_days"}, "time limit missing"),
    ({}, "time limit missing"),
    ({"time_limit": "2", "processing_working_days": "3"}, "disagree"),
])
def test_bad_time_limits_are_errors_naming_the_process(properties, message):
    [(element_id, rule, text)] = findings(process(properties))
    assert (element_id, rule) == ("ho_tich_1", "time-limit")
    assert "process 'ho_tich_1'" in text and message in text


def test_deploy_refuses_an_unknown_unit(ctx, designer_dirs):
    processes, forms = designer_dirs
    bpmn = processes / "household_business_registration.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace('value="working_days"', 'value="weeks"'),
                    encoding="utf-8")
    with pytest.raises(DeployError, match="time_limit_unit 'weeks'"):
        deploy_processes(processes, forms, now=datetime.now(UTC))


TIMER = ('<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />'
         '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t"><bpmn:timeDate '
         'xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDate></bpmn:timerEventDefinition>'
         '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e" />'
         '<bpmn:endEvent id="e" />')


def test_timer_expressions_may_call_the_calendar_helpers(ctx):
    for expression in ("${add_working_days(dossier_due_at, -1)}", "${add_working_hours(received_at, 8)}"):
        assert findings(process({"time_limit": "3"}, TIMER.format(expression))) == []


def test_an_unknown_function_in_a_timer_is_still_refused(ctx):
    result = findings(process({"time_limit": "3"}, TIMER.format("${add_business_days(received_at, 2)}")))
    assert [rule for _, rule, _ in result] == ["expression-function"]
    assert "add_business_days" in result[0][2]


# --- each unit at reception: the stored due time and the diagram's dossier_due_at --------------------------

@pytest.mark.parametrize(("properties", "due_at"), [
    ({"time_limit_unit": "working_days", "processing_working_days": "3"}, datetime(2026, 2, 24, 10, 0, tzinfo=UTC)),
    ({"time_limit_unit": "working_hours", "time_limit": "1"}, datetime(2026, 2, 13, 2, 30, tzinfo=UTC)),  # Fri 09:30
    ({"time_limit_unit": "calendar_days", "time_limit": "3"}, datetime(2026, 2, 23, 10, 0, tzinfo=UTC)),
    ({"time_limit_unit": "same_day"}, datetime(2026, 2, 12, 10, 0, tzinfo=UTC)),
])
def test_reception_counts_in_the_versions_unit(ctx, properties, due_at):
    received_at = datetime(2026, 2, 12, 4, 0, tzinfo=UTC)  # Thu 12/2/2026 11:00, just before Tết
    dossier = _file(now=received_at)
    version = dossier.process_version
    definition = dict(version.definition)
    catalogue = {k: v for k, v in definition["catalogue"].items()
                 if k not in ("time_limit_unit", "processing_working_days")}
    version.definition_json = json.dumps({**definition, "catalogue": {**catalogue, **properties}})
    officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
    dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=officer,
                                values={"reception_outcome": "receive"}, now=received_at)
    assert dossier.due_at == due_at
    assert any(e.kind == "received" and e.data.get("due_at") == due_at.isoformat() for e in dossier.events)
