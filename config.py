"""Configuration classes. The only module that reads the environment."""
import os
from datetime import timedelta

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean setting: 1/0, true/false, yes/no (any case)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


class Config:
    # None means: generate one into the instance folder (development only).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # No MAIL_SERVER: the outbox is the development mailbox at /staff/mails.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Podium <podium@localhost>")
    # Flask-Mail suppresses sending whenever TESTING is on; our tests talk to a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    ORGANIZER_EMAIL = os.environ.get("ORGANIZER_EMAIL", "veranstaltungen@localhost")
    # One sender thread per web process; switch off where `flask mail work` runs separately.
    MAIL_BACKGROUND = env_bool("MAIL_BACKGROUND", True)
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_BASE_SECONDS = env_int("MAIL_RETRY_BASE_SECONDS", 30)
    # A claim older than this is taken to be from a crashed sender and is retried. A live sender
    # renews its claims every 10 s and waits at most MAIL_TIMEOUT_SECONDS for the server.
    MAIL_CLAIM_TIMEOUT = timedelta(seconds=env_int("MAIL_CLAIM_TIMEOUT_SECONDS", 50))
    MAIL_TIMEOUT_SECONDS = env_int("MAIL_TIMEOUT_SECONDS", 20)
    # Confirmed guests are reminded this many hours before an event starts; 0: no reminders.
    REMINDER_BEFORE_HOURS = env_int("REMINDER_BEFORE_HOURS", 48)

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    # Guests read every public page and mail in these; staff pages (and the door) speak the first
    # STAFF_LANGUAGES only. Arabic, Persian and Ukrainian await a native speaker's review (README).
    LANGUAGES = ("de", "en", "ar", "fa", "uk")
    STAFF_LANGUAGES = ("de", "en")
    # The consent text the sign-up form shows now: a key of app/consent.py's TEXTS. A new wording
    # is a new version there and here; each registration stores the version it agreed to.
    CONSENT_VERSION = "2026-12-1"
    # Months after an event until its registrations are anonymised: the default of a new event
    # (staff may set another per event; the consent text states the event's own).
    RETENTION_MONTHS = env_int("RETENTION_MONTHS", 12)
    # How often a mail worker (`flask mail work`, or the web process's sender thread) anonymises
    # what is past its retention period; 0: never (run `flask privacy purge` from cron instead).
    PURGE_EVERY_MINUTES = env_int("PURGE_EVERY_MINUTES", 60)

    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "20 per minute; 200 per hour")
    # Sign-ups naming one email address, from whatever client address: nobody fills a stranger's
    # mailbox through our forms (app/registrations/limits.py).
    SIGNUP_EMAIL_RATE_LIMIT = os.environ.get("SIGNUP_EMAIL_RATE_LIMIT", "10 per hour; 30 per day")
    # Failed or not, logins to one account, from whatever address (the per-address limit is apart).
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 10 minutes; 50 per day")

    # How many reverse proxies in front of Podium set X-Forwarded-For/-Proto (0: none).
    # Needed behind a proxy, or every guest shares the proxy's rate limit.
    PROXY_COUNT = env_int("PROXY_COUNT", 0)

    # Werkzeug's scrypt (N=2**15, r=8, p=1) with a random salt per password.
    PASSWORD_HASH_METHOD = "scrypt"

    # A form or a JSON body is small; the contact import allows more for its file (its view says so).
    MAX_CONTENT_LENGTH = 1_000_000
    # The largest file staff may add to an event's results (network.uploads); only that upload's
    # request may be larger than MAX_CONTENT_LENGTH (network/result_views.py says by how much).
    RESULT_FILE_MAX_BYTES = env_int("RESULT_FILE_MAX_BYTES", 10_000_000)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a guest may leave the form open for hours
    # The time trap of the public forms (app/formtrap.py): a form sent back sooner than this after
    # its page was made is refused, since no person fills it in so fast. 0 turns the time trap off
    # (the honeypot stays).
    FORM_MIN_SECONDS = env_int("FORM_MIN_SECONDS", 2)
    # No pool_pre_ping: a pooled connection is checked only after it lay idle (database.ping_when_idle).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    WTF_CSRF_ENABLED = False
    MAIL_BACKGROUND = False
    RATELIMIT_ENABLED = False
    # Tests post forms at once; the tests of the time trap switch it on.
    FORM_MIN_SECONDS = 0
    MAIL_SERVER = None
    BASE_URL = "http://podium.test"
    # The same algorithm at a lower cost: the suite logs in hundreds of times. A test checks
    # that the other configurations keep the full cost.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """The config class that PODIUM_ENV names (development by default)."""
    name = os.environ.get("PODIUM_ENV", "development")
    try:
        config = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"PODIUM_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
    if config is ProductionConfig:
        missing = [n for n in ("SECRET_KEY", "DATABASE_URL", "BASE_URL") if not os.environ.get(n)]
        if missing:
            raise RuntimeError(f"Production needs these settings: {', '.join(missing)}")
    return config
