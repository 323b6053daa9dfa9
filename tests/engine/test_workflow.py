"""DossierWorkflow on a tiny diagram: start, ready tasks as dataclasses, timers, service tasks, persistence."""
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.engine import DossierWorkflow, EngineError, TaskNotReadyError, parse_process

TWO_STEP = Path(__file__).parents[1] / "data" / "two_step.bpmn"


@pytest.fixture(scope="module")
def parsed():
    return parse_process(TWO_STEP.read_bytes(), TWO_STEP.name, form_ids=set(), topics={"deadline_warning"})


def test_parser_keeps_what_stock_spiff_drops_and_assignment_is_evaluated(parsed):
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json,
                               {"remind_at": _in(3600), "reviewer": "chuyenvien.tohieu"})
    (task,) = wf.ready_user_tasks()
    assert (task.bpmn_id, task.candidate_groups, task.assignee) == ("review", ("specialist", "leader"),
                                                                    "chuyenvien.tohieu")
    assert task.properties["assignee"] == "${reviewer}"
    assert parsed.catalogue["procedure_code"] == "T.0001"
    assert parsed.element_properties["end_yes"] == {"dossier_status": "handled"}


def test_instance_json_round_trip_keeps_tasks_and_timers(parsed):
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json, {"remind_at": _in(3600), "reviewer": "x"})
    state = wf.dump()
    assert '"spec"' not in state[:200] and len(state) < 10_000
    restored = DossierWorkflow.restore("two_step", lambda: parsed.spec_json, state)
    assert [t.task_id for t in restored.ready_user_tasks()] == [t.task_id for t in wf.ready_user_tasks()]
    assert restored.pending_timers() == wf.pending_timers()
    assert restored.dump() == state


def test_timer_due_time_is_frozen_from_data(parsed):
    due = datetime.now(UTC) + timedelta(hours=5)
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json, {"remind_at": due.isoformat(), "reviewer": "x"})
    (timer,) = wf.pending_timers()
    assert (timer.bpmn_id, timer.due_at) == ("remind", due)


def test_due_timer_parks_service_task_until_handler_completes_it(parsed):
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json, {"remind_at": _in(3600), "reviewer": "x"})
    wf = DossierWorkflow.restore("two_step", lambda: parsed.spec_json, wf.dump().replace(_frozen(wf), _in(-1)))
    wf.fire_due_timers()
    (call,) = wf.started_service_tasks()
    assert call.topic == "deadline_warning" and wf.pending_timers() == []
    wf.complete_service_task(call.task_id, {"warned": True})
    assert wf.started_service_tasks() == [] and [t.bpmn_id for t in wf.ready_user_tasks()] == ["review"]


def test_gateway_condition_in_juel_picks_the_path(parsed):
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json, {"remind_at": _in(3600), "reviewer": "x"})
    wf.complete(wf.ready_user_tasks()[0].task_id, {"approved": True, "blocked": False})
    assert wf.completed and wf.reached_end_events() == ["end_yes"]


def test_completing_a_task_twice_is_refused(parsed):
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json, {"remind_at": _in(3600), "reviewer": "x"})
    task_id = wf.ready_user_tasks()[0].task_id
    wf.complete(task_id, {"approved": False, "blocked": False})
    with pytest.raises(TaskNotReadyError):
        wf.complete(task_id, {})
    with pytest.raises(TaskNotReadyError):
        wf.complete("not-a-uuid", {})


def test_expression_failure_surfaces_as_engine_error_naming_the_element(parsed):
    wf = DossierWorkflow.start("two_step", lambda: parsed.spec_json, {"remind_at": _in(3600), "reviewer": "x"})
    with pytest.raises(EngineError) as caught:
        wf.complete(wf.ready_user_tasks()[0].task_id, {"approved": True})  # `blocked` missing
    assert "blocked" in str(caught.value)


def _in(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def _frozen(wf) -> str:
    return wf.pending_timers()[0].due_at.isoformat()


def test_assignment_attributes_accept_literals_expressions_and_lists(parsed):
    from app.engine.tasks import _Resolver

    class FakeTask:
        data = {"reviewer": "a.b", "team": ["c.d", "e.f"], "due": "2026-12-03T17:00:00+07:00"}

    resolve = _Resolver(FakeTask())
    assert resolve.names("x.y, ${reviewer}, ${team}") == ("x.y", "a.b", "c.d", "e.f")
    assert resolve.moment("${due}") == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    with pytest.raises(EngineError, match="nobody"):
        resolve.names("${nobody}")
