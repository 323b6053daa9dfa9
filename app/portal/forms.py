"""Fixed portal screens (WTForms): the development VNeID stand-in and the public look-up."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class DevSignInForm(FlaskForm):
    """Choose a sample citizen: stands in for VNeID in development only."""

    personal_id = SelectField("Công dân mẫu", validators=[DataRequired()])


class LookupForm(FlaskForm):
    """Public look-up by dossier code (no personal data shown)."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    code = StringField("Mã hồ sơ", validators=[DataRequired(), Length(max=60)])
