"""Staff pages of the institutions: the list, one institution with its people and events, and
matching the organisations guests typed to institutions, and the people who signed up but are no
contact yet."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import current_actor, staff_required
from ..database import parse_id
from ..errors import NotFound
from ..forms import ButtonForm, field_labels, show_refusal
from ..network import institution_overview, matching, people
from . import institutions
from .institution_forms import (
    ContactSearchForm,
    InstitutionFilterForm,
    InstitutionForm,
    LinkForm,
    MatchForm,
    NewFromTextForm,
)
from .models import OrganisationKind
from .services import ContactRefused

bp = Blueprint("institutions_staff", __name__, url_prefix="/staff/institutions")

# The typed organisations one page offers to match (the most frequent first).
ORGANISATIONS_SHOWN = 50
# How the history names stored values of an institution.
VALUE_LABELS = {"kind": {kind: kind.label for kind in OrganisationKind}}


@bp.get("/")
@staff_required
def index():
    """The institutions: search, a kind, and for each how many people, events and sign-ups."""
    form = InstitutionFilterForm(request.args)
    kind = form.kind.data if form.kind.data in OrganisationKind.__members__.values() else ""
    rows = institution_overview.institution_list(form.q.data or "", kind)
    return render_template("institutions/list.html", form=form, rows=rows, filtered=bool(form.q.data or kind),
                           unmatched=matching.count_unmatched(), unlinked=people.count_unlinked())


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Add an institution."""
    form = InstitutionForm()
    if form.validate_on_submit():
        try:
            institution = institutions.create_institution(form.data, by=current_actor())
        except institutions.InstitutionRefused as exc:
            show_refusal(form, exc)
        else:
            flash(_("%(name)s was added to the institutions.", name=institution.name))
            return redirect(url_for("institutions_staff.show", institution_id=institution.id))
    return render_template("institutions/form.html", form=form, institution=None), \
        422 if form.is_submitted() else 200


@bp.get("/<int:institution_id>")
@staff_required
def show(institution_id):
    """One institution: its people, its events by role, the sign-ups that count for it, its history."""
    page = institution_overview.institution_page(institution_id)
    return render_template("institutions/show.html", page=page, institution=page.institution,
                           registrations_total=institution_overview.count_registrations(institution_id),
                           history=institutions.institution_history(institution_id), value_labels=VALUE_LABELS,
                           field_labels=field_labels(InstitutionForm(formdata=None, meta={"csrf": False})))


@bp.route("/<int:institution_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(institution_id):
    """Change an institution's name, kind, place, website or notes."""
    institution = institutions.get_institution(institution_id)
    form = InstitutionForm.for_institution(institution)
    if form.validate_on_submit():
        try:
            institution = institutions.update_institution(institution.id, form.data, by=current_actor())
        except institutions.InstitutionRefused as exc:
            show_refusal(form, exc)
        else:
            flash(_("The details of %(name)s were saved.", name=institution.name))
            return redirect(url_for("institutions_staff.show", institution_id=institution.id))
    return render_template("institutions/form.html", form=form, institution=institution), \
        422 if form.is_submitted() else 200


@bp.route("/<int:institution_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(institution_id):
    """Ask, saying what goes with it, then remove an institution (its people stay, without it)."""
    institution = institutions.get_institution(institution_id)
    form = ButtonForm()
    if form.validate_on_submit():
        name = institutions.delete_institution(institution.id, by=current_actor())
        flash(_("%(name)s was deleted from the institutions.", name=name))
        return redirect(url_for("institutions_staff.index"))
    return render_template("institutions/delete.html", institution=institution, form=form,
                           effects=institution_overview.deletion_effects(institution.id))


# --- the organisations guests typed ------------------------------------------------------------

def _organisations_page(status=200, *, failed: MatchForm | NewFromTextForm | None = None):
    return render_template("institutions/organisations.html", failed=failed,
                           organisations=matching.unmatched_organisations(ORGANISATIONS_SHOWN),
                           unmatched=matching.count_unmatched(), choices=institutions.institution_choices(),
                           new_form=NewFromTextForm(formdata=None)), status


@bp.get("/organisations")
@staff_required
def organisations():
    """The organisations guests typed that count for no institution yet, with suggestions."""
    return _organisations_page()


@bp.post("/organisations/match")
@staff_required
def match():
    """Count an organisation as guests typed it for an institution, now and for later sign-ups."""
    form = MatchForm()
    if not form.validate_on_submit():
        return _organisations_page(422, failed=form)
    try:
        institution_id = parse_id(form.institution_id.data)
        if institution_id is None:
            raise NotFound()
        changed = matching.match_organisation(form.organisation.data, institution_id, by=current_actor())
    except NotFound:
        form.institution_id.errors.append(_("Please choose an institution from the list."))
        return _organisations_page(422, failed=form)
    except matching.NothingToMatch as exc:
        show_refusal(form, exc)
        return _organisations_page(422, failed=form)
    flash(ngettext("“%(text)s” counts for the institution now: %(num)s sign-up.",
                   "“%(text)s” counts for the institution now: %(num)s sign-ups.", changed,
                   text=form.organisation.data))
    return redirect(url_for("institutions_staff.organisations"))


@bp.post("/organisations/new")
@staff_required
def institution_from_text():
    """Make an institution of an organisation as guests typed it, and count their sign-ups for it."""
    form = NewFromTextForm()
    if not form.validate_on_submit():
        return _organisations_page(422, failed=form)
    try:
        institution, changed = matching.institution_from_organisation(form.organisation.data, form.kind.data,
                                                                      by=current_actor())
    except (matching.NothingToMatch, institutions.InstitutionRefused) as exc:
        show_refusal(form, exc)
        return _organisations_page(422, failed=form)
    flash(ngettext("%(name)s is an institution now; %(num)s sign-up counts for it.",
                   "%(name)s is an institution now; %(num)s sign-ups count for it.", changed,
                   name=institution.name))
    return redirect(url_for("institutions_staff.organisations"))


# --- people who signed up but are no contact -----------------------------------------------------

@bp.get("/people")
@staff_required
def unlinked():
    """Everyone who signed up under an address no contact has: link them to a contact, or make one."""
    return render_template("institutions/people.html", people=people.unlinked_people())


def _link_page(registration_id, status=200, refusal=None):
    person = people.unlinked_person(registration_id)
    search = ContactSearchForm(request.args)
    return render_template("institutions/link.html", person=person, search=search, refusal=refusal,
                           found=people.find_contacts_to_link(search.q.data) if search.q.data
                           else people.likely_contacts(person.latest)), status


@bp.get("/people/<int:registration_id>")
@staff_required
def link_form(registration_id):
    """One person's sign-ups, and the contacts they may be."""
    return _link_page(registration_id)


@bp.post("/people/<int:registration_id>/link")
@staff_required
def link(registration_id):
    """These sign-ups are this contact's (and later ones under the same address too)."""
    form = LinkForm()
    contact_id = parse_id(form.contact_id.data)
    if not form.validate_on_submit() or contact_id is None:
        return _link_page(registration_id, 422)
    name = people.unlinked_person(registration_id).latest.name
    linked = people.link_to_contact(registration_id, contact_id, by=current_actor())
    flash(ngettext("%(num)s sign-up of %(name)s was linked to the contact.",
                   "%(num)s sign-ups of %(name)s were linked to the contact.", linked, name=name))
    return redirect(url_for("contacts_staff.show", contact_id=contact_id))


@bp.post("/people/<int:registration_id>/contact")
@staff_required
def make_contact(registration_id):
    """Make a contact from the person's latest sign-up (without a recorded consent)."""
    form = ButtonForm()
    if not form.validate_on_submit():
        return _link_page(registration_id, 422)
    try:
        contact = people.make_contact(registration_id, by=current_actor())
    except ContactRefused as exc:
        return _link_page(registration_id, exc.status_code, refusal=str(exc))
    flash(_("%(name)s is a contact now, without a recorded consent: you are warned before an invitation "
            "goes to them.", name=contact.name))
    return redirect(url_for("contacts_staff.show", contact_id=contact.id))
