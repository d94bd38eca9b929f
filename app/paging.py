"""Long lists in pages, sorted by a column the reader chose (the registrations, contacts, the
outbox, the door log).

A list's URL carries `page=3` and `sort=name` (or `sort=-name`, descending); both are read
leniently: an unknown column or a page past the end shows the nearest thing that exists.
"""
from dataclasses import dataclass

from sqlalchemy import func, select

from .extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    total: int  # how many match, on every page
    number: int  # 1 for the first page
    size: int

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least one)."""
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the first item on this page (1-based; 0 when there is none)."""
        return min(self.total, (self.number - 1) * self.size + 1)

    @property
    def last(self) -> int:
        """The position of the last item on this page."""
        return min(self.total, self.number * self.size)

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to offer: the first, the last, and those near this one; None for a gap."""
        near = range(max(1, self.number - around), min(self.pages, self.number + around) + 1)
        shown = sorted({1, self.pages, *near})
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def arg(self) -> str:
        """How the URL says it: "name" or "-name"."""
        return f"-{self.key}" if self.descending else self.key


def read_sort(value: str | None, options: dict, default: str) -> Sort:
    """The sort a URL asks for (`sort=name`, `sort=-name`), if `options` has that column; else `default`."""
    value = (value or "").strip()
    key = value.removeprefix("-")
    if key in options:
        return Sort(key, value.startswith("-"))
    return Sort(default.removeprefix("-"), default.startswith("-"))


def sorted_by(statement, sort: Sort, options: dict, tiebreak):
    """`statement` ordered by the chosen column (options: key -> column), then by `tiebreak`."""
    column = options[sort.key]
    return statement.order_by(column.desc() if sort.descending else column.asc(), tiebreak)


def paginate(statement, *, number: int | None, size: int) -> Page:
    """One page of the rows `statement` selects (an ORM select of one entity), with the total."""
    counting = select(func.count()).select_from(statement.order_by(None).subquery())
    total = db.session.execute(counting).scalar_one()
    pages = max(1, -(-total // size))
    number = min(max(1, number or 1), pages)
    items = list(db.session.execute(statement.limit(size).offset((number - 1) * size)).scalars())
    return Page(items, total, number, size)
