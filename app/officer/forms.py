"""Fixed officer screens (WTForms)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    """Officer sign-in with username and password."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    """Officer sets a new password (required at first sign-in: seed Art. 19.2)."""

    current_password = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField("Mật khẩu mới (ít nhất 10 ký tự)", validators=[DataRequired(), Length(min=10, max=200)])
    confirm_password = PasswordField("Nhập lại mật khẩu mới",
                                     validators=[DataRequired(), EqualTo("new_password", "Hai mật khẩu không khớp.")])


class WithdrawalRequestForm(FlaskForm):
    """Record a counter or postal applicant's request to stop handling their dossier (ND 118/2025 Art. 21.1)."""

    reason = TextAreaField("Lý do tổ chức, cá nhân đề nghị dừng giải quyết",
                           validators=[DataRequired("Vui lòng nêu lý do."), Length(max=2000)])
    confirm = BooleanField("Tổ chức, cá nhân đã đề nghị dừng giải quyết hồ sơ này (bằng văn bản hoặc trực tiếp tại "
                           "Bộ phận Một cửa).", validators=[DataRequired("Vui lòng xác nhận đề nghị dừng giải quyết.")])
