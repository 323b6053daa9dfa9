"""Administration (quản trị hệ thống): incidents of external service tasks; system administrators only."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import routes  # noqa: E402,F401
