"""Fixed administrator screens (WTForms); the CSRF token comes with every one."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField
from wtforms.validators import DataRequired


class UploadVersionForm(FlaskForm):
    """One BPMN diagram with its Camunda Forms and DMN decisions, made in Camunda Modeler."""

    files = MultipleFileField("Tệp sơ đồ (.bpmn), biểu mẫu (.form) và bảng quyết định (.dmn)")


class PublishVersionForm(FlaskForm):
    """Publish a draft: the administrator confirms it was tested (seed Art. 13.2)."""

    tested = BooleanField("Tôi xác nhận phiên bản này đã được kiểm thử (kịch bản đạt) trước khi công bố "
                          "(Quy chế ban hành kèm Quyết định 19/2024/QĐ-UBND, Điều 13 khoản 2).",
                          validators=[DataRequired("Hãy xác nhận phiên bản đã được kiểm thử trước khi công bố.")])


class ConfirmForm(FlaskForm):
    """A button with nothing to fill in (CSRF only)."""
