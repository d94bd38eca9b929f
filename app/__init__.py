"""The application factory: a readable list of register_* steps."""
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_environment

from . import cli, consent, formatting, formtrap, migrations, pagecache
from .audit import FACT_LABELS
from .auth.views import bp as auth_bp
from .contacts.institution_views import bp as institutions_staff_bp
from .events.series_views import bp as series_bp
from .events.series_views import staff_bp as series_staff_bp
from .auth.team_views import bp as team_bp
from .network.event_views import bp as event_network_staff_bp
from .network.group_views import bp as groups_staff_bp
from .network.group_views import public_bp as groups_bp
from .network.meeting_views import bp as meetings_staff_bp
from .network.partner_views import bp as partner_bp
from .network.result_views import bp as results_bp
from .network.result_views import staff_bp as results_staff_bp
from .network.staff_views import bp as network_staff_bp
from .campaigns import mails as campaign_mails
from .campaigns.staff_views import bp as campaigns_staff_bp
from .campaigns.views import bp as campaigns_bp
from .checkin import stored_answers
from .checkin.api import bp as checkin_api_bp
from .checkin.staff_views import bp as checkin_staff_bp
from .checkin.views import bp as checkin_bp
from .contacts.staff_views import bp as contacts_staff_bp
from .database import configure_sqlite, ping_when_idle
from .errors import register_error_handlers
from .events import display as event_display
from .events.staff_views import bp as events_staff_bp
from .events.views import bp as events_bp
from .extensions import babel, csrf, db, limiter, login_manager, mail
from .health import bp as health_bp
from .i18n import bp as i18n_bp
from .i18n import remember_linked_language, select_locale
from .mailing import guest_mails
from .mailing.chores import register_chore
from .mailing.messages import register_mail_kinds
from .mailing.sender import CLAIM_REFRESH_SECONDS, start_background_sender
from .mailing.staff_views import bp as mailing_staff_bp
from .privacy import mails as privacy_mails
from .privacy import retention
from .privacy.staff_views import bp as privacy_staff_bp
from .privacy.views import bp as privacy_bp
from .registrations.staff_views import bp as registrations_staff_bp
from .registrations.views import bp as registrations_bp
from .reports.staff_views import bp as reports_staff_bp
from .surveys import feedback, feedback_mails, sending
from .surveys import mails as survey_mails
from .surveys.feedback_views import bp as feedback_staff_bp
from .surveys.sending_views import bp as survey_sending_staff_bp
from .surveys.staff_views import bp as surveys_staff_bp
from .surveys.views import bp as surveys_bp
from .security import register_input_limits, register_request_guards, register_security_headers
from .sessions import SessionInterface

# Each feature's pages: for guests (bp) and for staff (staff_bp), then the door's API.
BLUEPRINTS = (
    events_bp, events_staff_bp,
    registrations_bp, registrations_staff_bp,
    checkin_bp, checkin_staff_bp, checkin_api_bp,
    mailing_staff_bp,
    contacts_staff_bp,
    campaigns_bp, campaigns_staff_bp,
    privacy_bp, privacy_staff_bp,
    series_bp, series_staff_bp,
    institutions_staff_bp, network_staff_bp, event_network_staff_bp, groups_bp, groups_staff_bp,
    meetings_staff_bp, results_bp, results_staff_bp, partner_bp, team_bp,
    reports_staff_bp, surveys_bp, surveys_staff_bp, survey_sending_staff_bp, feedback_staff_bp,
    auth_bp, i18n_bp,
    health_bp,
)

def create_app(config: type[Config] | None = None, *, instance_path: str | None = None,
               **overrides) -> Flask:
    """Make the app from a config class (default: the one PODIUM_ENV names) plus overrides."""
    app = Flask(__name__, template_folder="../templates", instance_path=instance_path)
    app.config.from_object(config or config_from_environment())
    app.config.update(overrides)
    register_instance_defaults(app)
    register_proxy(app)
    register_extensions(app)
    register_input_limits(app)
    register_request_guards(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_mail_kinds_of_features(app)
    register_mail_sender(app)
    cli.register(app)
    migrations.register(app)
    pagecache.register(app)  # last but one: its layer answers before everything above
    stored_answers.register(app)  # and this one before it, from the store pagecache made
    return app


def register_instance_defaults(app: Flask) -> None:
    """A SQLite file and a generated secret key in instance/, when none is configured."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'podium.db'}"
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production":
            raise RuntimeError("SECRET_KEY must be set in production")
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto from exactly PROXY_COUNT proxies, no more."""
    count = app.config.get("PROXY_COUNT", 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    app.session_interface = SessionInterface()
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        ping_when_idle(db.engine)
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(app.root_path).parent / "translations"))
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every feature's pages, and the icon browsers ask for at /favicon.ico."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(remember_linked_language)

    @app.get("/favicon.ico")
    def favicon():
        """The site's icon, for browsers that look for it here rather than in the page."""
        return app.send_static_file("favicon.png")


def register_template_helpers(app: Flask) -> None:
    """Filters and globals every template may use."""
    formatting.register(app)
    formtrap.register(app)
    event_display.register(app)
    app.jinja_env.globals["audit_labels"] = FACT_LABELS
    app.jinja_env.globals["consent_text_of"] = consent.text_of


def register_mail_kinds_of_features(app: Flask) -> None:
    """Which feature composes each kind of mail, and which may withdraw its mails before they go out."""
    register_mail_kinds(app, guest_mails.COMPOSERS, withdrawal=guest_mails.withdrawn)
    register_mail_kinds(app, campaign_mails.COMPOSERS, withdrawal=campaign_mails.withdrawn)
    register_mail_kinds(app, privacy_mails.COMPOSERS)
    register_mail_kinds(app, survey_mails.COMPOSERS, withdrawal=survey_mails.withdrawn)
    register_mail_kinds(app, feedback_mails.COMPOSERS, withdrawal=feedback_mails.withdrawn)


def register_mail_sender(app: Flask) -> None:
    """Start this process's background sender on its first request (after any fork); every
    long-running sender also anonymises what is past its retention period (PURGE_EVERY_MINUTES).

    A claim timeout that a live sender can outlast (one renewal interval plus one wait for the
    server) is refused: another sender would take over mails still being sent and send them twice."""
    least = CLAIM_REFRESH_SECONDS + app.config["MAIL_TIMEOUT_SECONDS"]
    if app.config["MAIL_CLAIM_TIMEOUT"].total_seconds() <= least:
        raise RuntimeError(f"MAIL_CLAIM_TIMEOUT_SECONDS must be more than {least}: claims are renewed every "
                           f"{CLAIM_REFRESH_SECONDS} s and a sender waits up to MAIL_TIMEOUT_SECONDS for the server")
    register_chore(app, "privacy purge", retention.purge_due,
                   every=timedelta(minutes=app.config["PURGE_EVERY_MINUTES"]))
    # Feedback requests and their reminder go out a set time after each event; surveys close on
    # their date.
    register_chore(app, "feedback requests", feedback.send_due, every=timedelta(minutes=5))
    register_chore(app, "surveys closing", sending.close_due, every=timedelta(minutes=5))

    @app.before_request
    def ensure_sender():
        if request.blueprint != "health":  # a load balancer's probe only looks
            start_background_sender(app)
