"""The one place that lists every column holding personal data: complete, and what it says is done."""
from sqlalchemy import Column, MetaData, String, Table

import app.models  # noqa: F401  (every table)
from app.extensions import db
from app.privacy import registry
from app.privacy.registry import ANONYMISED_IN_PLACE, TABLES, Holds, unclassified


def schema_like_ours(leave_out: tuple[str, ...]) -> MetaData:
    """The tables and columns of the real schema, by name, without the columns in `leave_out`."""
    copy = MetaData()
    for table in db.metadata.sorted_tables:
        Table(table.name, copy, *(Column(column.name, String) for column in table.columns
                                  if f"{table.name}.{column.name}" not in leave_out))
    return copy


def test_every_column_of_every_table_is_classified():
    assert len(db.metadata.sorted_tables) >= 10, "the metadata holds the tables: the check reads them"
    assert unclassified(db.metadata) == []


def test_a_column_added_without_a_class_is_reported():
    """The negative control: a copy of the schema with one column more, and one table more."""
    copy = schema_like_ours(leave_out=())
    copy.tables["registrations"].append_column(Column("phone", String(40)))
    Table("poll_votes", copy, Column("id", String, primary_key=True), Column("answer", String))

    assert unclassified(copy) == ["poll_votes.answer: not classified", "poll_votes.id: not classified",
                                  "registrations.phone: not classified"]


def test_a_column_that_is_gone_is_reported_too():
    copy = schema_like_ours(leave_out=("contacts.tags",))

    assert unclassified(copy) == ["contacts.tags: classified, but not in the schema"]


def test_every_personal_column_of_a_table_anonymised_in_place_says_what_it_becomes():
    missing = [f"{table}.{column}" for table in ANONYMISED_IN_PLACE
               for column, rule in TABLES[table].columns.items() if rule.holds == Holds.personal and not rule.has_blank]
    assert missing == []


def test_the_guests_details_are_personal_and_the_figures_are_kept():
    assert registry.columns_holding("registrations", Holds.personal) == [
        "name", "email", "email_key", "organisation", "note", "contact_id", "ticket_code", "manage_token"]
    assert {"affiliation", "status", "checked_in_at", "created_at", "source"} <= set(
        registry.columns_holding("registrations", Holds.kept))


def test_every_table_says_what_it_is_and_when_its_personal_data_goes(app):
    for name, table in TABLES.items():
        assert str(table.about) and str(table.treatment), name
