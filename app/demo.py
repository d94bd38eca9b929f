"""Sample data for `flask demo`: a handful of realistic events of a regional network."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .audit import Actor
from .auth.models import Role, User
from .auth.services import create_user
from .database import utcnow, write_transaction
from .events.models import Event
from .events.services import create_event
from .extensions import db

DEMO = Actor(name="demo data")

DEMO_ADMIN = "admin@podium.example"
BERLIN = ZoneInfo("Europe/Berlin")


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = (utcnow().astimezone(BERLIN) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


EVENTS = [
    dict(
        title="Perspektiven für Flüchtlinge in der Region Trier", kind="podium", days=14, hour=18,
        hours=2, venue="IHK Trier, Großer Saal", address="Herzogenbuscher Straße 12, 54292 Trier",
        capacity=120,
        summary="Podiumsdiskussion mit Kammern, Agentur für Arbeit und Initiativen.",
        description="Wie gelingt der Weg in Ausbildung und Arbeit? Auf dem Podium diskutieren "
                    "Vertreterinnen und Vertreter der Kammern, der Agentur für Arbeit und der "
                    "Ehrenamtlichen aus der Region. Anschließend Zeit für Fragen und Gespräche.",
        speakers=["Dr. Jan Glockauer, IHK Trier", "Axel Bettendorf, HWK Trier",
                  "Heribert Wilhelmi, Agentur für Arbeit", "Moderation: Miriam Kremer"],
    ),
    dict(
        title="Wie kommen Flüchtlinge in Ausbildung und Arbeit?", kind="info", days=21, hour=17,
        hours=2, venue="Agentur für Arbeit Trier", address="Dasbachstraße 9, 54292 Trier",
        capacity=60,
        summary="Informationsveranstaltung für Betriebe, Ehrenamtliche und Geflüchtete.",
        description="Welche Wege gibt es, welche Förderung, wer hilft? Kurze Vorträge, danach "
                    "Beratung an Thementischen.",
        speakers=["Team Arbeitgeberservice", "Integration Point Trier"],
    ),
    dict(
        title="Arbeitskreis Sprache und Qualifizierung", kind="working-group", days=9, hour=14,
        hours=2, venue="Rathaus Trier, Raum 12", address="Am Augustinerhof, 54290 Trier",
        capacity=20,
        summary="Treffen des Arbeitskreises: Stand der Sprachkurse, nächste Schritte.",
        description="Für Mitglieder des Netzwerks und Interessierte.",
        speakers=[],
    ),
    dict(
        title="Fachforum Sprache und Mobilität im ländlichen Raum", kind="forum", days=30, hour=10,
        hours=5, venue="Kulturhaus Prüm", address="Hahnplatz 20, 54595 Prüm", capacity=70,
        summary="Wie kommen Menschen ohne Auto zum Sprachkurs und zur Arbeit?",
        description="Fachforum mit Beispielen aus dem Eifelkreis Bitburg-Prüm: Bürgerbusse, "
                    "Mitfahrbörsen, Online-Kurse.",
        speakers=["Verkehrsverbund Region Trier", "Kreisverwaltung Bitburg-Prüm"],
    ),
    dict(
        title="Fachgespräch: Anerkennung ausländischer Berufsabschlüsse", kind="talk", days=5,
        hour=16, hours=1, venue="HWK Trier, Seminarraum 3", address="Loebstraße 18, 54292 Trier",
        capacity=3, waitlist_enabled=True,
        summary="Kleiner Kreis, wenige Plätze: die Warteliste ist offen.",
        description="Expertinnen der Anerkennungsberatung erklären das Verfahren an Beispielen.",
        speakers=["IQ Anerkennungsberatung"],
    ),
]


def load() -> tuple[User, str] | None:
    """Load the demo events and an admin user; None if there already is data. Commits."""
    if db.session.execute(select(Event.id).limit(1)).first() or \
            db.session.execute(select(User.id).limit(1)).first():
        return None
    with write_transaction():
        for spec in EVENTS:
            spec = dict(spec)
            starts = _at(spec.pop("days"), spec.pop("hour"))
            ends = starts + timedelta(hours=spec.pop("hours"))
            create_event(starts_at=starts, ends_at=ends, publish=True, by=DEMO, **spec)
    return create_user(DEMO_ADMIN, role=Role.admin, name="Demo Admin")
