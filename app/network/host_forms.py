"""The forms of an event's institutions page: naming an institution, and changing its role."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import PodiumForm


def role_choices(roles) -> list[SelectChoice]:
    """The roles as a select offers them, each by its label."""
    return [SelectChoice(role.value, role.label) for role in roles]


class EventInstitutionForm(PodiumForm):
    """An institution to name on the event, and its role. The view fills in the choices."""

    institution_id = SelectField(_l("Institution"), validators=[InputRequired(_l("Please choose an institution."))])
    role = SelectField(_l("Role"), validators=[InputRequired(_l("Please choose a role."))])

    def set_choices(self, institutions: list[tuple[int, str]], roles) -> None:
        """Offer these institutions, (id, name) pairs, after a prompt, and these roles."""
        self.institution_id.choices = [SelectChoice("", _l("Choose an institution …"))] + [
            SelectChoice(str(institution_id), name) for institution_id, name in institutions]
        self.role.choices = role_choices(roles)


class RoleForm(PodiumForm):
    """Another role for an institution already named on the event."""

    role = SelectField(_l("Role"), validators=[InputRequired(_l("Please choose a role."))])
