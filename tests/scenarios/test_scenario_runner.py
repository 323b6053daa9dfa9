"""``flask procedures test``: ✓/✗ lines, the first unmet step stops a scenario, the exit status says it all."""
import json
from pathlib import Path

import pytest

from app.scenarios.cli import test_command as scenario_command
from config import BASE_DIR

HAPPY = BASE_DIR / "processes" / "scenarios" / "household_business_registration.happy_path.json"
START = json.loads(HAPPY.read_text(encoding="utf-8"))["start"]
RECEIVE = {"complete": "check_dossier", "as": "motcua.tohieu", "data": {"reception_outcome": "receive"}}


def write(tmp_path: Path, *steps, name="demo.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"procedure": "1.001612", "description": "demo", "start": START,
                                "steps": list(steps)}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def run(app):
    """Invoke the command like ``flask procedures test ARGS`` and return (exit code, output lines)."""
    def invoke(*args: Path | str):
        result = app.test_cli_runner().invoke(scenario_command, [str(a) for a in args])
        return result.exit_code, result.output.splitlines()
    return invoke


def test_a_passing_scenario_prints_each_step_and_exits_0(run):
    code, lines = run(HAPPY)
    assert code == 0, "\n".join(lines)
    assert any("✓ complete check_dossier as motcua.tohieu → awaiting_supplement" in line for line in lines)
    assert any("✓ start 1.001612 as 014090001234 at H54.10.01: dossier H54.10.01-260601-0001" in line
               for line in lines)
    assert lines[-1] == "1 of 1 scenarios passed"


def test_an_unmet_expectation_prints_a_cross_stops_and_exits_1(run, tmp_path):
    path = write(tmp_path, RECEIVE, {"expect": {"tasks": ["approve_dossier"], "status": "handled"}},
                 {"complete": "appraise_dossier", "as": "chuyenvien.tohieu", "data": {}})
    code, lines = run(path)
    assert code == 1
    assert "    2 ✗ expect status: wanted handled got in_progress" in lines
    assert "    2 ✗ expect tasks: wanted [approve_dossier] got [appraise_dossier]" in lines
    assert not any(line.lstrip().startswith("3 ") for line in lines)  # stopped at the first unmet step
    assert lines[-1] == "0 of 1 scenarios passed"


def test_other_scenarios_still_run_after_one_fails(run, tmp_path):
    write(tmp_path, {"expect": {"status": "handled"}}, name="a.json")
    write(tmp_path, {"expect": {"status": "submitted"}}, name="b.json")
    code, lines = run(tmp_path)
    assert code == 1 and lines[-1] == "1 of 2 scenarios passed"
    assert "    1 ✓ expect status submitted" in lines


def test_invalid_form_values_fail_like_a_user_submission(run, tmp_path):
    path = write(tmp_path, {"complete": "check_dossier", "as": "motcua.tohieu",
                            "data": {"reception_outcome": "supplement"}})
    code, lines = run(path)
    assert code == 1
    assert any(line.startswith("    1 ✗ complete check_dossier as motcua.tohieu: invalid form values: missing_items")
               for line in lines), lines


def test_a_field_the_form_lacks_is_named(run, tmp_path):
    code, lines = run(write(tmp_path, {"complete": "check_dossier", "as": "motcua.tohieu",
                                       "data": {"reception_outcom": "receive"}}))
    assert code == 1
    assert any("form form_check_dossier has no field reception_outcom (fields: reception_outcome" in line
               for line in lines), lines


@pytest.mark.parametrize(("step", "says"), [
    ({**RECEIVE, "expect_error": "Chỉ được yêu cầu bổ sung"},
     ("    1 ✗ complete check_dossier as motcua.tohieu: wanted an error containing 'Chỉ được yêu cầu bổ sung', "
      "but it succeeded")),
    ({**RECEIVE, "as": "chuyenvien.tohieu", "expect_error": "Chỉ được"},
     "    1 ✗ complete check_dossier as chuyenvien.tohieu: wanted an error containing 'Chỉ được', got: Bạn không"),
    ({**RECEIVE, "as": "nobody"}, "no officer with username 'nobody'"),
    ({"complete": "approve_dossier", "as": "lanhdao.tohieu", "data": {"decision": "approve"}},
     "no ready task 'approve_dossier' (ready: check_dossier)"),
    ({"message": "payment_received", "data": {"paid": True}},
     "    1 ✗ message payment_received: no event waits for message 'payment_received' (waiting for: no message)"),
])
def test_refusals_and_mistakes_are_reported(run, tmp_path, step, says):
    code, lines = run(write(tmp_path, step))
    assert code == 1
    assert any(says in line for line in lines), lines


def test_an_expected_refusal_passes_and_changes_nothing(run, tmp_path):
    code, lines = run(write(tmp_path, {**RECEIVE, "as": "lanhdao.tohieu", "expect_error": "không có quyền"},
                            {"expect": {"status": "submitted", "tasks": ["check_dossier"],
                                        "no_events": ["received", "task_completed"]}}))
    assert code == 0, "\n".join(lines)
    assert any("✓ complete check_dossier as lanhdao.tohieu: refused as expected" in line for line in lines)


def test_a_bad_step_is_reported_with_its_number_and_nothing_runs(run, tmp_path):
    code, lines = run(write(tmp_path, {"expect": {"status": "submitted"}}, {"advance": "P1M"}))
    assert code == 1
    assert lines[0].startswith("✗ demo.json: step 2: advance takes an ISO 8601 duration")
    assert not any("✓" in line for line in lines)


def test_a_citizen_must_file_the_dossier(run, tmp_path):
    path = tmp_path / "officer.json"
    path.write_text(json.dumps({"procedure": "1.001612", "start": {**START, "as": "motcua.tohieu"},
                                "steps": [{"expect": {"status": "submitted"}}]}), encoding="utf-8")
    code, lines = run(path)
    assert code == 1
    assert "      ✗ start 1.001612 as motcua.tohieu at H54.10.01: motcua.tohieu is an officer; a dossier is filed by " \
        "a citizen" in lines


def test_advance_fires_each_timer_at_its_own_due_time(run, tmp_path):
    code, lines = run(write(tmp_path, RECEIVE, {"advance": "P7D"},
                            {"expect": {"tasks": ["appraise_dossier", "write_apology"],
                                        "events": ["deadline_warning"], "due_in_working_days": 3}}))
    assert code == 0, "\n".join(lines)
    assert "    2 ✓ advance P7D → 08/06/2026 09:00 (+07:00) · fired timer_due_soon, timer_overdue" in lines


def test_no_argument_runs_the_processes_scenarios_folder(run):
    code, lines = run()
    assert code == 0, "\n".join(lines)
    assert lines[-1].endswith("scenarios passed") and not lines[-1].startswith("0 of")


def test_an_empty_folder_is_a_failure(run, tmp_path):
    code, lines = run(tmp_path)
    assert code == 1 and lines[0].startswith("✗ no scenario files")
