"""Staff pages for privacy: find a person by address, see and download everything held about them,
erase it in one step; when each event's registrations are anonymised; what Podium stores at all.

The address travels in POSTed forms, never in a URL: URLs end up in access logs and browser
histories. A contact's page links here by the contact's id instead.
"""
import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit import AuditAction, latest_entries
from ..auth.access import current_actor, staff_required
from ..contacts.models import ConsentSource, OrganisationKind
from ..contacts.services import get_contact, source_label
from ..database import utcnow
from ..errors import NotFound
from ..i18n import LANGUAGE_NAMES
from ..registrations.services import can_cancel
from . import registry, retention
from .export import person_data
from .forms import EraseForm, PersonForm
from .person import THE_PERSON, erase_person, find_person, recent_erasures

bp = Blueprint("privacy_staff", __name__, url_prefix="/staff/privacy")


def _index_page(form: PersonForm, status: int = 200):
    now = utcnow()
    return render_template("privacy/staff/index.html", form=form, overdue=retention.due_events(now),
                           upcoming=retention.upcoming_anonymisations(now),
                           purges=latest_entries(AuditAction.registrations_anonymised, 10),
                           erasures=recent_erasures(), the_person=THE_PERSON.name, tables=registry.TABLES,
                           holds=registry.Holds), status


@bp.get("/")
@staff_required
def index():
    """Find a person by address; the retention overview; what Podium stores about people."""
    return _index_page(PersonForm(formdata=None))


def _person_page(email: str):
    person = find_person(email)
    return render_template("privacy/staff/person.html", person=person, form=PersonForm(formdata=None, email=email),
                           erase_form=EraseForm(formdata=None, email=email), language_label=LANGUAGE_NAMES,
                           kind_labels={kind: kind.label for kind in OrganisationKind},
                           consent_labels={source: source.label for source in ConsentSource},
                           source_label=source_label)


@bp.post("/person")
@staff_required
def person():
    """Everything Podium holds under one address (the address is posted, not put in the URL)."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    return _person_page(form.email.data)


@bp.get("/contacts/<int:contact_id>")
@staff_required
def contact(contact_id):
    """Everything Podium holds under a contact's address (reached from the contact's page)."""
    return _person_page(get_contact(contact_id).email)


@bp.post("/person.json")
@staff_required
def download():
    """Everything held under one address, as a JSON file to hand to the person."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    return json_download(person_data(find_person(form.email.data), utcnow()))


def json_download(data: dict) -> Response:
    """A person's data as a JSON file (the security headers forbid any cache to keep it)."""
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="podium-data-{utcnow().strftime("%Y-%m-%d")}.json"'
    return response


@bp.post("/erase")
@staff_required
def confirm_erase():
    """Ask before erasing, saying what goes and what happens to the person's places."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    return _erase_page(EraseForm(formdata=None, email=form.email.data))


def _erase_page(form: EraseForm, status: int = 200):
    person = find_person(form.email.data)
    if person.is_empty:
        raise NotFound(_("Podium holds nothing under this address."))
    return render_template("privacy/staff/erase.html", person=person, form=form,
                           to_cancel=sum(can_cancel(registration) for registration in person.registrations)), status


@bp.post("/erase/confirm")
@staff_required
def erase():
    """Erase everything held under the address, in one step."""
    form = EraseForm()
    if not form.validate_on_submit():
        return _erase_page(form, 422)
    done = erase_person(form.email.data, by=current_actor())
    parts = [ngettext("%(num)s registration anonymised", "%(num)s registrations anonymised", done.registrations)]
    if done.cancelled:  # "of them": the registrations, so it follows them
        parts.append(ngettext("%(num)s of them cancelled first", "%(num)s of them cancelled first", done.cancelled))
    parts.append(ngettext("%(num)s mail anonymised", "%(num)s mails anonymised", done.mails))
    if done.contact:
        parts.append(_("the contact deleted"))
    flash(_("Erased: %(what)s.", what=", ".join(parts)))
    return redirect(url_for("privacy_staff.index"))
