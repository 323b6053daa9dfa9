"""Fixed portal screens (WTForms): the development VNeID stand-in and the public look-up."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class DevSignInForm(FlaskForm):
    """Choose a sample citizen: stands in for VNeID in development only."""

    personal_id = SelectField("Công dân mẫu", validators=[DataRequired()])


class LookupForm(FlaskForm):
    """Public look-up by dossier code (no personal data shown)."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    code = StringField("Mã hồ sơ", validators=[DataRequired(), Length(max=60)])


class WithdrawalForm(FlaskForm):
    """Ask to stop handling a dossier (ND 118/2025 Art. 21): a reason, and a confirmation that it is meant."""

    reason = TextAreaField("Lý do đề nghị dừng giải quyết", validators=[DataRequired("Vui lòng nêu lý do."),
                                                                     Length(max=2000)])
    confirm = BooleanField("Tôi xác nhận đề nghị dừng giải quyết hồ sơ này; hồ sơ sẽ không được tiếp tục giải quyết.",
                           validators=[DataRequired("Vui lòng xác nhận đề nghị dừng giải quyết.")])
