"""Per-step budgets: work items due after their budget in working hours, hand-overs classified, sums checked at
deploy (R46)."""
from datetime import UTC, datetime

import pytest

from app.documents.slips import control_sheet_pdf
from app.engine.findings import Source
from app.engine.lint import collect_library, errors, lint
from app.services.procedures import DeployError, deploy_processes
from app.services.step_log import StepTiming, steps_of

from .conftest import DATA, citizen, complete, local, officer, pdf_text, received_clock_dossier

BPMN = (DATA / "clock_procedure.bpmn").read_text(encoding="utf-8")


def _findings(text: str):
    source = Source("clock_procedure.bpmn", text.encode())
    return errors(lint([source], collect_library([source], topics=["deadline_warning"])))


def test_a_work_item_is_due_its_budget_in_working_hours_after_it_became_ready(clock_ctx):
    dossier = received_clock_dossier(local(2026, 6, 1, 16))  # Mon 16:00
    (item,) = dossier.work_items
    assert item.bpmn_id == "appraise_dossier" and item.opened_at == local(2026, 6, 1, 16)
    assert item.due_at == local(2026, 6, 2, 14, 30)  # 8 working hours: Mon 16:00–17:00 + Tue 7:30–14:30
    assert item.due_at != dossier.due_at


def test_hand_overs_are_logged_and_classified_early_on_time_late(clock_ctx):
    dossier = received_clock_dossier(local(2026, 6, 1, 9))            # appraisal due Mon 17:00
    complete(dossier, "appraise_dossier", officer("chuyenvien.tohieu"), {"appraisal_outcome": "ok"},
             local(2026, 6, 1, 16))                                    # same day, before 17:00: on time
    complete(dossier, "approve_dossier", officer("lanhdao.tohieu"), {}, local(2026, 6, 1, 16, 30))
    # approval opened Mon 16:00, due Tue 14:30; done Mon 16:30: early
    (returning,) = dossier.work_items
    assert returning.due_at == local(2026, 6, 2, 11)                   # 4 h: Mon 16:30–17:00 + Tue 7:30–11:00
    complete(dossier, "return_result", officer("motcua.tohieu"), {}, local(2026, 6, 2, 15))  # late
    steps = steps_of(dossier)
    assert [s.task_name for s in steps] == ["Kiểm tra, tiếp nhận", "Thẩm định", "Phê duyệt", "Trả kết quả"]
    assert [s.timing for s in steps] == [None, StepTiming.on_time, StepTiming.early, StepTiming.late]
    appraisal = steps[1]
    assert (appraisal.agency, appraisal.received_at, appraisal.due_at, appraisal.completed_at) == (
        dossier.handling_agency.name, local(2026, 6, 1, 9), local(2026, 6, 1, 17), local(2026, 6, 1, 16))
    assert appraisal.officer == officer("chuyenvien.tohieu").full_name
    with clock_ctx.test_request_context():
        sheet = pdf_text(control_sheet_pdf(dossier, now=local(2026, 6, 2, 16)))
    agency = dossier.handling_agency.name
    for required in [f"Giao: Thẩm định — {appraisal.officer} ({agency})",
                     "16:00 01/06/2026 Đúng hạn Hạn: 17:00 01/06/2026",
                     f"Giao: Phê duyệt — {officer('lanhdao.tohieu').full_name} ({agency})",
                     "16:30 01/06/2026 Trước hạn Hạn: 14:30 02/06/2026",
                     "15:00 02/06/2026 Quá hạn Hạn: 11:00 02/06/2026", "Nhận: Kết thúc"]:
        assert required in sheet, required


def test_a_step_without_budget_is_due_with_the_dossier(clock_ctx):
    dossier = received_clock_dossier(local(2026, 6, 1, 9))
    complete(dossier, "appraise_dossier", officer("chuyenvien.tohieu"), {"appraisal_outcome": "fee"},
             local(2026, 6, 1, 10))
    complete(dossier, "pay_fee", citizen(), {}, local(2026, 6, 1, 11))
    assert steps_of(dossier)[-1].due_at == dossier.original_due_at  # the dossier's due before the pause moved it


def test_the_diagram_within_its_limit_passes_the_lint():
    assert _findings(BPMN) == []


def test_budgets_adding_up_beyond_the_legal_limit_are_refused_naming_the_path():
    too_long = BPMN.replace('name="budget_working_hours" value="4"', 'name="budget_working_hours" value="10"')
    (finding,) = _findings(too_long)  # 8 + 8 + 10 = 26 > 3 working days × 8 = 24
    assert finding.rule == "step-budget" and finding.element_id == "clock_procedure"
    assert "Thẩm định (appraise_dossier) → Phê duyệt (approve_dossier) → Trả kết quả (return_result)" in \
        finding.message and "26 working hours" in finding.message and "24 working hours" in finding.message


def test_the_limit_follows_the_time_limit_unit():
    in_hours = BPMN.replace('name="time_limit_unit" value="working_days"', 'name="time_limit_unit" value="working_hours"')
    in_hours = in_hours.replace('name="processing_working_days" value="3"', 'name="time_limit" value="2"')  # 2 × 8 h
    (finding,) = _findings(in_hours)
    assert "20 working hours" in finding.message and "16 working hours" in finding.message


@pytest.mark.parametrize("name,value", [("clock_pause", "holiday"), ("clock_restart", "yes"),
                                        ("budget_working_hours", "-2"), ("budget_working_hours", "abc")])
def test_clock_properties_with_unusable_values_are_errors(name, value):
    task = '<camunda:property name="dossier_status" value="submitted" />'
    text = BPMN.replace(task, task + f'<camunda:property name="{name}" value="{value}" />', 1)
    (finding,) = _findings(text)
    assert finding.rule == "clock-property" and finding.element_id == "check_dossier" and name in finding.message


def test_deploy_refuses_budgets_beyond_the_limit(clock_ctx, tmp_path):
    (tmp_path / "clock_procedure.bpmn").write_text(
        BPMN.replace('name="budget_working_hours" value="4"', 'name="budget_working_hours" value="10"'),
        encoding="utf-8")
    with pytest.raises(DeployError, match="step budgets along the path"):
        deploy_processes(tmp_path, tmp_path, now=datetime.now(UTC))
