"""Sample data for `flask demo`: a regional network as it lives: its public events, the
institutions and people behind them, two working groups, an invitation-only coordination
meeting, meetings recorded afterwards, a series, a past forum with its results and the feedback
its guests gave, the actors' survey of the year under way, and the draft of the next one."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .audit import Actor
from .auth.models import Role, User
from .auth.services import create_user
from .database import utcnow, write_transaction
from .affiliation import Affiliation
from .contacts.models import ConsentSource, Contact, Institution, OrganisationKind
from .events.models import Event, EventKind, EventVisibility, Series
from .events.services import create_event
from .extensions import db
from .network.models import (EventInstitution, EventResult, InstitutionRole, MeetingPresence, ResultFile,
                             ResultVisibility, WorkingGroup, WorkingGroupMember)
from .registrations.models import CONSENT_GIVEN_TO_STAFF, Registration, RegistrationStatus, Source
from .surveys import building, building_questions, feedback, responding, sending
from .surveys.audience import make_survey_audience
from .surveys.models import SurveyInvitation
from .text import email_key, name_key

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


# The institutions of the network: name, kind, place, website, and the people's domain.
INSTITUTIONS = [
    ("Integrationsnetzwerk Region Trier (IRT)", OrganisationKind.other, "Trier", "", "irt-trier.example"),
    ("IHK Trier", OrganisationKind.chamber, "Trier", "https://www.ihk-trier.de", "ihk.example"),
    ("HWK Trier", OrganisationKind.chamber, "Trier", "https://www.hwk-trier.de", "hwk.example"),
    ("Kreishandwerkerschaft MEHR", OrganisationKind.chamber, "Trier", "", "khs.example"),
    ("Agentur für Arbeit Trier", OrganisationKind.employment_agency, "Trier", "https://www.arbeitsagentur.de",
     "arbeitsagentur.example"),
    ("Jobcenter Trier-Stadt", OrganisationKind.employment_agency, "Trier", "", "jobcenter.example"),
    ("Stadt Trier", OrganisationKind.city, "Trier", "https://www.trier.de", "trier.example"),
    ("Kreisverwaltung Trier-Saarburg", OrganisationKind.district, "Trier", "", "trier-saarburg.example"),
    ("Eifelkreis Bitburg-Prüm", OrganisationKind.district, "Bitburg", "", "bitburg-pruem.example"),
    ("ADD Trier, Schulbehörde", OrganisationKind.authority, "Trier", "", "add.example"),
    ("BAMF, Außenstelle Trier", OrganisationKind.authority, "Trier", "", "bamf.example"),
    ("Caritasverband Trier", OrganisationKind.charity, "Trier", "", "caritas-trier.example"),
    ("DRK Kreisverband Trier-Saarburg", OrganisationKind.charity, "Trier", "", "drk-trier.example"),
    ("BBS Wirtschaft Trier", OrganisationKind.school, "Trier", "", "bbs-wirtschaft.example"),
    ("Volkshochschule Trier", OrganisationKind.school, "Trier", "", "vhs-trier.example"),
    ("Lernende Region – Netzwerk Bildung", OrganisationKind.other, "Trier", "", "lernende-region.example"),
    ("Willkommensinitiative Trier-West", OrganisationKind.volunteer, "Trier", "", "trier-west.example"),
]
FIRST = ["Anna", "Jonas", "Leila", "Markus", "Sabine", "Yusuf", "Claudia", "Thomas", "Olena", "Peter",
         "Miriam", "Ahmad", "Katrin", "Stefan", "Fatima", "Michael", "Ute", "Reza", "Julia", "Bernd"]
LAST = ["Becker", "Schmitt", "Haddad", "Weber", "Klein", "Yilmaz", "Hoffmann", "Wagner", "Kovalenko",
        "Schneider", "Kremer", "Rahimi", "Meyer", "Wolf", "Nasser", "Fischer", "Lang", "Karimi", "Bauer",
        "Thiel", "Jung"]
# The volunteer institutions' people, and every fifth of the others, are volunteers.
VOLUNTEER_KINDS = (OrganisationKind.volunteer, OrganisationKind.charity)


def _institutions() -> list[Institution]:
    rows = [Institution(name=name, name_key=name_key(name), kind=kind, place=place, website=website)
            for name, kind, place, website, _domain in INSTITUTIONS]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _contacts(institutions: list[Institution], now: datetime) -> list[Contact]:
    contacts = []
    for number in range(60):
        index = number % len(INSTITUTIONS)
        institution, domain = institutions[index], INSTITUTIONS[index][4]
        first, last = FIRST[number % len(FIRST)], LAST[(number * 13) % len(LAST)]
        address = f"{first}.{last}{number}@{domain}".lower()
        volunteer = institution.kind in VOLUNTEER_KINDS and number % 2 == 0 or number % 5 == 4
        contacts.append(Contact(
            name=f"{first} {last}", email=address, email_key=email_key(address), institution_id=institution.id,
            affiliation=Affiliation.volunteer if volunteer else Affiliation.professional,
            tags=["Netzwerk"] + (["Ehrenamt"] if volunteer else []), locale="de", source="demo data",
            source_at=now, consent_source=ConsentSource.staff, consent_at=now))
    db.session.add_all(contacts)
    db.session.flush()
    return contacts


def _link(event: Event, *pairs) -> None:
    for position, (institution, role) in enumerate(pairs, start=1):
        db.session.add(EventInstitution(event_id=event.id, institution_id=institution.id, role=role,
                                        position=position))


def _register(event: Event, contacts: list[Contact], now: datetime, checked_in: bool = False) -> None:
    for contact in contacts:
        db.session.add(Registration(
            event_id=event.id, name=contact.name, email=contact.email, email_key=contact.email_key,
            organisation=contact.institution.name if contact.institution else "", institution_id=contact.institution_id,
            contact_id=contact.id, affiliation=contact.affiliation or Affiliation.other, locale="de",
            status=RegistrationStatus.confirmed, consent_at=now, consent_version=CONSENT_GIVEN_TO_STAFF,
            source=Source.staff, checked_in_at=event.starts_at if checked_in else None,
            checked_in_by="demo data" if checked_in else None))
    event.confirmed_count += len(contacts)


def _event(title: str, kind: str, days: int, hour: int, *, hours: int = 2, **fields) -> Event:
    starts = _at(days, hour)
    return create_event(title=title, kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=hours),
                        publish=True, by=DEMO, **fields)


def load_network(events: list[Event], now: datetime) -> None:
    """The network around the public events: institutions and people, hosts and partners, a series,
    working groups with their meetings, a coordination meeting, recorded meetings, and results."""
    inst = {name: row for (name, *_rest), row in zip(INSTITUTIONS, _institutions())}
    people = _contacts(list(inst.values()), now)
    by_institution = {}
    for contact in people:
        by_institution.setdefault(contact.institution.name, []).append(contact)
    irt = inst["Integrationsnetzwerk Region Trier (IRT)"]
    podium, info, forum, talk = events
    _link(podium, (irt, InstitutionRole.host), (inst["IHK Trier"], InstitutionRole.co_host),
          (inst["HWK Trier"], InstitutionRole.co_host), (inst["Agentur für Arbeit Trier"], InstitutionRole.partner),
          (inst["Lernende Region – Netzwerk Bildung"], InstitutionRole.partner))
    _link(info, (inst["Agentur für Arbeit Trier"], InstitutionRole.host), (irt, InstitutionRole.co_host),
          (inst["Jobcenter Trier-Stadt"], InstitutionRole.partner))
    _link(forum, (irt, InstitutionRole.host), (inst["Eifelkreis Bitburg-Prüm"], InstitutionRole.co_host),
          (inst["Volkshochschule Trier"], InstitutionRole.partner))
    _link(talk, (inst["HWK Trier"], InstitutionRole.host), (irt, InstitutionRole.partner))

    # The series: this season's events on training and work, one of them already past.
    series = Series(slug="ausbildung-und-arbeit-2026-27", title="Ausbildung und Arbeit 2026/27",
                    description="Podien, Informationsabende und Foren rund um Ausbildung und Arbeit für "
                                "Geflüchtete in der Region Trier.")
    db.session.add(series)
    db.session.flush()
    past_forum = _event("Forum Integration durch Ausbildung", "forum", -45, 17, hours=3, capacity=80,
                        venue="HWK Trier, Großer Saal", address="Loebstraße 18, 54292 Trier",
                        summary="Rund 70 Teilnehmende aus Betrieben, Kammern, Schulen und Initiativen.",
                        description="Erfahrungen aus Betrieben, die Geflüchtete ausbilden.",
                        speakers=["Axel Bettendorf, HWK Trier"])
    for event in (podium, info, past_forum):
        event.series_id = series.id
    _link(past_forum, (irt, InstitutionRole.host), (inst["HWK Trier"], InstitutionRole.co_host),
          (inst["IHK Trier"], InstitutionRole.partner))
    _register(past_forum, people[:24], now, checked_in=True)
    _register(past_forum, people[24:30], now)
    db.session.add(EventResult(
        event_id=past_forum.id, updated_by="demo data",
        summary="**Ergebnisse:** Betriebe wünschen sich eine feste Ansprechperson für Fragen zu Aufenthalt und "
                "Förderung. Die Kammern richten dafür eine gemeinsame Sprechstunde ein.",
        minutes="Protokoll für das Netzwerk: Teilnehmende, Beiträge und Verabredungen.",
        summary_visibility=ResultVisibility.public, minutes_visibility=ResultVisibility.network))
    db.session.add(ResultFile(event_id=past_forum.id, filename="protokoll-forum.pdf", title="Protokoll (PDF)",
                              content_type="application/pdf", size=len(DEMO_PDF), data=DEMO_PDF,
                              visibility=ResultVisibility.public, uploaded_by="demo data"))

    # Two working groups, each with members, two past meetings and one to come (invitation only).
    groups = [("arbeitskreis-sprache", "Arbeitskreis Sprache und Qualifizierung",
               "Sprachkurse, Berufssprachkurse und Qualifizierung abstimmen.", "Volkshochschule Trier", 0),
              ("arbeitskreis-ausbildung", "Arbeitskreis Ausbildung und Arbeit",
               "Wege in Ausbildung und Arbeit, Praktika und Betriebe.", "IHK Trier", 1)]
    for slug, name, purpose, convenor_at, offset in groups:
        members = people[offset::6][:9]
        group = WorkingGroup(slug=slug, name=name, purpose=purpose, convenor_id=by_institution[convenor_at][0].id)
        db.session.add(group)
        db.session.flush()
        db.session.add_all(WorkingGroupMember(group_id=group.id, contact_id=member.id)
                           for member in {member.id: member for member in members + by_institution[convenor_at][:1]}
                           .values())
        for days in (-60 + offset * 7, -20 + offset * 7, 9 + offset * 7):
            meeting = _event(f"{name}: Treffen", "working-group", days, 14, capacity=20,
                             venue="Rathaus Trier, Raum 12", address="Am Augustinerhof, 54290 Trier",
                             summary="Treffen des Arbeitskreises: Stand der Dinge, nächste Schritte.",
                             visibility=EventVisibility.invitation)
            meeting.working_group_id = group.id
            _register(meeting, members[:6], now, checked_in=days < 0)

    # An invitation-only coordination meeting with the chambers, authorities and charities.
    coordination = _event("Koordinierungstreffen Integration in Ausbildung", "coordination", 12, 10, hours=3,
                          capacity=25, venue="IHK Trier, Raum Mosel", address="Herzogenbuscher Straße 12, 54292 Trier",
                          summary="Abstimmung der Partner: Angebote, Lücken, gemeinsame Schritte.",
                          visibility=EventVisibility.invitation)
    invited = ["IHK Trier", "HWK Trier", "ADD Trier, Schulbehörde", "Agentur für Arbeit Trier",
               "BAMF, Außenstelle Trier", "Kreishandwerkerschaft MEHR", "Caritasverband Trier",
               "DRK Kreisverband Trier-Saarburg", "Stadt Trier"]
    _link(coordination, (irt, InstitutionRole.host), *((inst[name], InstitutionRole.partner) for name in invited[:2]))
    _register(coordination, [by_institution[name][0] for name in invited], now)

    # Meetings recorded afterwards: nobody signed up, staff noted who was there.
    recorded = [("Gespräch mit der Agentur für Arbeit zu Berufssprachkursen", EventKind.talk, -30,
                 ["Agentur für Arbeit Trier", "Volkshochschule Trier"]),
                ("Besuch: Ausbildungsmesse der HWK", EventKind.visit, -25, ["HWK Trier"]),
                ("Abstimmung mit dem BAMF zu Integrationskursen", EventKind.coordination, -12,
                 ["BAMF, Außenstelle Trier", "Volkshochschule Trier", "Caritasverband Trier"]),
                ("Treffen mit der Willkommensinitiative Trier-West", EventKind.coordination, -5,
                 ["Willkommensinitiative Trier-West", "Stadt Trier"])]
    for title, kind, days, present in recorded:
        meeting = _event(title, kind, days, 10, hours=1, venue="Büro des IRT", visibility=EventVisibility.record,
                         description="Notiz: Verabredungen und nächste Schritte.")
        _link(meeting, *((inst[name], InstitutionRole.present) for name in present))
        db.session.add_all(MeetingPresence(event_id=meeting.id, contact_id=contact.id, recorded_by="demo data")
                           for name in present for contact in by_institution[name][:2])


# The past forum's feedback: (overall 1-5, most useful, what to change, come again), one a guest.
FEEDBACK = [
    (5, "Die Beispiele aus den Betrieben, sehr konkret.", "", "yes"),
    (4, "Kontakte zu den Kammern.", "Mehr Zeit für Fragen aus dem Publikum.", "yes"),
    (5, "Der Thementisch zur Förderung.", "", "yes"),
    (3, "", "Der Saal war zu warm, die Pausen zu kurz.", "maybe"),
    (4, "Dass Geflüchtete selbst berichtet haben.", "Früher einladen, damit Betriebe planen können.", "yes"),
    (2, "", "Zu viele Vorträge, zu wenig Austausch.", "maybe"),
    (5, "Die Übersicht der Ansprechpersonen.", "", "yes"),
    (4, "", "Unterlagen vorab per Mail schicken.", "yes"),
    (3, "Gespräche in der Pause.", "Ein Termin am Vormittag wäre besser.", "no"),
    (5, "Alles, vor allem die Praxisbeispiele.", "", "yes"),
    (4, "Die Infos zur Ausbildungsduldung.", "", "yes"),
    (4, "", "", "yes"),
    (3, "Neue Kontakte.", "Bessere Beschilderung im Haus.", "maybe"),
    (5, "Die Offenheit der Betriebe.", "Gern mehr solche Foren.", "yes"),
    (4, "Die kurzen Wege zur Kammer.", "", "yes"),
]
SURVEY_INTRO = ("Einmal im Jahr fragen wir alle Akteurinnen und Akteure des Netzwerks nach ihrer Arbeit und "
                "ihren Ergebnissen. Die Antworten fließen in den Jahresbericht an Vorstand und Förderer.\n\n"
                "Das Ausfüllen dauert etwa zehn Minuten; Sie können zwischendurch speichern.")
# The actors' survey: sections and their questions (kind, text, and what else the question needs).
SURVEY = [
    ("Über Sie", "", [
        ("single", "In welcher Rolle sind Sie im Netzwerk aktiv?", dict(required=True, options=[
            "Hauptamtlich in einer Institution", "Ehrenamtlich in einer Initiative", "In einem Betrieb",
            "In Verwaltung oder Behörde"])),
        ("multiple", "In welchen Handlungsfeldern sind Sie tätig?", dict(required=True, allow_other=True, options=[
            "Sprache", "Ausbildung", "Arbeit", "Wohnen", "Beratung und Begleitung"])),
        ("short-text", "Für welche Institution oder Initiative antworten Sie?", {}),
    ]),
    ("Ihre Arbeit 2026", "Bitte denken Sie an das ganze Jahr 2026.", [
        ("number", "Wie viele Geflüchtete haben Sie 2026 begleitet?",
         dict(required=True, min_number=0, max_number=2000, help="Eine Schätzung genügt.")),
        ("long-text", "Welche konkreten Ergebnisse hat Ihre Arbeit 2026 gebracht?",
         dict(required=True, help="Zum Beispiel Ausbildungsverträge, Sprachkurse, Wohnungen.")),
    ]),
    ("Das Netzwerk", "", [
        ("scale", "Wie zufrieden sind Sie mit dem Austausch im Netzwerk?",
         dict(required=True, low_label="gar nicht", high_label="sehr")),
        ("single", "Möchten Sie 2027 in einem Arbeitskreis mitarbeiten?", dict(options=["Ja", "Vielleicht", "Nein"])),
        ("long-text", "Was sollte das Netzwerk 2027 anders machen?", {}),
    ]),
]
RESULTS = ["Drei Ausbildungsverträge im Handwerk, zwei davon in Betrieben aus dem Netzwerk.",
           "Ein Sprachcafé, das jede Woche etwa 20 Menschen besuchen.",
           "Zwölf Menschen in Arbeit vermittelt; eine feste Sprechstunde im Jobcenter.",
           "Wohnungen für vier Familien gefunden, mit Patenschaften für den Anfang.",
           "Berufssprachkurse im Eifelkreis, erreichbar mit dem Bürgerbus."]
# A second sentence to some results (4 and 5 have no common divisor: 20 different answers), wishes, others.
MORE = ["", " Ohne die Kontakte aus dem Arbeitskreis wäre das nicht gelungen.", " 2027 wollen wir das ausbauen.",
        " Schwierig bleibt die Suche nach Kinderbetreuung während der Kurse."]
WISHES = ["", "Mehr Treffen im ländlichen Raum.", "", "Eine gemeinsame Übersicht aller Angebote.", "",
          "Termine auch am Abend, für Ehrenamtliche.", "", "Protokolle schneller verschicken."]
OTHERS = ["Freizeit und Sport", "Gesundheit", "Kinderbetreuung"]


def _ask(survey, section, questions: list) -> None:
    """Add the questions ((kind, text, fields)) to a section of a survey being built."""
    for kind, text, extra in questions:
        fields = dict(extra, kind=kind, text=text)
        fields["options"] = [{"label": label} for label in extra.get("options", [])]
        building_questions.add_question(survey, section.id, fields, by=DEMO, now=utcnow())


def _answer(token: str, answers: list[dict], now: datetime, send: bool) -> None:
    """Save sections as the person of `token` would, one after the other, and send with the last."""
    sections = responding.sections_of(responding.open_link(token).survey_id)
    for number, (part, values) in enumerate(zip(sections, answers), start=1):
        by_id = {question.id: values.get(n) for n, question in enumerate(part.questions)}
        others = {question.id: values.get("other", "") for question in part.questions}
        responding.save_section(token, part.section.id, by_id, others, send=send and number == len(answers),
                                now=now)


def _tokens(survey_id: int) -> list[str]:
    return list(db.session.execute(select(SurveyInvitation.token).where(SurveyInvitation.survey_id == survey_id)
                                   .order_by(SurveyInvitation.id)).scalars())


def load_surveys() -> None:
    """The past forum's feedback (switched on, sent after the forum, answered by 15 of 24, closed),
    the actors' survey sent to every contact (some answers complete, some part-way), and a draft."""
    forum = db.session.execute(select(Event).where(Event.title == "Forum Integration durch Ausbildung")).scalar_one()
    feedback.switch_on(forum.id, feedback.FeedbackSettings(), by=DEMO, now=forum.ends_at - timedelta(days=7))
    feedback.send_due(now=forum.ends_at + timedelta(hours=3))
    survey = feedback.form_of(forum.id)
    for n, (token, (overall, useful, change, again)) in enumerate(zip(_tokens(survey.id), FEEDBACK)):
        _answer(token, [{0: overall, 1: useful or None, 2: change or None, 3: again}],
                forum.ends_at + timedelta(hours=5 + n * 7), send=True)
    feedback.send_due(now=forum.ends_at + timedelta(days=5))  # the reminder to the nine who did not answer
    sending.close_due(now=forum.ends_at + timedelta(days=14, minutes=5))  # as the chore closes it

    with write_transaction() as tx:
        survey = building.create_survey(title="Netzwerkbefragung 2026", intro=SURVEY_INTRO, by=DEMO, now=tx.now,
                                        closes_at=_at(31, 0))  # the end of the last day
        for n, (title, intro, questions) in enumerate(SURVEY):  # the first section comes with the survey
            section = (building.update_section(survey, building.sections_of(survey.id)[0].id, title=title, intro=intro,
                                               by=DEMO, now=tx.now) if n == 0 else
                       building.add_section(survey, title=title, intro=intro, by=DEMO, now=tx.now))
            _ask(survey, section, questions)
    sending.save_audience(survey.id, make_survey_audience(everyone=True), by=DEMO)
    sending.send_survey(survey.id, by=DEMO)
    options = {q.text: [o["id"] for o in q.options] for rows in building.questions_by_section(survey.id).values()
               for q in rows}
    roles, fields, again = (options[SURVEY[a][2][b][1]] for a, b in ((0, 0), (0, 1), (2, 1)))
    for n, token in enumerate(_tokens(survey.id)[:30]):  # 22 complete, 8 part-way, the other 30 not yet
        chosen = sorted({fields[n % 5], fields[(n * 3 + 1) % 5]}, key=fields.index) + ["other"] * (n % 6 == 0)
        about = {0: roles[n % 7 % 4], 1: chosen, 2: None if n % 3 else INSTITUTIONS[n % len(INSTITUTIONS)][0],
                 "other": OTHERS[n // 6 % 3] if n % 6 == 0 else ""}
        work = {0: 5 + (n * 17) % 90, 1: RESULTS[n % 5] + MORE[n % 4]}
        network = {0: 2 + n * 7 % 4, 1: again[n % 3], 2: WISHES[n % 8] or None}
        _answer(token, [about, work, network][:3 if n < 22 else 1 + n % 2], utcnow(), send=n < 22)

    with write_transaction() as tx:
        draft = building.create_survey(title="Bedarfe der Ehrenamtlichen 2027", anonymous=True, by=DEMO, now=tx.now,
                                       intro="Was brauchen Ehrenamtliche, um gut arbeiten zu können?")
        _ask(draft, building.sections_of(draft.id)[0], [
            ("multiple", "Wobei wünschen Sie sich Unterstützung?", dict(allow_other=True, options=[
                "Fortbildung", "Supervision", "Fahrtkosten", "Räume"])),
            ("scale", "Wie gut fühlen Sie sich vom Netzwerk unterstützt?", dict(low_label="schlecht", high_label="gut")),
            ("long-text", "Was sollten wir noch wissen?", {})])


# A one-page PDF ("Protokoll"), small enough to keep here: the past forum's file.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
            b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
            b"4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 770 Td (Protokoll: Forum Integration) Tj ET\n"
            b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def load() -> tuple[User, str] | None:
    """Load the demo network and an admin user; None if there already is data. Commits."""
    if db.session.execute(select(Event.id).limit(1)).first() or \
            db.session.execute(select(User.id).limit(1)).first():
        return None
    with write_transaction() as tx:
        events = []
        for spec in EVENTS:
            spec = dict(spec)
            starts = _at(spec.pop("days"), spec.pop("hour"))
            ends = starts + timedelta(hours=spec.pop("hours"))
            events.append(create_event(starts_at=starts, ends_at=ends, publish=True, by=DEMO, **spec))
        load_network(events, tx.now)
    load_surveys()
    return create_user(DEMO_ADMIN, role=Role.admin, name="Demo Admin")
