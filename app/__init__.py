"""Application factory for Một cửa Sơn La: the public service portal and the one-stop system over one engine."""
from flask import Flask
from sqlalchemy import event

from config import Config, validate_config

from .extensions import csrf, db, login, migrate


def create_app(config_class: type = Config) -> Flask:
    """Build the app: extensions, blueprints, CLI commands and (when enabled) the timer scheduler.

    :raises RuntimeError: the configuration is impossible (see :func:`config.validate_config`).
    """
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    validate_config(app.config)
    db.init_app(app)
    migrate.init_app(app, db)
    _tune_sqlite(app)
    csrf.init_app(app)
    login.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    from . import auth  # noqa: F401  (user loader)
    from .services import results  # noqa: F401  (registers the result_ready / result_returned service topics)
    from .errors import register_error_pages
    from .templating import register_template_helpers
    register_template_helpers(app)
    from .services.expression_helpers import register_expression_helpers
    register_expression_helpers()
    register_error_pages(app)
    if app.config["SCHEDULER_ENABLED"]:
        from .scheduler import init_scheduler
        init_scheduler(app)
    return app


def _tune_sqlite(app: Flask) -> None:
    """Embedded SQLite file: write-ahead log (readers never wait for the writer, e.g. the scheduler) and
    ``synchronous=NORMAL`` (durable at checkpoints, one fsync less per commit); foreign keys enforced."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .officer import bp as officer_bp
    from .portal import bp as portal_bp
    app.register_blueprint(portal_bp)
    app.register_blueprint(officer_bp, url_prefix="/officer")
    app.register_blueprint(admin_bp, url_prefix="/admin")


def _register_cli(app: Flask) -> None:
    from .cli import procedures_cli, setup_command
    app.cli.add_command(procedures_cli)
    app.cli.add_command(setup_command)
    from .calendar_cli import calendar_cli
    app.cli.add_command(calendar_cli)
    from .scheduler.cli import scheduler_cli
    app.cli.add_command(scheduler_cli)
