"""Staff pages for the contact network: list, edit, CSV import and export."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import staff_required
from ..database import utcnow
from . import contacts
from .contact_forms import (
    ContactFilterForm,
    ContactForm,
    ContactImportForm,
    DeleteContactForm,
    ImportConfirmForm,
    ResubscribeForm,
)
from .contacts import ContactFilter, ContactRefused, ImportExpired, ImportFileRefused, ImportOutdated
from .models import ORGANISATION_KIND_LABELS

bp = Blueprint("contacts", __name__, url_prefix="/staff/contacts")

FILTER_ARGS = ("q", "tag", "kind", "status")
SUBSCRIPTION = {"subscribed": False, "unsubscribed": True}


def _filter_form(counts: contacts.ContactCounts | None = None) -> ContactFilterForm:
    form = ContactFilterForm(request.args)
    if counts is not None:
        form.tag.choices = [("", _("All tags"))] + [(tag, f"{tag} ({n})") for tag, n in counts.tags.items()]
        form.kind.choices = [("", _("All kinds"))] + [(value, f"{label} ({counts.kinds.get(value, 0)})")
                                                      for value, label in ORGANISATION_KIND_LABELS.items()]
    return form


def _criteria(form: ContactFilterForm) -> ContactFilter:
    return ContactFilter(query=form.q.data or "", tag=form.tag.data or "", kind=form.kind.data or "",
                         unsubscribed=SUBSCRIPTION.get(form.status.data or ""))


def _filter_args() -> dict:
    """The list's current filters, for links that keep them (pages, export)."""
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


def _show_refusal(form, exc: ContactRefused) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.get("/")
@staff_required
def index():
    """The address book: search, filters, counts, one page of contacts."""
    counts = contacts.count_contacts()
    form = _filter_form(counts)
    page = contacts.find_contacts(_criteria(form), page=request.args.get("page", 1, type=int))
    return render_template("staff/contacts/list.html", form=form, page=page, counts=counts,
                           filters=_filter_args(), source_label=contacts.source_label)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Add a contact by hand."""
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contact = contacts.create_contact(form.data)
        except ContactRefused as exc:
            _show_refusal(form, exc)
        else:
            flash(_("%(name)s was added to the contacts.", name=contact.name))
            return redirect(url_for("contacts.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("staff/contacts/form.html", form=form, contact=None), status


def _edit_page(contact, form, *, resubscribe_form=None, status=200):
    return render_template("staff/contacts/form.html", form=form, contact=contact,
                           resubscribe_form=resubscribe_form or ResubscribeForm(formdata=None),
                           invitations=contacts.count_invitations(contact.id),
                           source_label=contacts.source_label), status


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(contact_id):
    """Change a contact's details (never their subscription)."""
    contact = contacts.get_contact(contact_id)
    form = ContactForm.for_contact(contact)
    if form.validate_on_submit():
        try:
            contact = contacts.update_contact(contact.id, form.data)
        except ContactRefused as exc:
            _show_refusal(form, exc)
        else:
            flash(_("The details of %(name)s were saved.", name=contact.name))
            return redirect(url_for("contacts.index"))
    return _edit_page(contact, form, status=422 if form.is_submitted() else 200)


@bp.post("/<int:contact_id>/resubscribe")
@staff_required
def resubscribe(contact_id):
    """Send invitations again to someone who unsubscribed, when they asked for it."""
    contact = contacts.get_contact(contact_id)
    form = ResubscribeForm()
    if not form.validate_on_submit():
        return _edit_page(contact, ContactForm.for_contact(contact), resubscribe_form=form, status=422)
    contact = contacts.resubscribe_contact(contact.id)
    flash(_("%(name)s receives invitations again.", name=contact.name))
    return redirect(url_for("contacts.edit", contact_id=contact.id))


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(contact_id):
    """Ask, then remove a contact from the address book."""
    contact = contacts.get_contact(contact_id)
    form = DeleteContactForm()
    if form.validate_on_submit():
        name = contacts.delete_contact(contact.id)
        flash(_("%(name)s was deleted from the contacts.", name=name))
        return redirect(url_for("contacts.index"))
    return render_template("staff/contacts/delete.html", contact=contact, form=form,
                           invitations=contacts.count_invitations(contact.id))


def _upload_page(form, status=200):
    return render_template("staff/contacts/import.html", form=form,
                           max_size_mb=contacts.MAX_IMPORT_BYTES // 1_000_000,
                           max_lines=contacts.MAX_IMPORT_LINES), status


def _preview_page(preview, *, notice=None, status=200):
    return render_template("staff/contacts/preview.html", preview=preview, notice=notice,
                           form=ImportConfirmForm(formdata=None, token=preview.token),
                           kind_labels=ORGANISATION_KIND_LABELS), status


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_upload():
    """Upload a CSV file and see what importing it would do; nothing is written yet."""
    # Refuse huge uploads before they are spooled; up to this size the form explains the limit.
    request.max_content_length = 10 * contacts.MAX_IMPORT_BYTES
    form = ContactImportForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=422 if form.is_submitted() else 200)
    upload = form.file.data
    try:
        preview = contacts.preview_import(upload.read(contacts.MAX_IMPORT_BYTES + 1), upload.filename)
    except ImportFileRefused as exc:
        form.file.errors = [*form.file.errors, str(exc)]
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
        result = contacts.apply_import(form.token.data)
    except ImportExpired as exc:
        upload_form = ContactImportForm(formdata=None)
        upload_form.form_errors.append(str(exc))
        return _upload_page(upload_form, status=exc.status_code)
    except ImportOutdated as exc:
        return _preview_page(exc.preview, notice=str(exc), status=exc.status_code)
    flash(_("Import of %(file)s: %(created)s new, %(updated)s updated, %(errors)s lines with errors "
            "left out.", file=result.filename, created=result.created, updated=result.updated,
            errors=result.errors))
    return redirect(url_for("contacts.index"))


@bp.get("/export.csv")
@staff_required
def export():
    """The contacts (as filtered) as CSV; `separator=semicolon` for a German Excel."""
    delimiter = ";" if request.args.get("separator") == "semicolon" else ","
    text = contacts.export_contacts(_criteria(_filter_form()), delimiter=delimiter)
    response = Response(text, mimetype="text/csv")
    filename = f"contacts-{utcnow().strftime('%Y-%m-%d')}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
