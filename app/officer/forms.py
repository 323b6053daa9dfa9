"""Fixed officer screens (WTForms)."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
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
