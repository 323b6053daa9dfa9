"""The Jinja macro render_form: fields only, accessible, values kept, errors beside fields, escaped."""

import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from werkzeug.datastructures import MultiDict

from app.camunda_forms import raw_values_from, validate_submission

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
PAGE = '{% from "_camunda_form.html" import render_form %}{{ render_form(form, values, errors, context) }}'


@pytest.fixture(params=[True, False], ids=["autoescape", "no-autoescape"])
def render(request):
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=request.param,
                              undefined=StrictUndefined)
    template = environment.from_string(PAGE)

    def render(form, values=None, errors=None, context=None):
        return template.render(form=form, values=values, errors=errors, context=context)

    return render


def field_html(html, name):
    """The markup of the field whose input is ``name``: from its wrapper to the next field."""
    start = html.index(f'id="f-{name.replace(".", "-")}-field"')
    following = re.search(r'<(div|fieldset) class="field ', html[start:])
    return html[start:start + following.start()] if following else html[start:]


def input_tag(html, name):
    return re.search(rf'<(input|textarea|select)[^>]*name="{re.escape(name)}"[^>]*>', html).group(0)


def test_renders_fields_only_never_the_form_or_csrf_token(render, example_form, example_context):
    html = render(example_form, context=example_context)
    assert "<form" not in html and "csrf" not in html
    assert "<button" not in html
    without_row_template = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    assert without_row_template.count('class="field ') == len(example_form.fields)


def test_value_is_kept_and_error_shown_next_to_its_field(render, example_form, example_context,
                                                         example_submission):
    example_submission.setlist("applicant.idNumber", ["01409"])
    _, errors = validate_submission(example_form, example_submission, example_context)
    html = render(example_form, raw_values_from(example_form, example_submission), errors, example_context)
    field = field_html(html, "applicant.idNumber")
    assert 'value="01409"' in input_tag(field, "applicant.idNumber")
    assert '<p class="field-error" id="f-applicant-idNumber-error">Số định danh phải gồm đúng 12 chữ số</p>' in field
    assert 'aria-describedby="f-applicant-idNumber-description f-applicant-idNumber-error"' in field
    assert 'aria-invalid="true"' in field
    assert "field-error" not in field_html(html, "applicant.fullName")
    assert 'value="  Lò Văn Minh "' in input_tag(html, "applicant.fullName")


def test_values_as_request_form_lists_are_kept_too(render, example_form, example_context, example_submission):
    html = render(example_form, example_submission.to_dict(flat=False), {}, example_context)
    assert 'value="50000000"' in input_tag(html, "capital")
    assert re.search(r'value="family"\s+checked', field_html(html, "registrationType"))
    assert re.search(r'value="retail" selected', field_html(html, "businessLine"))
    assert " checked" in input_tag(html, "commitment")


def test_script_in_labels_values_and_options_is_escaped(render, make_form):
    form = make_form(
        {"type": "textfield", "key": "name", "label": "<script>alert(1)</script>", "description": "<b>x</b>"},
        {"type": "select", "key": "pick", "valuesKey": "options"},
        {"type": "text", "text": "## <img src=x onerror=alert(1)>Tiêu đề\nMã: {{code}}"},
    )
    html = render(form, {"name": '"><script>x</script>'}, {"name": ["<i>lỗi</i>"]},
                  {"options": [{"label": "<script>o</script>", "value": '"v'}], "code": "<script>c</script>"})
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert "Mã: &lt;script&gt;c&lt;/script&gt;" in html


def test_inputs_fit_phones_and_screen_readers(render, example_form, example_context):
    html = render(example_form, context=example_context)
    assert 'type="number" inputmode="numeric" step="1" min="0"' in input_tag(html, "capital")
    assert 'type="date"' in input_tag(html, "applicant.dateOfBirth")
    assert 'type="email" inputmode="email"' in input_tag(html, "applicant.email")
    full_name = field_html(html, "applicant.fullName")
    assert '<label for="f-applicant-fullName">Họ và tên<span class="required" aria-hidden="true"> *</span>' in full_name
    assert 'aria-required="true"' in full_name and " required" not in input_tag(full_name, "applicant.fullName")
    assert '<legend>Hình thức đăng ký<span class="required"' in field_html(html, "registrationType")
    assert 'type="file"' in input_tag(html, "attachments") and "multiple" in input_tag(html, "attachments")


def test_phone_fields_get_a_telephone_keyboard(render, make_form):
    form = make_form({"type": "textfield", "key": "phone", "validate": {"validationType": "phone"}})
    assert 'type="tel" inputmode="tel"' in render(form)


def test_conditional_fields_are_rendered_with_their_condition(render, example_form, example_context):
    html = render(example_form, context=example_context)
    employees = field_html(html, "employeeCount")
    assert 'data-hide-if="=hasEmployees != true"' in employees
    assert 'data-hide-if="=registrationType != &#34;family&#34;"' in html
    assert 'name="members.0.name"' in html and 'name="members.__ROW__.name"' in html


def test_first_render_shows_workflow_data_and_defaults(render, example_form, example_context):
    context = {**example_context, "applicant": {"fullName": "Lò Thị Hoa"}, "businessLine": "food"}
    html = render(example_form, {}, {}, context)
    assert 'value="Lò Thị Hoa"' in input_tag(html, "applicant.fullName")
    assert re.search(r'value="individual"\s+checked', html)
    assert re.search(r'value="food" selected', html)
    assert "Bán lẻ hàng tạp hoá" in html


def test_text_components_become_plain_headings_and_paragraphs(render, example_form, example_context):
    html = render(example_form, context=example_context)
    assert '<h3 class="form-text-heading">Đăng ký thành lập hộ kinh doanh</h3>' in html
    assert "<p>Mã hồ sơ: 000.00.01.H52-250701-0001 — hạn trả kết quả: </p>" in html


def test_unticked_checkbox_stays_unticked_after_a_failed_submit(render, make_form):
    form = make_form({"type": "checkbox", "key": "agree", "defaultValue": True},
                     {"type": "textfield", "key": "name", "validate": {"required": True}})
    formdata = MultiDict([("name", "")])
    values, errors = validate_submission(form, formdata, {})
    html = render(form, raw_values_from(form, formdata), errors)
    assert " checked" not in input_tag(html, "agree")
    assert " checked" in input_tag(render(form), "agree")
