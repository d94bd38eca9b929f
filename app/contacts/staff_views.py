"""Staff pages for the contact network: list, a person's page, add, edit, delete, CSV import and export."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..affiliation import Affiliation
from ..audit import AuditAction, entries_for_contact, latest_entries
from ..auth.access import current_actor, staff_required
from ..campaigns import mails as campaign_mails
from ..campaigns.services import count_invitations
from ..csvexport import csv_cell, csv_download, table_download
from ..database import utcnow
from ..forms import MAIL_LANGUAGES, ButtonForm, field_labels, show_refusal
from ..i18n import LANGUAGE_NAMES
from ..network import people
from ..paging import read_sort
from . import imports, services
from .csv_reading import MAX_IMPORT_LINES, ImportFileRefused
from .forms import ContactFilterForm, ContactForm, ContactImportForm, ImportConfirmForm, ResubscribeForm
from .imports import ImportExpired, ImportOutdated
from .institutions import institution_choices
from .models import ConsentSource, OrganisationKind
from .services import ContactFilter

bp = Blueprint("contacts_staff", __name__, url_prefix="/staff/contacts")

FILTER_ARGS = ("q", "tag", "kind", "status", "consent")
DEFAULT_SORT = "name"
# How the history names stored values of a contact.
VALUE_LABELS = {"affiliation": {affiliation: affiliation.label for affiliation in Affiliation},
                "locale": {choice.value: choice.label for choice in MAIL_LANGUAGES},
                "consent_source": {source: source.label for source in ConsentSource}}
SUBSCRIPTION = {"subscribed": False, "unsubscribed": True}
CONSENT = {"recorded": True, "none": False}


def _filter_form(counts: services.ContactCounts | None = None) -> ContactFilterForm:
    form = ContactFilterForm(request.args)
    if counts is not None:
        form.tag.choices = [("", _("All tags"))] + [(tag, f"{tag} ({n})") for tag, n in counts.tags.items()]
        form.kind.choices = [("", _("All kinds"))] + [(kind, f"{kind.label} ({counts.kinds.get(kind, 0)})")
                                                      for kind in OrganisationKind]
    return form


def _criteria(form: ContactFilterForm) -> ContactFilter:
    # The filters come from a link that anyone may have edited: an unknown kind filters nothing.
    kind = form.kind.data if form.kind.data in OrganisationKind.__members__.values() else ""
    return ContactFilter(query=form.q.data or "", tag=form.tag.data or "", kind=kind,
                         unsubscribed=SUBSCRIPTION.get(form.status.data or ""),
                         consent=CONSENT.get(form.consent.data or ""))


def _filter_args() -> dict:
    """The list's current filters, for links that keep them (pages, export)."""
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


@bp.get("/")
@staff_required
def index():
    """The address book: search, filters, counts, one page of contacts, sorted by a column."""
    counts = services.count_contacts()
    form = _filter_form(counts)
    sort = read_sort(request.args.get("sort"), services.SORT_COLUMNS, DEFAULT_SORT)
    page = services.find_contacts(_criteria(form), page=request.args.get("page", 1, type=int), sort=sort)
    filters = _filter_args()
    return render_template("contacts/staff/list.html", form=form, page=page, counts=counts, sort=sort,
                           filters=filters, list_args=dict(filters, sort=sort.arg) if sort.arg != DEFAULT_SORT
                           else filters, source_label=services.source_label, language_label=LANGUAGE_NAMES,
                           deletions=latest_entries(AuditAction.contact_deleted))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Add a contact by hand."""
    form = ContactForm().offering(institution_choices())
    if form.validate_on_submit():
        try:
            contact = services.create_contact(form.data, by=current_actor())
        except services.ContactRefused as exc:
            show_refusal(form, exc)
        else:
            flash(_("%(name)s was added to the contacts.", name=contact.name))
            return redirect(url_for("contacts_staff.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("contacts/staff/form.html", form=form, contact=None), status


def _edit_page(contact, form, *, resubscribe_form=None, status=200):
    return render_template("contacts/staff/form.html", form=form, contact=contact,
                           resubscribe_form=resubscribe_form or ResubscribeForm(formdata=None),
                           invitations=count_invitations(contact.id), history=entries_for_contact(contact.id),
                           value_labels=VALUE_LABELS, affiliation=people.affiliation_of(contact),
                           field_labels=field_labels(form) | {"consent_source": _("Consent"),
                                                              "institution": _("Institution")},
                           source_label=services.source_label), status


@bp.get("/<int:contact_id>")
@staff_required
def show(contact_id):
    """One person across the network: invitations, registrations, attendance, working groups and
    recorded meetings, the newest first."""
    person = people.person_record(contact_id)
    subjects = {invitation.recipient.campaign.id: campaign_mails.shown_subject(invitation.recipient.campaign,
                                                                            person.contact.name)
                for invitation in person.invitations}
    return render_template("contacts/staff/person.html", person=person, contact=person.contact, subjects=subjects,
                           source_label=services.source_label, language_label=LANGUAGE_NAMES)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(contact_id):
    """Change a contact's details (never their subscription); what was changed, by whom."""
    contact = services.get_contact(contact_id)
    form = ContactForm.for_contact(contact, institution_choices())
    if form.validate_on_submit():
        try:
            contact = services.update_contact(contact.id, form.data, by=current_actor())
        except services.ContactRefused as exc:
            show_refusal(form, exc)
        else:
            flash(_("The details of %(name)s were saved.", name=contact.name))
            return redirect(url_for("contacts_staff.show", contact_id=contact.id))
    return _edit_page(contact, form, status=422 if form.is_submitted() else 200)


@bp.post("/<int:contact_id>/resubscribe")
@staff_required
def resubscribe(contact_id):
    """Send invitations again to someone who unsubscribed, when they asked for it."""
    contact = services.get_contact(contact_id)
    form = ResubscribeForm()
    if not form.validate_on_submit():
        return _edit_page(contact, ContactForm.for_contact(contact, institution_choices()), resubscribe_form=form,
                          status=422)
    contact = services.resubscribe_contact(contact.id, by=current_actor())
    flash(_("%(name)s receives invitations again.", name=contact.name))
    return redirect(url_for("contacts_staff.edit", contact_id=contact.id))


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(contact_id):
    """Ask, then remove a contact from the address book."""
    contact = services.get_contact(contact_id)
    form = ButtonForm()
    if form.validate_on_submit():
        name = services.delete_contact(contact.id, by=current_actor())
        flash(_("%(name)s was deleted from the contacts.", name=name))
        return redirect(url_for("contacts_staff.index"))
    return render_template("contacts/staff/delete.html", contact=contact, form=form,
                           invitations=count_invitations(contact.id))


def _upload_page(form, status=200):
    return render_template("contacts/staff/import.html", form=form, other_label=OrganisationKind.other.label,
                           max_size_mb=imports.MAX_IMPORT_BYTES // 1_000_000, max_lines=MAX_IMPORT_LINES), status


def _preview_page(preview, *, notice=None, status=200):
    return render_template("contacts/staff/preview.html", preview=preview, notice=notice,
                           form=ImportConfirmForm(formdata=None, token=preview.token),
                           kind_labels={kind: kind.label for kind in OrganisationKind},
                           language_label=LANGUAGE_NAMES, import_counts=import_counts), status


def import_counts(created: int, updated: int) -> str:
    """What an import does to the address book, in the words of the preview, its button and the
    message afterwards (so that the three agree)."""
    parts = []
    if created or not updated:
        parts.append(ngettext("%(num)s new contact", "%(num)s new contacts", created))
    if updated:
        parts.append(ngettext("%(num)s contact updated", "%(num)s contacts updated", updated))
    return ", ".join(parts)


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_upload():
    """Upload a CSV file and see what importing it would do; nothing is written yet."""
    # Refuse huge uploads before they are spooled; up to this size the form explains the limit.
    request.max_content_length = 10 * imports.MAX_IMPORT_BYTES
    form = ContactImportForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=422 if form.is_submitted() else 200)
    upload = form.file.data
    try:
        preview = imports.preview_import(upload.read(imports.MAX_IMPORT_BYTES + 1), upload.filename)
    except ImportFileRefused as exc:
        show_refusal(form, exc)
        return _upload_page(form, status=422)
    return _preview_page(preview)


@bp.post("/import/confirm")
@staff_required
def import_confirm():
    """Import exactly what the preview showed, all or nothing."""
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise ImportExpired()
        result = imports.apply_import(form.token.data, by=current_actor())
    except ImportExpired as exc:
        upload_form = ContactImportForm(formdata=None)
        show_refusal(upload_form, exc)
        return _upload_page(upload_form, status=exc.status_code)
    except ImportOutdated as exc:
        return _preview_page(exc.preview, notice=str(exc), status=exc.status_code)
    message = _("Imported from %(file)s: %(counts)s.", file=result.filename,
                counts=import_counts(result.created, result.updated))
    if result.institutions:
        message += " " + ngettext("%(num)s institution was added.", "%(num)s institutions were added.",
                                  result.institutions)
    if result.errors:
        message += " " + ngettext("%(num)s line with errors was left out.",
                                  "%(num)s lines with errors were left out.", result.errors)
    flash(message)
    return redirect(url_for("contacts_staff.index"))


@bp.post("/import/not-imported.csv")
@staff_required
def import_rejected():
    """The lines the import leaves out, with the reason beside each, as a file for a German Excel:
    fixed there, it imports again (the reason's column is one the import ignores)."""
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise ImportExpired()
        rejected = imports.rejected_lines(form.token.data)
    except ImportExpired as exc:
        upload_form = ContactImportForm(formdata=None)
        show_refusal(upload_form, exc)
        return _upload_page(upload_form, status=exc.status_code)
    # The file's own header may hold a formula too: escaped like every cell.
    header = [_("Why not imported"), *(csv_cell(title) for title in rejected.header)]
    rows = ([_("Line %(line)s: %(reasons)s", line=line.line,
               reasons=" ".join(problem.message for problem in line.problems)), *line.cells]
            for line in rejected.lines)
    name = rejected.filename.removesuffix(".csv").removesuffix(".CSV")
    return csv_download(header, rows, _("%(name)s-not-imported.csv", name=name), delimiter=";")


@bp.get("/export.csv")
@staff_required
def export():
    """The contacts (as filtered) as CSV; `format=excel` for a German Excel. Both import again."""
    contacts = services.export_contacts(_criteria(_filter_form()))
    return table_download(services.EXPORT_COLUMNS, contacts, f"contacts-{utcnow().strftime('%Y-%m-%d')}.csv",
                          excel=request.args.get("format") == "excel")
