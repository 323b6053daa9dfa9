"""The procedure linter: each rule names file, line, element and severity; check and deploy agree.

Every negative file in tests/data/lint/ is listed with ALL the findings it must give (no more, no fewer),
each as (text on the reported line, element id, severity, rule). Forms have no line: the JSON path is the
element.
"""
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.engine import ProcessDefinitionError, parse_process
from app.engine.findings import Finding, Source
from app.engine.lint import RULES, collect_library, lint
from app.engine.specs import build_process
from app.procedures_check import check_command
from app.services.procedures import DeployError, check_procedures, deploy_processes
from config import BASE_DIR

DATA = Path(__file__).parents[1] / "data" / "lint"
TOPICS = {"deadline_warning"}
LIBRARY_FILES = ("fees.dmn", "forms/ok.form")

EXPECTED = {
    "camunda8_zeebe.bpmn": [("<bpmn:definitions", "Definitions_lint_zeebe", "error", "camunda8")],
    "camunda8_cloud.bpmn": [("<bpmn:definitions", "Definitions_lint_cloud", "error", "camunda8")],
    "activiti.bpmn": [("<bpmn:definitions", "Definitions_lint_activiti", "warning", "activiti-namespace")],
    "expressions.bpmn": [
        ('id="review"', "review", "error", "expression-syntax"),  # assignee ${owner ===}
        ('id="review"', "review", "error", "expression-syntax"),  # candidateUsers lead_${agency}
        ("${amount &gt;== 5}", "f_syntax", "error", "expression-syntax"),
        ("upper(name)", "f_function", "error", "expression-function"),
        ("name.startswith", "f_method", "error", "expression-function"),
        ('language="groovy"', "f_script", "error", "expression-syntax"),
        ("(lambda: 1)", "f_lambda", "error", "expression-syntax"),
        ("signers.keys()", "sign_each", "error", "expression-function"),  # camunda:collection
    ],
    "gateway_no_default.bpmn": [('id="gw"', "gw", "error", "gateway-no-default")],
    "gateway_overlap.bpmn": [('${"a" eq kind}', "f_a_again", "warning", "gateway-overlap"),
                             ('${kind == "c" &amp;&amp; urgent}', "f_c_urgent", "warning", "gateway-overlap")],
    "gateway_flow_without_condition.bpmn": [('id="f_plain"', "f_plain", "error", "gateway-flow-without-condition")],
    "timer_invalid.bpmn": [("5 minutes", "timer_words", "error", "timer-invalid"),
                           ("0 0 9 * * ?", "timer_cron", "error", "timer-invalid"),
                           (">P3D<", "timer_duration_as_date", "error", "timer-invalid"),
                           ("P${days}D", "timer_mixed", "error", "timer-invalid"),
                           ("${due_at +}", "timer_bad_expression", "error", "expression-syntax")],
    "timer_without_offset.bpmn": [(">2026-12-01T09:00:00<", "timer_naive_date", "error", "timer-without-offset"),
                                  ("R2/2026-12-01T09:00:00/P1D", "timer_naive_cycle", "error",
                                   "timer-without-offset")],
    "forms.bpmn": [("form_missing", "ref_unknown", "error", "form-ref-unknown"),
                   ("missing.form", "key_missing", "error", "form-key-missing"),
                   ("embedded:app", "key_embedded", "warning", "form-key-unsupported"),
                   ('id="typename"', "generated", "error", "form-data-field-id"),
                   ('id="2nd-choice"', "generated", "error", "form-data-field-id")],
    "form_data.bpmn": [('id="bad_binding"', "bad_binding", "error", "form-ref-binding"),
                       ('id="no_version"', "no_version", "error", "form-ref-binding"),
                       ('id="both"', "both", "warning", "form-ambiguous"),
                       ('type="double"', "fields", "error", "form-data-field"),
                       ('name="validator"', "fields", "error", "form-data-field"),
                       ('name="min"', "fields", "error", "form-data-field"),
                       ('config="many"', "fields", "error", "form-data-field"),
                       ('label="Name again"', "fields", "error", "form-data-field-id"),
                       ('defaultValue="other"', "fields", "error", "form-data-field"),
                       ('id="empty_choice"', "fields", "error", "form-data-field"),
                       ('defaultValue="${n}"', "fields", "error", "form-data-field"),
                       ('defaultValue="31/02/2026"', "fields", "error", "form-data-field"),
                       ("            <camunda:properties>", "fields", "warning", "form-data-properties")],
    "service_tasks.bpmn": [('id="java_class"', "java_class", "error", "service-task"),
                           ('id="no_topic"', "no_topic", "error", "service-task"),
                           ("send_sms", "unknown_topic", "error", "service-task"),
                           ('id="script"', "script", "error", "script-task")],
    "unsupported.bpmn": [("complexGateway", "complex", "error", "unsupported-construct"),
                         ("compensateEventDefinition", "compensate_pay", "error", "unsupported-construct"),
                         ("isForCompensation", "refund", "error", "unsupported-construct"),
                         ('transaction id="booking"', "booking", "error", "unsupported-construct")],
    "ignored_extensions.bpmn": [("executionListener", "start", "warning", "listener-ignored"),
                                ("taskListener", "review", "warning", "listener-ignored"),
                                ("<camunda:inputOutput>", "review", "warning", "io-mapping-ignored")],
    "call_activity_io.bpmn": [("<bpmn:callActivity", "call_other", "error", "call-activity")],  # lint_elsewhere
    "call_activity_errors.bpmn": [
        ('id="call_expression"', "call_expression", "error", "call-activity"),  # ${which_process}
        ('id="call_versioned"', "call_versioned", "error", "call-activity"),  # binding version
        ('id="call_versioned"', "call_versioned", "error", "call-activity"),  # camunda:in without target
        ('id="call_versioned"', "call_versioned", "error", "call-activity"),  # sourceExpression upper(x)
        ('id="call_procedure"', "call_procedure", "error", "call-activity"),  # a procedure, not callable
        ('id="call_procedure"', "call_procedure", "warning", "call-activity"),  # no camunda:in
        ('id="call_pong"', "call_pong", "error", "call-activity"),  # cycle lint_ping → lint_pong → lint_ping
        ('id="call_ping"', "call_ping", "error", "call-activity")],  # the same cycle, from the other side
    "timer_start.bpmn": [('id="start_duration"', "start_duration", "error", "timer-invalid"),  # a duration
                         ('id="start_duration"', "start_duration", "error", "unsupported-construct"),  # 2 starts
                         ('id="start_expression"', "start_expression", "error", "timer-invalid"),  # ${report_cycle}
                         ('id="start_expression"', "start_expression", "error", "unsupported-construct"),  # called
                         ('id="start_cron_last_day"', "start_cron_last_day", "error", "timer-invalid"),  # L
                         ('id="start_cron_last_day"', "start_cron_last_day", "error", "unsupported-construct")],
    "two_procedures.bpmn": [('id="lint_second"', "lint_second", "error", "executable-process")],
    "not_executable.bpmn": [('id="lint_citizen_pool"', "lint_citizen_pool", "warning", "process-not-executable")],
    "no_executable.bpmn": [("<bpmn:definitions", "Definitions_lint_none", "error", "executable-process"),
                           ('id="lint_none"', "lint_none", "warning", "process-not-executable")],
    "business_rules.bpmn": [('id="no_ref"', "no_ref", "error", "business-rule-task"),
                            ("fee_rates", "unknown_ref", "error", "business-rule-task")],
    "constructs.bpmn": [  # tests/corpus/ runs what is supported; these are refused, each named
        ('id="start_timer"', "start_timer", "error", "catalogue"),  # no handling_agency_code
        ('id="wait_for_first"', "wait_for_first", "error", "unsupported-construct"),
        ('id="notify"', "notify", "error", "unsupported-construct"),
        ("<bpmn:standardLoopCharacteristics", "again", "error", "unsupported-construct"),
        ('id="SignalEventDefinition_1"', "signal_caught", "error", "unsupported-construct"),
        ('id="MessageEventDefinition_thrown"', "message_thrown", "error", "unsupported-construct"),
        ('id="MessageEventDefinition_reminder"', "reminder_message", "error", "unsupported-construct"),
        ('id="escalate_start"', "escalate_start", "error", "unsupported-construct"),
        ('id="cancel_start"', "cancel_start", "error", "unsupported-construct"),
        ('camunda:collection="items"', "each_sub", "error", "unsupported-construct"),
        ('camunda:collection="reviewers" camunda:elementVariable', "both_loops", "error", "multi-instance"),
        ("${dossier.reviewers}", "path_loop", "error", "multi-instance"),
        ('camunda:collection="reviewers" />', "no_element", "warning", "multi-instance"),
        ('id="wait_receipt"', "wait_receipt", "error", "message-reference"),
        ('id="MessageEventDefinition_missing"', "wait_missing", "error", "message-reference"),
        ('id="MessageEventDefinition_unnamed"', "wait_unnamed", "error", "message-reference"),
        ('id="decide"', "decide", "error", "business-rule-task")],
    "feel_cells.dmn": [('aggregation="SUM"', "DecisionTable_days", "error", "dmn-expression"),
                       ('id="UnaryTests_new_year"', "UnaryTests_new_year", "error", "dmn-expression"),
                       ('id="UnaryTests_any"', "UnaryTests_any", "error", "dmn-expression")],
    "catalogue.bpmn": [('id="lint_catalogue"', "lint_catalogue", "error", "catalogue"),  # no procedure_code
                       ('id="lint_catalogue"', "lint_catalogue", "error", "time-limit")],  # "ba ngày"
    "time_limit.bpmn": [('id="lint_time_limit"', "lint_time_limit", "error", "time-limit")],  # same_day with 2
    "clock_properties.bpmn": [('id="wait_supplement"', "wait_supplement", "error", "clock-property"),  # holiday
                              ('id="appraise"', "appraise", "error", "clock-property"),  # clock_restart yes
                              ('id="sign"', "sign", "error", "clock-property"),  # budget "two"
                              ('id="lint_clock"', "lint_clock", "error", "step-budget")],  # 6 + 4 h > 8 h
    "flow_reference.bpmn": [('id="gw"', "gw", "error", "flow-reference"),
                            ("end_nowhere", "f_lost", "error", "flow-reference"),
                            ("end_nowhere", "f_lost", "error", "gateway-flow-without-condition")],
    "engine_refused.bpmn": [('id="sign_each"', "sign_each", "error", "engine-refused")],
    "xml_syntax.bpmn": [("</bpmn:process>", None, "error", "xml-syntax")],
    "broken.dmn": [("</decision>", None, "error", "xml-syntax")],
    "bad_output.dmn": [('id="LiteralExpression_counter"', "LiteralExpression_counter", "error", "dmn-invalid")],
    "two_decisions.dmn": [("<definitions", "Definitions_fees", "error", "dmn-invalid")],
    "forms/typename.form": [(None, "components[0].key", "error", "form-reserved-name"),
                            (None, "components[1].components[0].key", "error", "form-reserved-name")],
    "forms/schema.form": [(None, "components[1].key", "error", "form-schema")],
    "forms/bad_json.form": [('"key": "a",}', None, "error", "form-json")],
}


def _source(name: str) -> Source:
    return Source.read(DATA / name, name)


def _lint(*names: str, library_files=LIBRARY_FILES) -> list[Finding]:
    sources = [_source(n) for n in names]
    extra = [_source(n) for n in library_files if n not in names]
    return lint(sources, collect_library([*sources, *extra], topics=TOPICS))


def _line(name: str, needle: str | None) -> int | None:
    if needle is None:
        return None
    text = (DATA / name).read_text(encoding="utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_negative_file_gives_exactly_its_findings_with_line_element_and_severity(name):
    expected = sorted((_line(name, needle), element, severity, rule)
                      for needle, element, severity, rule in EXPECTED[name])
    found = sorted((f.line, f.element_id, f.severity, f.rule) for f in _lint(name))
    assert found == expected


def test_every_rule_has_a_negative_sample():
    covered = {rule for findings in EXPECTED.values() for *_, rule in findings}
    assert covered | {"form-duplicate-id", "file-type"} == set(RULES)


def test_valid_sample_with_dmn_comments_timers_and_forms_gives_no_finding_and_builds():
    assert _lint("valid.bpmn", "fees.dmn", "forms/ok.form") == []
    library = collect_library([_source(n) for n in ("valid.bpmn", "fees.dmn", "forms/ok.form")], topics=TOPICS)
    parsed = build_process(_source("valid.bpmn"), library)
    assert parsed.decision_refs == ["fee_table"] and parsed.start_form_ref == "form_lint_ok"


def test_the_projects_own_processes_and_forms_pass_clean():
    files = [*(BASE_DIR / "processes").glob("*.bpmn"), *(BASE_DIR / "processes").glob("*.dmn"),
             *(BASE_DIR / "forms").glob("*.form")]
    sources = [Source.read(p) for p in sorted(files)]
    from app.services.external_tasks import registered_topics
    from app.services.results import RETURN_CHANNELS  # noqa: F401  (registers the result topics, as create_app does)
    assert lint(sources, collect_library(sources, topics=registered_topics())) == []


def test_activiti_extensions_are_read_as_camunda():
    parsed = parse_process(_source("activiti.bpmn").data, "activiti.bpmn", form_ids=set(), topics=TOPICS)
    assert '"candidateGroups": "${reviewers}"' in parsed.spec_json and '"topic": "deadline_warning"' in parsed.spec_json


def test_duplicate_form_ids_are_refused_on_the_second_file():
    findings = _lint("forms/ok.form", "forms/duplicate.form", library_files=())
    assert [(f.path, f.element_id, f.rule) for f in findings] == [("forms/duplicate.form", "id", "form-duplicate-id")]


def test_a_form_reference_resolves_only_among_the_forms_of_the_run():
    without = _lint("valid.bpmn", library_files=("fees.dmn",))
    assert {f.rule for f in without} == {"form-ref-unknown", "form-key-missing"}


def test_parse_process_refuses_the_first_error_with_its_line():
    with pytest.raises(ProcessDefinitionError) as caught:
        parse_process(_source("gateway_no_default.bpmn").data, "g.bpmn", form_ids=set(), topics=TOPICS)
    assert caught.value.element_id == "gw" and caught.value.line == _line("gateway_no_default.bpmn", 'id="gw"')
    assert str(caught.value).startswith(f"g.bpmn:{caught.value.line}: gw: the conditions of f_yes, f_no")


def test_finding_prints_as_one_line_and_json():
    finding = Finding("p.bpmn", 7, "gw", "error", "gateway-no-default", "add a default flow")
    assert str(finding) == "p.bpmn:7: gw: error: add a default flow"
    assert finding.problem == "p.bpmn:7: gw: add a default flow"
    assert str(Finding("f.form", None, None, "warning", "r", "m")) == "f.form: -: warning: m"
    assert finding.as_dict() == {"path": "p.bpmn", "line": 7, "element_id": "gw", "severity": "error",
                                 "rule": "gateway-no-default", "message": "add a default flow"}


# --- the command ---------------------------------------------------------------------------------------


def _check(app, *args):
    return app.test_cli_runner().invoke(check_command, [str(a) for a in args])


def test_check_prints_path_line_element_severity_message_and_exits_1_on_error(app):
    path = DATA / "gateway_no_default.bpmn"
    result = _check(app, path)
    line = _line("gateway_no_default.bpmn", 'id="gw"')
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        (f"{path}:{line}: gw: error: the conditions of f_yes, f_no can all be false, which stops the dossier with "
         "'No conditions satisfied'; mark one outgoing flow as the default flow")]


def test_check_exits_0_when_there_are_only_warnings(app):
    result = _check(app, DATA / "gateway_overlap.bpmn")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2
    assert all(": warning: " in line for line in result.stdout.splitlines())


def test_check_json_lists_every_finding_with_its_fields(app):
    result = _check(app, "--json", DATA / "service_tasks.bpmn")
    findings = json.loads(result.stdout)
    assert result.exit_code == 1 and len(findings) == 4
    assert findings[0] == {"path": str(DATA / "service_tasks.bpmn"),
                           "line": _line("service_tasks.bpmn", 'id="java_class"'), "element_id": "java_class", "severity": "error", "rule": "service-task",
                           "message": 'service tasks must be external tasks: set camunda:type="external" and a '
                                      "camunda:topic"}


def test_check_walks_folders_and_reports_every_file(app):
    result = _check(app, "--json", "--given-only", DATA)
    paths = {Path(f["path"]).relative_to(DATA).as_posix() for f in json.loads(result.stdout)}
    assert result.exit_code == 1 and set(EXPECTED) <= paths and "valid.bpmn" not in paths


def test_check_resolves_forms_in_the_project_forms_folder_unless_given_only(app):
    bpmn = BASE_DIR / "processes" / "household_business_registration.bpmn"
    assert _check(app, bpmn).exit_code == 0
    alone = _check(app, "--json", "--given-only", bpmn)
    assert alone.exit_code == 1 and {f["rule"] for f in json.loads(alone.stdout)} == {"form-ref-unknown"}


def test_check_on_the_projects_processes_and_forms_is_clean(app):
    result = _check(app, BASE_DIR / "processes", BASE_DIR / "forms")
    assert result.exit_code == 0 and result.stdout == ""


def test_check_refuses_a_file_of_another_kind(app, tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = _check(app, "--json", tmp_path / "notes.txt")
    assert result.exit_code == 1 and [f["rule"] for f in json.loads(result.stdout)] == ["file-type"]


# --- deploy runs the same checks ---------------------------------------------------------------------


def test_deploy_refuses_listing_every_error_of_every_file_and_no_warning(ctx, designer_dirs):
    processes, forms = designer_dirs
    for name in ("gateway_no_default.bpmn", "service_tasks.bpmn", "ignored_extensions.bpmn"):
        shutil.copy(DATA / name, processes / name)
    shutil.copy(DATA / "forms" / "typename.form", forms / "typename.form")
    with pytest.raises(DeployError) as caught:
        deploy_processes(processes, forms, now=datetime.now(UTC))
    expected = [f.problem for f in check_procedures(processes, forms) if f.severity == "error"]
    assert caught.value.problems == expected and len(expected) == 7
    assert caught.value.problems[0].startswith("gateway_no_default.bpmn:13: gw: the conditions")
    assert not any("ignored_extensions" in p for p in caught.value.problems)


def test_deploy_accepts_a_file_with_warnings_only(ctx, designer_dirs):
    processes, forms = designer_dirs
    shutil.copy(DATA / "gateway_overlap.bpmn", processes / "gateway_overlap.bpmn")
    results = deploy_processes(processes, forms, now=datetime.now(UTC))
    created = {r.file: r.created for r in results}
    assert created.pop("gateway_overlap.bpmn") and "household_business_registration.bpmn" in created
    assert not any(created.values())
    assert [f.rule for f in check_procedures(processes, forms)] == ["gateway-overlap", "gateway-overlap"]


def test_deploy_stores_a_business_rule_task_with_its_decision(ctx, designer_dirs):
    processes, forms = designer_dirs
    shutil.copy(DATA / "valid.bpmn", processes / "valid.bpmn")
    shutil.copy(DATA / "fees.dmn", processes / "fees.dmn")
    shutil.copy(DATA / "forms" / "ok.form", forms / "ok.form")
    results = deploy_processes(processes, forms, now=datetime.now(UTC))
    assert ("valid.bpmn", True) in {(r.file, r.created) for r in results}
