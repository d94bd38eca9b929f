"""Whom a survey asks: all contacts, those with some tags, from some kinds of institution, the
members of a working group, or any mix of these (a contact who meets any of them is asked once).

The contacts are found by campaigns.audience, which already knows tags, kinds and unsubscribed
contacts; a working group joins in as the addresses of its members. Unsubscribed contacts are
never asked; those without a recorded consent are counted, so that staff are warned as they are
before a campaign.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..campaigns.audience import Audience, resolve_audience
from ..contacts.models import Contact, OrganisationKind
from ..contacts.rules import parse_tags
from ..database import is_valid_id
from ..errors import InvalidInput
from ..extensions import db
from ..network.models import WorkingGroup, WorkingGroupMember


def make_survey_audience(*, everyone: bool = False, tags: str = "", kinds: list[str] | None = None,
                         group_id: int | None = None) -> dict:
    """The stored form of a survey's audience, from what the send page's form offers.

    :raises InvalidInput: nobody chosen, or a working group that does not exist (`field` says where).
    """
    chosen_tags = parse_tags(tags or "")
    chosen_kinds = [k for k in (kinds or []) if k in OrganisationKind.__members__.values()]
    if group_id is not None and not (is_valid_id(group_id) and db.session.get(WorkingGroup, group_id)):
        raise InvalidInput(WorkingGroup.not_found, field="group_id")
    if not (everyone or chosen_tags or chosen_kinds or group_id):
        raise InvalidInput(_l("Please choose whom to ask: all contacts, tags, kinds of institution or a "
                              "working group."), field="everyone")
    return {"all": bool(everyone), "tags": chosen_tags, "kinds": chosen_kinds, "group_id": group_id}


def has_audience(audience: dict | None) -> bool:
    """Whether a stored audience names anyone at all (a new survey's names nobody yet)."""
    audience = audience or {}
    return any(audience.get(name) for name in ("all", "tags", "kinds", "group_id"))


def resolve_survey_audience(audience: dict | None) -> Audience:
    """The contacts a survey's audience reaches now (not unsubscribed, by id), and how many of it
    have unsubscribed."""
    audience = audience or {}
    criteria = {"all": bool(audience.get("all")), "tags": audience.get("tags") or [],
                "kinds": audience.get("kinds") or []}
    group_id = audience.get("group_id")
    if group_id and not criteria["all"]:
        # The members as pasted addresses: campaigns.audience matches those by their key.
        criteria["emails"] = list(db.session.execute(
            select(Contact.email_key).join(WorkingGroupMember, WorkingGroupMember.contact_id == Contact.id)
            .where(WorkingGroupMember.group_id == group_id)).scalars())
    if not has_audience(audience):
        return Audience([], 0, [])
    return resolve_audience(criteria)


def audience_terms(audience: dict | None) -> list[str]:
    """A stored audience as the history keeps it: ["all", "tag: Ausbildung", "kind: charity",
    "working group: AK Sprache"] (the group by its name, which outlives a renaming in the entry)."""
    audience = audience or {}
    terms = ["all"] if audience.get("all") else []
    terms += [f"tag: {tag}" for tag in audience.get("tags") or []]
    terms += [f"kind: {kind}" for kind in audience.get("kinds") or []]
    group_id = audience.get("group_id")
    group = db.session.get(WorkingGroup, group_id) if group_id and is_valid_id(group_id) else None
    if group_id:
        terms.append(f"working group: {group.name if group else group_id}")
    return terms
