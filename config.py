"""Configuration: every setting is read from the environment with a default and a comment giving its unit."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class Config:
    """Production defaults; development and tests subclass it."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")  # required in production: signs sessions and CSRF tokens
    # Embedded SQLite file by default; PostgreSQL in production through DATABASE_URL.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'mot_cua.db'}")
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")  # IANA zone of the agencies; slips print local dates
    OFFICE_OPENS_AT = os.environ.get("OFFICE_OPENS_AT", "07:30")  # local HH:MM; Sơn La hours unverified (R116)
    OFFICE_CLOSES_AT = os.environ.get("OFFICE_CLOSES_AT", "17:00")  # local HH:MM; end of a working day = due time
    SAME_DAY_CUTOFF = os.environ.get("SAME_DAY_CUTOFF", "15:00")  # local HH:MM (ND 118/2025 Art. 18.2; R118)
    DUE_WARNING_WORKING_DAYS = int(os.environ.get("DUE_WARNING_WORKING_DAYS", "1"))  # working days before due
    # working hours before due for the "due soon" warning (R48); 0 = use DUE_WARNING_WORKING_DAYS
    DUE_WARNING_WORKING_HOURS = int(os.environ.get("DUE_WARNING_WORKING_HOURS", "0"))
    PROCESSES_DIR = os.environ.get("PROCESSES_DIR", str(BASE_DIR / "processes"))  # *.bpmn deployed by `deploy`
    FORMS_DIR = os.environ.get("FORMS_DIR", str(BASE_DIR / "forms"))  # *.form (Camunda Forms)
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED") == "1"  # run APScheduler in this process
    SCHEDULER_SWEEP_SECONDS = int(os.environ.get("SCHEDULER_SWEEP_SECONDS", "60"))  # retry delay after a failed timer firing
    # seconds between two looks of the scheduler at the lease and at the earliest due time (timers committed by
    # other processes are seen within this); a timer whose firing failed is tried again SCHEDULER_SWEEP_SECONDS later
    SCHEDULER_POLL_SECONDS = float(os.environ.get("SCHEDULER_POLL_SECONDS", "1"))
    # seconds a scheduler's lease lasts unless renewed (renewed every third of it): a stand-by takes over after it
    SCHEDULER_LEASE_SECONDS = float(os.environ.get("SCHEDULER_LEASE_SECONDS", "15"))
    # retries of a failing service-task handler (1, 5, then 30 minutes apart) before it becomes an incident
    EXTERNAL_TASK_RETRIES = int(os.environ.get("EXTERNAL_TASK_RETRIES", "3"))
    ENVIRONMENT = "production"  # production | development | testing
    DEV_IDENTITY_PROVIDER = False  # development stand-in for VNeID; never in production
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))  # failed officer logins before lockout
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))  # minutes a lockout lasts
    # scanned components uploaded at the counter: stored here by sha256 (outside task data), largest accepted size
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR", str(BASE_DIR / "instance" / "attachments"))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10_000_000)))  # bytes per file
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(60_000_000)))  # bytes per request (Flask)
    # ClamAV command (clamdscan/clamscan path); empty = use whichever is on PATH, none = record "not scanned"
    MALWARE_SCAN_COMMAND = os.environ.get("MALWARE_SCAN_COMMAND", "")
    MALWARE_SCAN_TIMEOUT_SECONDS = int(os.environ.get("MALWARE_SCAN_TIMEOUT_SECONDS", "120"))  # per file
    # public base URL printed in the slips' QR codes (empty = the URL of the request that renders the slip)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 15}} if SQLALCHEMY_DATABASE_URI.startswith("sqlite") else {}


class DevelopmentConfig(Config):
    """`python run.py`: embedded SQLite, sample data, VNeID stand-in (run.py starts the scheduler after setup)."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-not-for-production")
    ENVIRONMENT = "development"
    DEV_IDENTITY_PROVIDER = True


class TestingConfig(Config):
    """Tests: in-memory SQLite, no scheduler, CSRF stays on (tests send the token like a browser)."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    SCHEDULER_ENABLED = False
    ENVIRONMENT = "testing"
    DEV_IDENTITY_PROVIDER = True


def validate_config(config: dict) -> None:
    """Fail fast on impossible combinations.

    :raises RuntimeError: no SECRET_KEY, or the VNeID stand-in enabled outside development/testing.
    """
    if not config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")
    if config.get("DEV_IDENTITY_PROVIDER") and config.get("ENVIRONMENT") == "production":
        raise RuntimeError("the development stand-in for VNeID must never run in production")
