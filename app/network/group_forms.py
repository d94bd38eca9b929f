"""The staff forms for working groups: the group itself, adding a member, and planning a meeting."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, IntegerField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..forms import PodiumForm
from ..text import clean_line, clean_text
from .meeting_forms import MeetingTimeForm


class GroupForm(PodiumForm):
    """A working group's name, purpose and convenor."""

    name = StringField(_l("Name"), filters=[clean_line],
                       validators=[DataRequired(_l("Please give the group a name.")), Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), filters=[clean_text], validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 4})
    # Choices: 0 (nobody yet) and every contact; the view fills them in.
    convenor_id = SelectField(_l("Convenor"), coerce=int, default=0)

    def group_fields(self) -> dict:
        """The validated input as groups.create_group and update_group take it."""
        return {"name": self.name.data, "purpose": self.purpose.data or "",
                "convenor_id": self.convenor_id.data or None}


class MemberForm(PodiumForm):
    """Add one contact to a group (the button beside a search result)."""

    contact_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class MemberSearchForm(Form):
    """The search for contacts to add (GET, so no CSRF token)."""

    q = SearchField(_l("Find a contact to add (name, email or organisation)"), filters=[clean_line],
                    validators=[Optional(), Length(max=200)])


class PlanMeetingForm(MeetingTimeForm):
    """A meeting of a working group and the invitation to its members."""

    title = StringField(_l("Title"), filters=[clean_line],
                        validators=[DataRequired(_l("Please give the meeting a title.")), Length(max=200)])
    capacity = IntegerField(_l("Capacity"), invalid_value_message=_l(
        "Enter a whole number of places, or leave it empty for no limit."), validators=[
        Optional(),
        NumberRange(min=0, max=100_000, message=_l("Enter a number of places from 0 to 100,000."))])
    subject = StringField(_l("Subject"), filters=[clean_line],
                          validators=[DataRequired(_l("Please enter a subject.")), Length(max=300)])
    body = TextAreaField(_l("Text"), filters=[clean_text], render_kw={"rows": 12}, validators=[
        DataRequired(_l("Please enter the text of the invitation.")), Length(max=20_000)])

    def event_fields(self) -> dict:
        """The validated input as the meeting's Event fields."""
        return self.place_and_time() | {"title": self.title.data, "capacity": self.capacity.data}
