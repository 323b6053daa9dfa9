"""One-stop system (một cửa điện tử): officers' sign-in, inbox of work items, task forms, dossier pages."""
from flask import Blueprint

bp = Blueprint("officer", __name__)

from . import routes  # noqa: E402,F401
from . import reception  # noqa: E402,F401
