"""Whom a campaign invites: all contacts, those with some tags, from some kinds of
organisation (the kind of the institution they belong to; "other" also takes in those who
belong to none), or a pasted list of addresses (any of them)."""
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..contacts.models import Contact, Institution, OrganisationKind
from ..contacts.rules import parse_tags
from ..contacts.services import contact_kind
from ..errors import InvalidInput
from ..extensions import db
from .models import Campaign

AUDIENCE_KINDS = ("all", "tags", "kinds", "emails")
EMAIL_IN_TEXT = re.compile(r"[^\s,;:<>()\[\]\"']+@[^\s,;:<>()\[\]\"']+\.[^\s,;:<>()\[\]\"']+")


def parse_emails(text: str) -> list[str]:
    """The addresses in a pasted list ("Anna <anna@example.org>, bob@example.org; ..."), each once."""
    found, seen = [], set()
    for address in EMAIL_IN_TEXT.findall(text or ""):
        address = address.strip(".")
        if address.lower() not in seen:
            seen.add(address.lower())
            found.append(address)
    return found


def make_audience(kind: str, *, tags: str = "", kinds: list[str] | None = None, emails: str = "") -> dict:
    """The stored form of an audience, from what the form offers.

    :raises InvalidInput: when the chosen kind of audience names nobody (`field` says where).
    """
    if kind == "all":
        return {"all": True}
    if kind == "tags":
        chosen = parse_tags(tags)
        if not chosen:
            raise InvalidInput(_l("Please enter at least one tag."), field="tags")
        return {"tags": chosen}
    if kind == "kinds":
        chosen = [k for k in (kinds or []) if k in OrganisationKind.__members__.values()]
        if not chosen:
            raise InvalidInput(_l("Please choose at least one kind of organisation."), field="kinds")
        return {"kinds": chosen}
    if kind == "emails":
        chosen = parse_emails(emails)
        if not chosen:
            raise InvalidInput(_l("Please paste at least one email address."), field="emails")
        return {"emails": chosen}
    raise InvalidInput(_l("Please choose who gets the invitation."), field="audience")


def audience_kind(audience: dict) -> str:
    """Which of the form's choices a stored audience is."""
    return next((kind for kind in AUDIENCE_KINDS if audience.get(kind)), "all")


@dataclass(frozen=True)
class AudienceContact:
    id: int
    name: str
    email: str
    locale: str
    consented: bool = True  # a consent is on record (staff are warned about those without)


@dataclass(frozen=True)
class Audience:
    """Whom an audience reaches now."""

    contacts: list[AudienceContact]  # in the audience and not unsubscribed, by id
    unsubscribed: int  # in the audience, but unsubscribed: never mailed
    unknown_emails: list[str]  # pasted addresses that are no contact: not mailed, not created

    @property
    def count(self) -> int:
        """How many contacts would be mailed."""
        return len(self.contacts)


def resolve_audience(audience: dict) -> Audience:
    """The contacts an audience names: any of its criteria (all, tags, kinds, pasted addresses).

    Pasted addresses that match no contact are reported, not created: a contact
    needs a source and a lawful basis (an import, a sign-up), which a pasted list
    of addresses does not give.
    """
    tags = {t.casefold() for t in audience.get("tags") or []}
    kinds = set(audience.get("kinds") or [])
    emails = {e.lower(): e for e in audience.get("emails") or []}
    kind = contact_kind()  # a contact of no institution counts as "other", as in the contacts list
    query = (select(Contact.id, Contact.name, Contact.email, Contact.email_key, Contact.locale, Contact.tags,
                    kind.label("kind"),
                    Contact.unsubscribed_at, Contact.consent_at)
             .outerjoin(Institution, Institution.id == Contact.institution_id).order_by(Contact.id))
    if not audience.get("all") and not tags:
        # Without tags the criteria are plain columns: let the database choose.
        query = query.where(kind.in_(kinds) | Contact.email_key.in_(list(emails)))
    contacts, unsubscribed, matched = [], 0, set()
    for row in db.session.execute(query):
        matched.add(row.email_key)
        chosen = (audience.get("all") or row.kind in kinds or row.email_key in emails
                  or any(str(t).casefold() in tags for t in row.tags or []))
        if not chosen:
            continue
        if row.unsubscribed_at is not None:
            unsubscribed += 1
        else:
            contacts.append(AudienceContact(row.id, row.name, row.email, row.locale, row.consent_at is not None))
    unknown = [address for key, address in emails.items() if key not in matched]
    return Audience(contacts, unsubscribed, unknown)


def audience_sample(campaign: Campaign, limit: int = 500) -> list[Contact]:
    """Up to `limit` contacts of the campaign's audience, by name, to preview the mail for."""
    chosen = sorted(resolve_audience(campaign.audience).contacts, key=lambda c: (c.name.lower(), c.id))[:limit]
    if not chosen:
        return []
    query = select(Contact).where(Contact.id.in_([c.id for c in chosen])).order_by(Contact.name, Contact.id)
    return list(db.session.execute(query).scalars())
