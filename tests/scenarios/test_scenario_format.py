"""The scenario format: a mistake is refused before anything runs, naming the file and the step."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.scenarios import ScenarioFormatError, load_scenario, parse_scenario
from app.scenarios.format import parse_duration

START = {"as": "014090001234", "agency": "H54.10.01", "data": {}}


def scenario(*steps, **top):
    return {"procedure": "1.001612", "start": START, "steps": list(steps), **top}


def refusal(raw) -> str:
    with pytest.raises(ScenarioFormatError) as caught:
        parse_scenario(raw, name="demo.json")
    return str(caught.value)


def test_a_valid_scenario_becomes_typed_steps():
    parsed = parse_scenario(scenario(
        {"expect": {"status": "submitted", "tasks": ["check_dossier"]}},
        {"complete": "check_dossier", "as": "motcua.tohieu", "data": {"reception_outcome": "receive"}},
        {"advance": "P1DT2H30M"},
        {"message": "payment_received", "data": {"amount": 100000}},
        {"complete": "check_dossier", "as": "motcua.tohieu", "expect_error": "Chỉ được"},
        now="2026-06-01T09:00:00+07:00"))
    assert [s.kind for s in parsed.steps] == ["expect", "complete", "advance", "message", "complete"]
    assert [s.number for s in parsed.steps] == [1, 2, 3, 4, 5]
    assert parsed.steps[1].text == "complete check_dossier as motcua.tohieu"
    assert parsed.steps[2].duration == timedelta(days=1, hours=2, minutes=30)
    assert parsed.steps[4].expect_error == "Chỉ được"
    assert parsed.now == datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    assert parsed.start.actor == "014090001234" and parsed.start.agency == "H54.10.01"


@pytest.mark.parametrize(("step", "says"), [
    ({"exepct": {"status": "submitted"}}, "step 2: a step has exactly one of: expect, complete, advance, message"),
    ({"expect": {"status": "submitted"}, "advance": "P1D"}, "step 2: a step has exactly one of"),
    ({"complete": "check_dossier"}, 'step 2: complete needs "as"'),
    ({"complete": "check_dossier", "as": "motcua.tohieu", "date": {}}, "step 2: unknown key(s) date in a complete"),
    ({"complete": "check_dossier", "as": "motcua.tohieu", "data": "receive"}, 'step 2: complete: "data" must be'),
    ({"expect": {}}, "step 2: expect needs at least one of"),
    ({"expect": {"task": ["check_dossier"]}}, "step 2: unknown expectation(s) task"),
    ({"expect": {"status": "done"}}, "step 2: status 'done' is not one of: submitted"),
    ({"expect": {"tasks": "check_dossier"}}, "step 2: tasks must be a list of strings"),
    ({"expect": {"due_in_working_days": "3"}}, "step 2: due_in_working_days must be a whole number"),
    ({"expect": {"due_at": "2026-06-04T17:00:00"}}, "step 2: '2026-06-04T17:00:00' has no UTC offset"),
    ({"advance": "3 days"}, "step 2: advance takes an ISO 8601 duration"),
    ({"advance": "P1M"}, "step 2: advance takes an ISO 8601 duration"),
    ({"message": ""}, "step 2: message names the BPMN message"),
    ({"complete": "x", "as": "y", "expect_error": ""}, "step 2: expect_error must be"),
    ("advance P1D", "step 2: a step is an object"),
])
def test_a_bad_step_is_refused_naming_its_number(step, says):
    message = refusal(scenario({"expect": {"status": "submitted"}}, step))
    assert message.startswith("demo.json: ") and says in message, message


@pytest.mark.parametrize(("raw", "says"), [
    ([], "a scenario is a JSON object"),
    ({"procedure": "1.001612", "start": START}, '"steps" must be a non-empty list'),
    ({"start": START, "steps": [{"advance": "P1D"}]}, '"procedure" must be the procedure code'),
    ({"procedure": "1.001612", "steps": [{"advance": "P1D"}]}, '"start" must be an object'),
    (scenario({"advance": "P1D"}, start={"agency": "H54.10.01"}), 'start: "as" must be'),
    (scenario({"advance": "P1D"}, start={**START, "user": "x"}), "start: unknown key(s) user"),
    (scenario({"advance": "P1D"}, now="2026-06-01T09:00:00"), "has no UTC offset"),
    (scenario({"advance": "P1D"}, clock="x"), "unknown key(s) clock"),
])
def test_a_bad_scenario_is_refused_saying_what_is_wrong(raw, says):
    assert says in refusal(raw)


def test_a_file_that_is_not_json_is_refused_with_its_name(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"procedure": "1.001612",', encoding="utf-8")
    with pytest.raises(ScenarioFormatError, match=r"^broken\.json: cannot read the scenario"):
        load_scenario(path)


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(scenario({"advance": "PT4H"})), encoding="utf-8")
    assert load_scenario(path).steps[0].duration == timedelta(hours=4)


@pytest.mark.parametrize(("text", "duration"), [
    ("P3D", timedelta(days=3)), ("PT4H", timedelta(hours=4)), ("P1W", timedelta(weeks=1)),
    ("PT90M", timedelta(minutes=90)), ("PT0.5S", timedelta(seconds=0.5)), ("P1DT1H", timedelta(days=1, hours=1)),
])
def test_durations(text, duration):
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "P1Y", "P2M", "3D", "", None, 3])
def test_durations_refused(text):
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        parse_duration(text)
