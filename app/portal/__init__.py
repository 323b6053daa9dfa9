"""Public service portal (dịch vụ công): procedures, filing, my dossiers, public look-up."""
from flask import Blueprint

bp = Blueprint("portal", __name__)

from . import routes  # noqa: E402,F401
from . import apologies  # noqa: E402,F401
from . import slips  # noqa: E402,F401
