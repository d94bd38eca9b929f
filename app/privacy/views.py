"""A guest's own data: from their page (/r/<token>) they ask for a link by mail, and with that link
they see, download and erase everything Podium holds under their address (see access_links for
why the page alone does not open it). Every path starts with /r/<key>: no cache keeps these
pages, no Referer names them, and the access log leaves the key out."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..contacts.models import ConsentSource, OrganisationKind
from ..contacts.services import source_label
from ..database import utcnow
from ..extensions import limiter
from ..forms import ButtonForm
from ..i18n import LANGUAGE_NAMES
from ..registrations import limits
from ..registrations import services as registrations
from . import access_links
from .export import person_data
from .forms import GuestEraseForm
from .person import THE_PERSON, erase_person, find_person
from .staff_views import json_download

bp = Blueprint("privacy", __name__)


@bp.post("/r/<token>/data-link")
@limiter.limit(limits.per_client)  # each press mails the guest: counted for their address as well
@limits.limited_per_registrations_address
def send_link(token):
    """Mail the guest a link to everything held under their address."""
    registration = registrations.get_by_manage_token(token)
    if ButtonForm().validate_on_submit() and access_links.can_ask_for_link(registration):
        address = access_links.send_access_link(registration.id, locale=str(get_locale()))
        limits.count_for_address()
        flash(_("We have sent a link to %(email)s. It shows all your data, lets you download and erase it, "
                "and is valid for 24 hours.", email=address))
    # To the top of the page, where the message is: at #your-data a guest on a phone would not see it
    # and might press again.
    return redirect(url_for("registrations.manage", token=token))


def _labels() -> dict:
    return {"kind_labels": {kind: kind.label for kind in OrganisationKind},
            "consent_labels": {source: source.label for source in ConsentSource},
            "language_label": LANGUAGE_NAMES, "source_label": source_label}


@bp.get("/r/<key>/my-data")
def your_data(key):
    """Everything held under the guest's address, with the download and the way to erase it."""
    registration = access_links.read_access_key(key)
    return render_template("privacy/your_data.html", person=find_person(registration.email), key=key,
                           registration=registration, **_labels())


@bp.get("/r/<key>/my-data.json")
def download(key):
    """Everything held under the guest's address, as a file."""
    registration = access_links.read_access_key(key)
    return json_download(person_data(find_person(registration.email), utcnow()))


def _erase_page(key, form, status=200):
    registration = access_links.read_access_key(key)
    person = find_person(registration.email)
    return render_template("privacy/erase.html", person=person, key=key, form=form,
                           to_cancel=[r for r in person.registrations if registrations.can_cancel(r)]), status


@bp.get("/r/<key>/erase-my-data")
def confirm_erase(key):
    """Ask before erasing, saying what goes."""
    return _erase_page(key, GuestEraseForm(formdata=None))


@bp.post("/r/<key>/erase-my-data")
def erase(key):
    """Cancel what can be cancelled, then erase everything held under the guest's address."""
    form = GuestEraseForm()
    if not form.validate_on_submit():
        return _erase_page(key, form, 422)
    registration = access_links.read_access_key(key)
    done = erase_person(registration.email, by=THE_PERSON)
    return render_template("privacy/erased.html", done=done)
