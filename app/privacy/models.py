"""What the figures keep of a person once their sign-ups are anonymised.

The yearly report counts people, not sign-ups: someone who came to three forums is one person
reached. An anonymised registration has no address left to tell, so on anonymisation it gets
the person's `ref`, a random value that says nothing about who they are, and sign-ups of the same
person not yet anonymised find that ref here by their identity (the address of the contact they
are linked to, else their own). A ref whose person has nothing left but anonymised rows is
forgotten here (retention), after which nothing links it to anyone.
"""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class PersonRef(db.Model):
    __tablename__ = "person_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # text.email_key of the person's address (the linked contact's, else the registration's).
    identity: Mapped[str] = mapped_column(String(254), unique=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
