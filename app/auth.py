"""Sign-in plumbing shared by both faces: the user loader, password hashing, role checks."""
from functools import wraps
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import abort, redirect, request, url_for
from flask_login import current_user

from .extensions import db, login
from .models import Applicant, Officer

_HASHER = PasswordHasher()
login.login_view = "portal.sign_in"
login.login_message = "Vui lòng đăng nhập để tiếp tục."


@login.user_loader
def load_user(user_id: str):
    """Session ids are ``officer:<id>`` or ``applicant:<id>`` so the two kinds never collide."""
    kind, _, raw_id = user_id.partition(":")
    model = {"officer": Officer, "applicant": Applicant}.get(kind)
    return db.session.get(model, int(raw_id)) if model and raw_id.isdigit() else None


def hash_password(password: str) -> str:
    """argon2id hash of ``password`` (seed Art. 19.2: passwords are never stored readable)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a wrong password or a malformed hash."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def officer_required(view):
    """Only signed-in officers; others go to the officer sign-in page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not isinstance(current_user._get_current_object(), Officer):
            return redirect(url_for("officer.sign_in", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def applicant_required(view):
    """Only signed-in applicants; others go to the portal sign-in page; officers get 403."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user._get_current_object()
        if isinstance(user, Officer):
            abort(403, "Trang này dành cho công dân, tổ chức.")
        if not isinstance(user, Applicant):
            return redirect(url_for("portal.sign_in", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def safe_next_url(*prefixes: str) -> str | None:
    """The ``next`` query argument when it is a local path under one of ``prefixes`` (default ``/``), else ``None``
    (no open redirects).

    Browsers drop tabs and newlines and read backslashes as slashes, so ``/\\t/evil.example`` would leave the
    site: such targets are refused along with anything that has a scheme or a host.
    """
    target = request.args.get("next", "")
    if any(ch < " " or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(prefixes or ("/",)) or parts.path.startswith("//"):
        return None
    return target
