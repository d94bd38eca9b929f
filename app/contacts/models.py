"""The contact network: the people Podium may invite, and the institutions they belong to."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..affiliation import Affiliation
from ..database import EnumText, LabelledEnum, UTCDateTime, utcnow
from ..extensions import db
from ..links import new_link_token


class OrganisationKind(LabelledEnum):
    chamber = "chamber", _l("Chamber (IHK, HWK)")
    authority = "authority", _l("Authority (state, federal)")
    employment_agency = "employment-agency", _l("Employment agency / job centre")
    city = "city", _l("City")
    district = "district", _l("District")
    charity = "charity", _l("Charity")
    school = "school", _l("School")
    company = "company", _l("Company")
    volunteer = "volunteer", _l("Volunteer initiative")
    other = "other", _l("Other")


class ConsentSource(LabelledEnum):
    """Where a contact's consent to be stored and mailed was given (none recorded: no value)."""

    staff = "staff", _l("told to staff (in person, by phone or in writing)")
    import_file = "import", _l("stated in an imported file")
    invitation = "invitation", _l("agreed on signing up through an invitation")


class Institution(db.Model):
    """An organisation of the network: a chamber, an authority, a school, a charity, an initiative.

    Contacts belong to one; events name them as hosts, co-hosts and partners (network.models);
    a partner account sees the events of its own.
    """

    __tablename__ = "institutions"
    not_found = _l("There is no such institution.")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # text.name_key of the name: one record per institution, however its name was typed.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(EnumText(OrganisationKind, 30), default=OrganisationKind.other)
    place: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Institution {self.id} {self.name}>"


class Contact(db.Model):
    """A person of the network whom Podium may invite."""

    __tablename__ = "contacts"
    not_found = _l("There is no such contact.")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # text.email_key of the address: unique, whatever the case it was typed in.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    # The institution the person belongs to (its kind is the contact's kind of organisation);
    # None: none known.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                      index=True)
    # Full-time or volunteer as staff set it; None: taken from the person's latest sign-up
    # (network.people.affiliation_of).
    affiliation: Mapped[Affiliation | None] = mapped_column(EnumText(Affiliation, 20))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(10), default="de")
    # Where the contact came from ("CSV import network.csv", "typed in", "sign-up") and when.
    source: Mapped[str] = mapped_column(String(200), default="")
    source_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The consent record: where it was given, which of our texts (app/consent.py) where the
    # person agreed to one, and when. No consent_at: none recorded (staff are warned before
    # mailing such contacts).
    consent_source: Mapped[ConsentSource | None] = mapped_column(EnumText(ConsentSource, 20))
    consent_version: Mapped[str | None] = mapped_column(String(40))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The key of the one-click unsubscribe link: random, never derived from the address.
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution | None] = relationship()

    @property
    def has_consent(self) -> bool:
        """A consent to be stored and mailed is on record."""
        return self.consent_at is not None

    @property
    def is_unsubscribed(self) -> bool:
        """The contact asked for no more invitations."""
        return self.unsubscribed_at is not None
