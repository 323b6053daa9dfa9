"""Every way a Camunda 7 diagram points to a form, driven by a designer scenario (``flask procedures test``)."""
from pathlib import Path

from app.scenarios.runner import run_paths

DATA = Path(__file__).parents[1] / "data" / "forms_binding"


def test_scenario_through_formkey_formref_app_key_and_formdata_passes():
    lines: list[str] = []
    status = run_paths([DATA / "processes" / "scenarios"],
                       {"PROCESSES_DIR": str(DATA / "processes"), "FORMS_DIR": str(DATA / "forms")}, lines.append)
    assert status == 0, "\n".join(lines)
    assert lines[-1] == "1 of 1 scenarios passed"
    refusals = [line.split("refused as expected: ", 1)[1] for line in lines if "refused as expected" in line]
    assert refusals == ["invalid form values: review_note: Trường này là bắt buộc.",
                        "invalid form values: remark: Phải có ít nhất 2 ký tự.",
                        "invalid form values: business_name: Trường này là bắt buộc.",
                        "invalid form values: business_name: Phải có ít nhất 3 ký tự.",
                        "invalid form values: employee_count: Giá trị phải nhỏ hơn hoặc bằng 9.",
                        "invalid form values: kind: Giá trị không hợp lệ."]
