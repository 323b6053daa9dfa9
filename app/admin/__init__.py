"""Administration (quản trị hệ thống): incidents of external service tasks, procedures and their process versions;
system administrators only."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import routes, versions  # noqa: E402,F401
from . import calendar  # noqa: E402,F401
