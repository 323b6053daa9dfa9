"""parse_form: the anchors §6.6 example, and the designer mistakes it must refuse with their path."""

import copy
import json
from pathlib import Path

import pytest

from app.camunda_forms import FormSchemaError, parse_form

DATA = Path(__file__).parent / "data"

EXAMPLE = json.loads((DATA / "hkd_dang_ky.form").read_text(encoding="utf-8"))


def test_example_form_parses_into_fields_in_document_order(example_form):
    assert example_form.id == "Form_HKD_DangKy"
    assert example_form.source == "forms/hkd_dang_ky.form"
    assert example_form.schema_version == 19
    assert example_form.submit_label == "Nộp hồ sơ"
    assert [(f.key, f.type) for f in example_form.fields] == [
        ("applicant.fullName", "textfield"),
        ("applicant.idNumber", "textfield"),
        ("applicant.dateOfBirth", "datetime"),
        ("applicant.email", "textfield"),
        ("registrationType", "radio"),
        ("name", "textfield"),
        ("idNumber", "textfield"),
        ("businessLine", "select"),
        ("capital", "number"),
        ("hasEmployees", "checkbox"),
        ("employeeCount", "number"),
        ("attachments", "filepicker"),
        ("resultDelivery", "radio"),
        ("deliveryAddress", "textarea"),
        ("commitment", "checkbox"),
    ]


def test_example_form_keeps_field_properties(example_form):
    id_number = example_form.field("applicant.idNumber")
    assert id_number.required and id_number.description == "12 chữ số"
    assert id_number.pattern.pattern == "^[0-9]{12}$"
    birth = example_form.field("applicant.dateOfBirth")
    assert (birth.label, birth.subtype) == ("Ngày sinh", "date")
    assert example_form.field("capital").decimal_digits == 0
    assert example_form.field("capital").suffix == "VND"
    assert example_form.field("registrationType").default_value == "individual"
    assert example_form.field("businessLine").values_key == "businessLineOptions"
    assert example_form.field("employeeCount").hide.source == "=hasEmployees != true"
    members = [f for f in example_form.fields if f.list_path == "members"]
    assert [f.key for f in members] == ["name", "idNumber"]
    assert [c.source for c in members[0].conditions] == ['=registrationType != "family"']


def test_example_form_component_tree(example_form):
    kinds = [c.type for c in example_form.components]
    assert kinds[:4] == ["text", "group", "radio", "dynamiclist"]
    group = example_form.components[1]
    assert (group.label, group.path) == ("Người đề nghị", "applicant")
    assert [c.field.key for c in group.children] == [
        "applicant.fullName", "applicant.idNumber", "applicant.dateOfBirth", "applicant.email"]


@pytest.mark.parametrize("data", [json.dumps(EXAMPLE), json.dumps(EXAMPLE).encode("utf-8"), EXAMPLE])
def test_accepts_text_bytes_or_decoded_json(data):
    assert parse_form(data, "forms/hkd.form").id == "Form_HKD_DangKy"


def _broken(change):
    document = copy.deepcopy(EXAMPLE)
    change(document)
    return document


def _set(path, value):
    def change(document):
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


@pytest.mark.parametrize(("change", "path", "fragment"), [
    (_set(["type"], "form"), "type", '"default"'),
    (lambda d: d.pop("id"), "id", "id"),
    (lambda d: d.pop("components"), "components", "danh sách"),
    (_set(["schemaVersion"], 20), "schemaVersion", "19"),
    (_set(["schemaVersion"], "19"), "schemaVersion", "số nguyên"),
    (_set(["components", 2, "type"], "slider"), "components[2].type", "không xác định"),
    (_set(["components", 2, "type"], "html"), "components[2].type", "chưa được hỗ trợ"),
    (_set(["components", 7, "key"], "registrationType"), "components[7].key", "trùng"),
    (_set(["components", 1, "components", 1, "key"], "fullName"), "components[1].components[1].key", "trùng"),
    (_set(["components", 2, "key"], "typename"), "components[2].key", "dành riêng"),
    (_set(["components", 1, "path"], "typename"), "components[1].path", "dành riêng"),
    (_set(["components", 2, "key"], "ho-ten"), "components[2].key", "không hợp lệ"),
    (_set(["components", 2, "key"], "1st"), "components[2].key", "không hợp lệ"),
    (lambda d: d["components"][2].pop("key"), "components[2].key", "key"),
    (_set(["components", 1, "components", 1, "validate", "pattern"], "^[0-9]{12$("),
     "components[1].components[1].validate.pattern", "biểu thức chính quy"),
    (_set(["components", 7, "conditional", "hide"], "=hasEmployees !== true"),
     "components[7].conditional.hide", "FEEL"),
    (_set(["components", 7, "conditional", "hide"], "=count(items) > 1"), "components[7].conditional.hide", "hàm"),
    (_set(["components", 7, "conditional", "hide"], "hasEmployees = false"),
     "components[7].conditional.hide", "'='"),
    (lambda d: d["components"][2].pop("values"), "components[2].values", "values"),
    (_set(["components", 2, "valuesKey"], "options"), "components[2].values", "đúng một"),
    (_set(["components", 4, "valuesExpression"], "=options"), "components[4].valuesExpression", "valuesExpression"),
    (_set(["components", 2, "values", 1, "value"], "individual"), "components[2].values[1].value", "trùng"),
    (_set(["components", 4, "defaultValue"], "retail"), "components[4].defaultValue", "valuesKey"),
    (_set(["components", 2, "defaultValue"], "company"), "components[2].defaultValue", "lựa chọn"),
    (_set(["components", 5, "validate", "minLength"], 3), "components[5].validate.minLength", "number"),
    (_set(["components", 5, "validate", "min"], "0"), "components[5].validate.min", "số"),
    (_set(["components", 5, "validate", "required"], "yes"), "components[5].validate.required", "true"),
    (_set(["components", 5, "decimalDigits"], -1), "components[5].decimalDigits", "không âm"),
    (_set(["components", 1, "components", 2, "subtype"], "week"), "components[1].components[2].subtype", "date"),
    (_set(["components", 1, "label"], "=applicantLabel"), "components[1].label", "FEEL"),
    (_set(["components", 3, "path"], None), "components[3].path", "path"),
])
def test_schema_errors_name_their_path(change, path, fragment):
    with pytest.raises(FormSchemaError) as caught:
        parse_form(_broken(change), "forms/hkd.form")
    assert caught.value.source == "forms/hkd.form"
    assert caught.value.path == path
    assert fragment in caught.value.message
    assert str(caught.value) == f"forms/hkd.form: {path}: {caught.value.message}"


def test_error_is_a_value_error_with_source_path_and_message():
    with pytest.raises(ValueError) as caught:
        parse_form({"type": "default", "id": "F", "components": [{"type": "textfield", "key": "a"},
                                                                 {"type": "textfield", "key": "a"}]}, "forms/x.form")
    assert str(caught.value).startswith("forms/x.form: components[1].key: ")


def test_invalid_json_is_a_schema_error():
    with pytest.raises(FormSchemaError, match="forms/x.form: JSON"):
        parse_form("{not json", "forms/x.form")


@pytest.mark.parametrize(("first", "second"), [
    ({"type": "textfield", "key": "applicant"}, {"type": "group", "path": "applicant", "components": [
        {"type": "textfield", "key": "name"}]}),
    ({"type": "textfield", "key": "applicant.name"}, {"type": "textfield", "key": "applicant"}),
    ({"type": "textfield", "key": "applicant"}, {"type": "textfield", "key": "applicant.name"}),
    ({"type": "dynamiclist", "path": "members", "components": []}, {"type": "textfield", "key": "members"}),
    ({"type": "dynamiclist", "path": "members", "components": []}, {"type": "textfield", "key": "members.name"}),
    ({"type": "dynamiclist", "path": "members", "components": [{"type": "textfield", "key": "name"}]},
     {"type": "group", "path": "members", "components": []}),
])
def test_keys_and_paths_may_not_overlap(make_form, first, second):
    with pytest.raises(FormSchemaError, match="components\\[1\\]"):
        make_form(first, second)


def test_list_children_and_groups_inside_lists_are_keyed_per_row(make_form):
    form = make_form({"type": "dynamiclist", "path": "owners", "components": [
        {"type": "textfield", "key": "name"},
        {"type": "group", "path": "contact", "components": [{"type": "textfield", "key": "phone"}]}]},
        {"type": "textfield", "key": "name"})
    assert [(f.key, f.list_path) for f in form.fields] == [("name", "owners"), ("contact.phone", "owners"),
                                                           ("name", None)]


def test_groups_may_share_a_path_and_flat_groups_add_nothing(make_form):
    form = make_form(
        {"type": "group", "path": "owner", "components": [{"type": "textfield", "key": "name"}]},
        {"type": "group", "path": "owner", "components": [
            {"type": "group", "components": [{"type": "textfield", "key": "phone"}]}]},
    )
    assert [f.key for f in form.fields] == ["owner.name", "owner.phone"]


def test_layout_components_and_unknown_properties_are_accepted(make_form):
    form = make_form(
        {"type": "separator", "layout": {"row": "r1", "columns": None}},
        {"type": "spacer", "height": 60},
        {"type": "textfield", "key": "a", "properties": {"x": "y"}, "futureOption": True},
        {"type": "button", "action": "reset", "label": "Xoá"},
    )
    assert [c.type for c in form.components] == ["separator", "spacer", "textfield", "button"]
    assert form.submit_label is None


def test_feel_in_validate_and_flags_is_compiled(make_form):
    form = make_form({"type": "number", "key": "n", "validate": {"min": "=minimum"}, "readonly": "=locked"})
    field = form.field("n")
    assert field.validate["min"].evaluate({"minimum": 5}) == 5
    assert field.is_readonly({"locked": True}) and not field.is_readonly({})
