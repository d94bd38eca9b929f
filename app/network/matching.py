"""Matching the organisations guests type to institutions, so that the figures per institution
come out right without asking guests to pick from a list.

What guests typed is grouped by its name_key ("IHK  trier" is "IHK Trier"); each group not yet
counted for an institution is offered with up to three institutions of a similar name (difflib on
the keys; an abbreviation of one name found whole in the other counts extra). Staff match a group
to one of them, to another one, or make an institution of the text. A match is kept
(registrations.models.OrganisationMatch): every registration with that text counts for the
institution from then on, and so does every later sign-up (registrations.organisations).
"""
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit import Actor, AuditAction, record
from ..contacts.institutions import institution_named
from ..contacts.models import Institution, OrganisationKind
from ..database import insert_with_conflicts, write_transaction
from ..errors import InvalidInput
from ..extensions import db
from ..registrations.models import OrganisationMatch, Registration
from ..text import name_key

SUGGESTIONS = 3
# Below this similarity a name is no suggestion.
LEAST_SIMILAR = 0.5
ABBREVIATION_BONUS = 0.3


class NothingToMatch(InvalidInput):
    code = "nothing_to_match"
    message = _l("There is no organisation to match; please start from the list.")


@dataclass(frozen=True)
class Suggestion:
    institution: Institution
    score: float  # 1.0: the same name, however spelt
    abbreviation: bool = False  # an abbreviation of one name stands in the other


@dataclass(frozen=True)
class TypedOrganisation:
    """An organisation as guests typed it (its most frequent spelling), not yet counted for an
    institution, with how many registrations have it and the institutions it may be."""

    text: str
    key: str
    registrations: int
    suggestions: tuple[Suggestion, ...] = ()
    matched_before: Institution | None = None  # a match exists, but these sign-ups did not take it


def unmatched_organisations(limit: int | None = None) -> list[TypedOrganisation]:
    """The organisations guests typed that count for no institution yet, the most frequent first (the
    first `limit` of them); each shown in its most frequent spelling (of those, the one typed first)."""
    spellings = _unmatched_spellings()
    if limit is not None:
        chosen = sorted(spellings, key=lambda key: (-sum(c for c, _first in spellings[key].values()), key))[:limit]
        spellings = {key: spellings[key] for key in chosen}
    institutions = list(db.session.execute(select(Institution)).scalars())
    matched = dict(db.session.execute(select(OrganisationMatch.name_key, OrganisationMatch.institution_id)
                                      .where(OrganisationMatch.name_key.in_(list(spellings)))).all())
    by_id = {institution.id: institution for institution in institutions}
    found = []
    for key, texts in spellings.items():
        text = max(texts, key=texts.__getitem__)
        found.append(TypedOrganisation(text, key, sum(count for count, _first in texts.values()),
                                       tuple(suggest(text, institutions)),
                                       by_id.get(matched.get(key))))
    return sorted(found, key=lambda typed: (-typed.registrations, typed.key))


def count_unmatched() -> int:
    """How many organisations guests typed count for no institution yet."""
    return len(_unmatched_spellings())


def _unmatched_spellings() -> dict[str, dict[str, tuple[int, int]]]:
    """name_key -> {spelling: (registrations, -the first one's id)} of what counts for no institution."""
    spellings: dict[str, dict[str, tuple[int, int]]] = {}
    query = (select(Registration.organisation, func.count(Registration.id), func.min(Registration.id))
             .where(Registration.institution_id.is_(None), Registration.organisation != "")
             .group_by(Registration.organisation))
    for text, count, first in db.session.execute(query):
        key = name_key(text)
        if key:
            spellings.setdefault(key, {})[text] = (count, -first)
    return spellings


def suggest(text: str, institutions: list[Institution], limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Up to `limit` institutions whose name is like the typed one, the likest first."""
    key, typed_abbreviations = name_key(text), abbreviations(text)
    # The typed key is the matcher's second sequence: difflib prepares that one once.
    matcher = SequenceMatcher(None, "", key)
    suggestions = []
    for institution in institutions:
        if institution.name_key == key:
            suggestions.append(Suggestion(institution, 1.0))
            continue
        abbreviation = (_abbreviation_in(typed_abbreviations, institution.name_key)
                        or _abbreviation_in(abbreviations(institution.name), key))
        matcher.set_seq1(institution.name_key)
        if not abbreviation and matcher.quick_ratio() < LEAST_SIMILAR:
            continue  # an upper bound of the ratio: this one is no suggestion
        score = matcher.ratio()
        if abbreviation:
            score = max(LEAST_SIMILAR, min(0.99, score + ABBREVIATION_BONUS))
        if score >= LEAST_SIMILAR:
            suggestions.append(Suggestion(institution, score, abbreviation))
    suggestions.sort(key=lambda s: (-s.score, s.institution.name_key))
    return suggestions[:limit]


def match_organisation(organisation: str, institution_id: int, *, by: Actor,
                       now: datetime | None = None) -> int:
    """Count every registration whose organisation is this text (however spelt) for an institution,
    now and for later sign-ups. Returns how many registrations changed. Commits.

    :raises NotFound: no such institution.
    :raises NothingToMatch: the text is empty.
    """
    key = _key_of(organisation)
    with write_transaction(lock=(Institution, institution_id), now=now) as tx:
        return _match(key, organisation, tx.row, by=by, now=tx.now)


def institution_from_organisation(organisation: str, kind: str, *, by: Actor,
                                  now: datetime | None = None) -> tuple[Institution, int]:
    """Make an institution of a typed organisation (or find the one of that name) and match the text
    to it. Returns the institution and how many registrations now count for it. Commits.

    :raises NothingToMatch: the text is empty.
    :raises contacts.institutions.InstitutionRefused: an unknown kind.
    """
    key = _key_of(organisation)
    with write_transaction(now=now) as tx:
        institution = institution_named(organisation, kind or OrganisationKind.other, by=by, now=tx.now)
        return institution, _match(key, organisation, institution, by=by, now=tx.now)


def _key_of(organisation: str) -> str:
    key = name_key(organisation)
    if not key:
        raise NothingToMatch()
    return key


def _match(key: str, organisation: str, institution: Institution, *, by: Actor, now: datetime) -> int:
    _keep_match(key, institution.id, by=by, now=now)
    # The spellings of the text among the registrations: name_key is Python's, not the database's.
    texts = [text for (text,) in db.session.execute(select(Registration.organisation).distinct()
                                                    .where(Registration.organisation != ""))
             if name_key(text) == key]
    changed = 0
    if texts:
        changed = db.session.execute(
            update(Registration).where(Registration.organisation.in_(texts),
                                       Registration.institution_id.is_distinct_from(institution.id))
            .values(institution_id=institution.id).execution_options(synchronize_session=False)).rowcount
    record(by, AuditAction.organisation_matched, at=now, institution_id=institution.id,
           changes={"organisation": organisation, "registrations": changed})
    return changed


def _keep_match(key: str, institution_id: int, *, by: Actor, now: datetime) -> None:
    """The text's match is this institution from now on: a new match, or the one staff made before
    changed. One statement (INSERT ... ON CONFLICT DO UPDATE), so two staff matching the same text
    at once do not collide on its unique key: the later one's institution stays, as if one after
    the other."""
    values = {"institution_id": institution_id, "created_by": by.name[:200], "created_at": now}
    statement = insert_with_conflicts(OrganisationMatch.__table__).values(name_key=key, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["name_key"], set_=values))


def abbreviations(name: str) -> set[str]:
    """The words of a name that are written as abbreviations ("IHK", "AfA", "VHS"), as keys."""
    return {name_key(word) for word in name.split()
            if 2 <= len(word.strip(".,()")) <= 6 and sum(c.isupper() for c in word) >= 2}


def _abbreviation_in(abbreviated: set[str], key: str) -> bool:
    """Whether one of the abbreviations stands whole in a name (its key), or begins the initials of its
    words ("drk" and "deutsches rotes kreuz trier")."""
    words = key.split()
    initials = "".join(word[0] for word in words)
    return any(word in words or (len(word) >= 3 and initials.startswith(word)) for word in abbreviated)
