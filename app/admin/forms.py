"""Fixed administrator screens (WTForms); the CSRF token comes with every one."""
from flask_wtf import FlaskForm
from wtforms import MultipleFileField


class UploadVersionForm(FlaskForm):
    """One BPMN diagram with its Camunda Forms and DMN decisions, made in Camunda Modeler."""

    files = MultipleFileField("Tệp sơ đồ (.bpmn), biểu mẫu (.form) và bảng quyết định (.dmn)")
