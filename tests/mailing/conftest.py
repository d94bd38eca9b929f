"""Fixtures for the mailing tests: an SMTP server that also keeps the envelope's options,
the outbox rows, and a way to deliver what is due."""
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mailing import sender
from app.outbox import OutgoingMail
from tests.conftest import SMTPRecorder, free_port, start_smtp


@dataclass
class EnvelopeRecorder(SMTPRecorder):
    """SMTPRecorder that also keeps each accepted mail's MAIL FROM options (e.g. BODY=8BITMIME),
    and can refuse single addresses at RCPT TO, as a real server does for an unknown user."""

    mail_options: list = field(default_factory=list)
    refused_recipients: set = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            with self.lock:
                self.mail_options.append(list(envelope.mail_options))
        return reply


@pytest.fixture
def smtp_recorder():
    recorder = EnvelopeRecorder(port=free_port())
    controller = start_smtp(recorder)
    yield recorder
    controller.stop()


@pytest.fixture
def start_smtp_on():
    """Start a real SMTP server on a given port, later in a test; stopped at the end."""
    controllers = []

    def start(port: int) -> EnvelopeRecorder:
        recorder = EnvelopeRecorder(port=port)
        controllers.append(start_smtp(recorder))
        return recorder

    yield start
    for controller in controllers:
        controller.stop()


def point_mail_at(app, port: int, host: str = "127.0.0.1") -> None:
    """Make the app deliver to host:port (Flask-Mail keeps its own copy of the settings)."""
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    app.extensions["mail"].server = host
    app.extensions["mail"].port = port


@pytest.fixture
def outbox(app):
    """The outbox rows as they are in the database now, oldest first."""

    def rows(**filters) -> list[OutgoingMail]:
        db.session.rollback()  # see what other sessions and Core updates committed
        query = select(OutgoingMail).filter_by(**filters).order_by(OutgoingMail.id)
        return list(db.session.execute(query).scalars())

    return rows


@pytest.fixture
def deliver(app):
    """Deliver what is due, as a sender would; returns the DeliveryReport."""

    def run(now=None):
        report = sender.deliver_due(now=now)
        db.session.rollback()
        return report

    return run
