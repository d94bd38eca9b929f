"""The door log as staff read it on the attendance page: every check-in and undo of an event,
a page at a time, newest first unless the reader sorts it otherwise."""
from sqlalchemy import func, select

from ..paging import Page, Sort, paginate, sorted_by
from ..registrations.models import Registration
from .models import CheckInRecord

# The columns the log sorts by (the URL's `sort=`).
LOG_SORTS = {"time": CheckInRecord.at, "guest": func.lower(Registration.name)}
LOG_DEFAULT_SORT = "-time"
LOG_PAGE_SIZE = 50


def door_log(event_id: int, *, sort: Sort, page: int | None = None, size: int = LOG_PAGE_SIZE) -> Page:
    """One page of the event's check-ins and undos, sorted by a column of LOG_SORTS (ties in the
    order they happened)."""
    statement = (select(CheckInRecord).join(Registration, Registration.id == CheckInRecord.registration_id)
                 .where(CheckInRecord.event_id == event_id))
    tiebreak = CheckInRecord.id.desc() if sort.descending else CheckInRecord.id
    return paginate(sorted_by(statement, sort, LOG_SORTS, tiebreak), number=page, size=size)
