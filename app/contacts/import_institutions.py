"""The institutions a contacts file names. Each organisation cell is matched to an institution by
its name, however it is spelt (text.name_key); a name Podium does not know yet becomes a new
institution when the import is confirmed, spelt as its first line has it, with the kind the first
line that gives one says (else "other"). An institution Podium knows keeps its kind: staff change
that on the institution's page, not through a file."""
from datetime import datetime

from sqlalchemy import select

from ..audit import Actor
from ..extensions import db
from .institutions import institution_key, institution_named
from .models import Institution, OrganisationKind
from .rules import Problem


class InstitutionPlan:
    """The institutions of one file: those Podium has, and those importing it would add."""

    def __init__(self, organisations, *, lock: bool):
        keys = sorted({institution_key(name) for name in organisations} - {""})
        query = select(Institution).where(Institution.name_key.in_(keys))
        if lock:
            query = query.with_for_update()  # PostgreSQL; on SQLite write_transaction holds the write lock
        self.known = {institution.name_key: institution for institution in db.session.execute(query).scalars()}
        self.new: dict[str, list] = {}  # name_key -> [name, kind], in the order of the file

    def name_for(self, organisation: str, kind: str) -> str:
        """The institution an organisation cell names, by the name it will have ("" for none)."""
        key = institution_key(organisation)
        if not key:
            return ""
        if key in self.known:
            return self.known[key].name
        planned = self.new.setdefault(key, [organisation, ""])
        planned[1] = planned[1] or kind
        return planned[0]

    def warnings(self, organisation: str, warnings: tuple[Problem, ...]) -> tuple[Problem, ...]:
        """A line's warnings, where an unknown kind meets an institution Podium has: it keeps its own."""
        known = self.known.get(institution_key(organisation))
        if known is None:
            return warnings
        return tuple(Problem(w.field, "unknown_kind_kept", {**w.params, "kind": str(known.kind)})
                     if w.code == "unknown_kind" else w for w in warnings)

    @property
    def new_institutions(self) -> tuple[tuple[str, str], ...]:
        """(name, kind) of each institution importing the file would add, in the order of the file."""
        return tuple((name, kind or str(OrganisationKind.other)) for name, kind in self.new.values())

    def institution(self, name: str, *, by: Actor, now: datetime) -> Institution | None:
        """The institution of a planned name, added now if it is a new one (in the caller's transaction)."""
        key = institution_key(name)
        if not key:
            return None
        if key not in self.known:
            self.known[key] = institution_named(name, self.new.get(key, [name, ""])[1], by=by, now=now)
        return self.known[key]
