"""Flask extensions, created unbound and initialised in :func:`app.create_app`."""
from pathlib import Path

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
migrate = Migrate(directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
login = LoginManager()
