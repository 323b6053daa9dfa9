"""validate_submission: typed values, Vietnamese messages, conditions, and what is never trusted."""

import json
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.camunda_forms import initial_values, raw_values_from, validate_submission

REQUIRED = "Trường này là bắt buộc."


def submit(form, pairs, context=None, **options):
    formdata = MultiDict(pairs if isinstance(pairs, list) else list(pairs.items()))
    return validate_submission(form, formdata, context or {}, **options)


def test_example_submission_gives_the_form_js_data_shape(example_form, example_context, example_submission):
    values, errors = validate_submission(example_form, example_submission, example_context,
                                         files={"attachments": ["files::1", "files::2"]})
    assert errors == {}
    assert values == {
        "applicant": {"fullName": "Lò Văn Minh", "idNumber": "014090001234", "dateOfBirth": "1990-05-01",
                      "email": "minh@example.vn"},
        "registrationType": "family",
        "members": [{"name": "Lò Thị Hoa", "idNumber": "014190005678"}],
        "businessLine": "retail",
        "capital": 50000000,
        "hasEmployees": True,
        "employeeCount": 3,
        "attachments": ["files::1", "files::2"],
        "resultDelivery": "post",
        "deliveryAddress": "Tổ 2, phường Chiềng Lề, Sơn La",
        "commitment": True,
    }
    assert json.loads(json.dumps(values)) == values


def test_hidden_fields_are_cleared_and_not_validated(example_form, example_context, example_submission):
    example_submission.setlist("registrationType", ["individual"])
    example_submission.setlist("hasEmployees", [])
    example_submission.setlist("employeeCount", ["99"])  # above max 9, but hidden
    example_submission.setlist("resultDelivery", ["counter"])
    example_submission.setlist("deliveryAddress", [""])  # required, but hidden
    values, errors = validate_submission(example_form, example_submission, example_context,
                                         files={"attachments": "files::1"})
    assert errors == {}
    assert values["hasEmployees"] is False
    assert "employeeCount" not in values and "members" not in values and "deliveryAddress" not in values
    assert values["attachments"] == ["files::1"]


def test_conditions_see_earlier_hidden_fields_as_cleared(make_form):
    form = make_form(
        {"type": "checkbox", "key": "isCompany"},
        {"type": "textfield", "key": "taxCode", "conditional": {"hide": "=isCompany != true"}},
        {"type": "textfield", "key": "taxOffice", "conditional": {"hide": "=taxCode = null"},
         "validate": {"required": True}},
    )
    values, errors = submit(form, {"taxCode": "123", "taxOffice": ""})
    assert values == {"isCompany": False}
    assert errors == {}


def test_conditions_may_read_the_workflow_context(make_form):
    form = make_form({"type": "textfield", "key": "note", "conditional": {"hide": "=stage != \"review\""},
                      "validate": {"required": True}})
    assert submit(form, {}, {"stage": "intake"}) == ({}, {})
    assert submit(form, {}, {"stage": "review"}) == ({"note": ""}, {"note": [REQUIRED]})


def test_hidden_group_hides_its_children(make_form):
    form = make_form(
        {"type": "radio", "key": "channel", "values": [{"label": "Bưu điện", "value": "post"},
                                                       {"label": "Tại quầy", "value": "counter"}]},
        {"type": "group", "path": "address", "conditional": {"hide": "=channel != \"post\""}, "components": [
            {"type": "textfield", "key": "street", "validate": {"required": True}}]},
    )
    assert submit(form, {"channel": "counter", "address.street": "x"}) == ({"channel": "counter"}, {})
    assert submit(form, {"channel": "post", "address.street": "Tô Hiệu"}) == (
        {"channel": "post", "address": {"street": "Tô Hiệu"}}, {})


def test_unknown_names_are_never_taken(make_form):
    form = make_form({"type": "textfield", "key": "name"})
    values, errors = submit(form, {"name": "A", "role": "admin", "csrf_token": "t", "name.x": "y"})
    assert values == {"name": "A"} and errors == {}


def test_disabled_fields_are_ignored_and_readonly_keep_the_context_value(make_form):
    form = make_form(
        {"type": "textfield", "key": "code", "disabled": True, "validate": {"required": True}},
        {"type": "number", "key": "fee", "readonly": True, "defaultValue": 0},
        {"type": "textfield", "key": "agency", "readonly": "=locked = true"},
    )
    values, errors = submit(form, {"code": "HACK", "fee": "1", "agency": "X"}, {"fee": 50000, "locked": True,
                                                                               "agency": "UBND"})
    assert values == {"fee": 50000, "agency": "UBND"} and errors == {}
    values, _ = submit(form, {"fee": "1", "agency": "X"}, {"locked": False})
    assert values == {"fee": 0, "agency": "X"}


@pytest.mark.parametrize(("component", "sent", "message"), [
    ({"type": "textfield", "validate": {"required": True}}, "  ", REQUIRED),
    ({"type": "textarea", "validate": {"required": True}}, "", REQUIRED),
    ({"type": "number", "validate": {"required": True}}, "", REQUIRED),
    ({"type": "select", "values": [{"label": "A", "value": "a"}], "validate": {"required": True}}, "", REQUIRED),
    ({"type": "datetime", "validate": {"required": True}}, "", REQUIRED),
    ({"type": "checkbox", "validate": {"required": True}}, "", REQUIRED),
    ({"type": "textfield", "validate": {"minLength": 10}}, "ngắn", "Phải có ít nhất 10 ký tự."),
    ({"type": "textarea", "validate": {"maxLength": 5}}, "dài quá rồi", "Không được vượt quá 5 ký tự."),
    ({"type": "number", "validate": {"min": 1000000}}, "999", "Giá trị phải lớn hơn hoặc bằng 1.000.000."),
    ({"type": "number", "validate": {"max": 2.5}}, "3", "Giá trị phải nhỏ hơn hoặc bằng 2,5."),
    ({"type": "number"}, "mười", "Phải là số."),
    ({"type": "number"}, "1e5", "Phải là số."),
    ({"type": "number", "decimalDigits": 0}, "1.5", "Phải là số nguyên."),
    ({"type": "number", "decimalDigits": 2}, "1.555", "Chỉ được có tối đa 2 chữ số thập phân."),
    ({"type": "number", "increment": 1000}, "1500",
     "Giá trị không hợp lệ; hai giá trị hợp lệ gần nhất là 1.000 và 2.000."),
    ({"type": "textfield", "validate": {"pattern": "[0-9]{12}"}}, "12345", "Không đúng định dạng."),
    ({"type": "textfield", "validate": {"pattern": "^[0-9]{12}$", "patternErrorMessage": "Cần 12 chữ số"}},
     "０１２３４５６７８９０１", "Cần 12 chữ số"),
    ({"type": "textfield", "validate": {"validationType": "email"}}, "minh@", "Thư điện tử không đúng định dạng"),
    ({"type": "textfield", "validate": {"validationType": "phone"}}, "12345", "Số điện thoại không đúng định dạng"),
    ({"type": "select", "values": [{"label": "A", "value": "a"}]}, "b", "Giá trị không hợp lệ."),
    ({"type": "radio", "values": [{"label": "A", "value": "a"}]}, "A", "Giá trị không hợp lệ."),
    ({"type": "datetime"}, "31/02/2025", "Ngày không hợp lệ."),
    ({"type": "datetime", "subtype": "time"}, "25:00", "Giờ không hợp lệ."),
    ({"type": "datetime", "subtype": "datetime"}, "2025-07-01", "Ngày giờ không hợp lệ."),
    ({"type": "datetime", "disallowPassedDates": True}, "2025-06-30", "Không được chọn ngày đã qua."),
])
def test_each_rule_has_its_vietnamese_message(make_form, component, sent, message):
    form = make_form({"key": "x", **component})
    values, errors = submit(form, {"x": sent}, today=date(2025, 7, 1))
    assert len(errors["x"]) == 1 and errors["x"][0].startswith(message)


@pytest.mark.parametrize(("component", "sent"), [
    ({"type": "textfield", "validate": {"minLength": 2, "maxLength": 4}}, "Hoà"),
    ({"type": "textfield", "validate": {"pattern": "[0-9]{3}"}}, "mã 123 ở giữa"),
    ({"type": "textfield", "validate": {"validationType": "email"}}, "lo.minh+hs@sonla.gov.vn"),
    ({"type": "textfield", "validate": {"validationType": "phone"}}, "0912 345 678"),
    ({"type": "textfield", "validate": {"validationType": "phone"}}, "+84912345678"),
    ({"type": "number", "validate": {"min": 0, "max": 10}, "decimalDigits": 1}, "9.5"),
    ({"type": "number", "increment": 0.5}, "2.5"),
    ({"type": "datetime", "disallowPassedDates": True}, "2025-07-01"),
    ({"type": "textfield", "validate": {"minLength": 10}}, ""),
])
def test_valid_input_passes(make_form, component, sent):
    form = make_form({"key": "x", **component})
    assert submit(form, {"x": sent}, today=date(2025, 7, 1))[1] == {}


def test_length_counts_composed_vietnamese_letters(make_form):
    form = make_form({"type": "textfield", "key": "x", "validate": {"maxLength": 3}})
    decomposed = "Hoa\u0300"  # "Hoà" typed with a combining grave accent
    values, errors = submit(form, {"x": decomposed})
    assert values == {"x": "Hoà"} and errors == {}


def test_feel_limits_come_from_the_context(make_form):
    form = make_form({"type": "number", "key": "capital", "validate": {"min": "=minimumCapital"}})
    assert submit(form, {"capital": "5"}, {"minimumCapital": 10})[1] == {
        "capital": ["Giá trị phải lớn hơn hoặc bằng 10."]}


@pytest.mark.parametrize(("component", "sent", "expected"), [
    ({"type": "textfield"}, " một\r\nhai ", "một hai"),
    ({"type": "textfield"}, None, ""),
    ({"type": "textarea"}, " dòng 1\r\ndòng 2 ", "dòng 1\ndòng 2"),
    ({"type": "number"}, "42", 42),
    ({"type": "number"}, "-3.25", -3.25),
    ({"type": "number"}, "2,5", 2.5),
    ({"type": "number"}, "7.0", 7),
    ({"type": "number"}, "", None),
    ({"type": "number", "serializeToString": True}, "12.50", "12.5"),
    ({"type": "checkbox"}, "true", True),
    ({"type": "checkbox"}, "on", True),
    ({"type": "checkbox"}, None, False),
    ({"type": "radio", "values": [{"label": "Có", "value": "yes"}]}, "yes", "yes"),
    ({"type": "select", "values": [{"label": "Có", "value": "yes"}]}, "", None),
    ({"type": "datetime"}, "2025-07-01", "2025-07-01"),
    ({"type": "datetime"}, "1/7/2025", "2025-07-01"),
    ({"type": "datetime", "subtype": "time"}, "08:30:15", "08:30"),
    ({"type": "datetime", "subtype": "datetime"}, "2025-07-01T08:30", "2025-07-01T08:30"),
    ({"type": "datetime"}, "", None),
])
def test_values_are_typed_like_form_js(make_form, component, sent, expected):
    form = make_form({"key": "x", **component})
    values, errors = submit(form, [] if sent is None else [("x", sent)])
    assert errors == {}
    assert values["x"] == expected and type(values["x"]) is type(expected)


def test_checklist_takes_every_ticked_value_in_order(make_form):
    form = make_form({"type": "checklist", "key": "docs", "values": [
        {"label": "Đơn", "value": "form"}, {"label": "CCCD", "value": "id"}, {"label": "Hợp đồng", "value": "lease"}]})
    assert submit(form, [("docs", "lease"), ("docs", "form"), ("docs", "lease")]) == ({"docs": ["lease", "form"]}, {})
    assert submit(form, []) == ({"docs": []}, {})
    values, errors = submit(form, [("docs", "form"), ("docs", "passport")])
    assert errors == {"docs": ["Giá trị không hợp lệ."]}


def test_required_checklist_needs_one_value(make_form):
    form = make_form({"type": "checklist", "key": "docs", "validate": {"required": True},
                      "values": [{"label": "Đơn", "value": "form"}]})
    assert submit(form, [])[1] == {"docs": [REQUIRED]}


def test_values_key_options_come_from_the_context(make_form):
    form = make_form({"type": "select", "key": "agency", "valuesKey": "agencies"})
    context = {"agencies": [{"label": "UBND phường Chiềng Lề", "value": "CL"}, "TO_HIEU"]}
    assert submit(form, {"agency": "CL"}, context) == ({"agency": "CL"}, {})
    assert submit(form, {"agency": "TO_HIEU"}, context) == ({"agency": "TO_HIEU"}, {})
    assert submit(form, {"agency": "HN"}, context)[1] == {"agency": ["Giá trị không hợp lệ."]}
    assert submit(form, {"agency": "CL"}, {})[1] == {"agency": ["Giá trị không hợp lệ."]}


def test_dynamic_list_rows_are_renumbered_and_validated(example_form, example_context, example_submission):
    example_submission.setlist("members.0.name", [""])
    example_submission.add("members.5.name", "Lò Văn Tú")
    example_submission.add("members.5.idNumber", "123")
    values, errors = validate_submission(example_form, example_submission, example_context,
                                         files={"attachments": "files::1"})
    assert values["members"] == [{"name": "", "idNumber": "014190005678"}, {"name": "Lò Văn Tú", "idNumber": "123"}]
    assert errors == {"members.0.name": [REQUIRED], "members.1.idNumber": ["Không đúng định dạng."]}
    raw = raw_values_from(example_form, example_submission)
    assert raw["members.1.name"] == "Lò Văn Tú" and "members.5.name" not in raw


def test_groups_and_conditions_inside_list_rows(make_form):
    form = make_form({"type": "dynamiclist", "path": "owners", "components": [
        {"type": "checkbox", "key": "hasPhone"},
        {"type": "group", "path": "contact", "components": [
            {"type": "textfield", "key": "phone", "conditional": {"hide": "=hasPhone != true"},
             "validate": {"required": True}}]}]})
    values, errors = submit(form, [("owners.0.hasPhone", "true"), ("owners.0.contact.phone", ""),
                                   ("owners.1.contact.phone", "0912345678")])
    assert values == {"owners": [{"hasPhone": True, "contact": {"phone": ""}}, {"hasPhone": False}]}
    assert errors == {"owners.0.contact.phone": [REQUIRED]}


def test_file_pickers_read_only_the_references_given_by_the_caller(example_form, example_context,
                                                                   example_submission):
    example_submission.add("attachments", "files::someone-elses")
    values, errors = validate_submission(example_form, example_submission, example_context)
    assert errors == {"attachments": [REQUIRED]} and values["attachments"] is None


def test_raw_values_keep_what_was_typed(example_form, example_submission):
    example_submission.setlist("capital", ["năm mươi triệu"])
    example_submission.add("evil", "<script>")
    raw = raw_values_from(example_form, example_submission)
    assert raw["capital"] == "năm mươi triệu"
    assert raw["applicant.fullName"] == "  Lò Văn Minh "
    assert "evil" not in raw and "attachments" not in raw


def test_initial_values_come_from_the_workflow_data_then_defaults(example_form):
    raw = initial_values(example_form, {"applicant": {"fullName": "Hoa"}, "capital": 1.5e7, "hasEmployees": True,
                                        "members": [{"name": "Tú"}]})
    assert raw["applicant.fullName"] == "Hoa"
    assert raw["capital"] == "15000000"
    assert raw["hasEmployees"] == "true" and raw["commitment"] == ""
    assert raw["registrationType"] == "individual"
    assert raw["members.0.name"] == "Tú" and raw["members.0.idNumber"] == ""
