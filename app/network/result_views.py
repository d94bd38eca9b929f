"""What came of events: the results section staff fill in, its files, and the public review of
past events.

Files are answered so that no browser runs them: the type read from their content (never HTML,
never SVG), nosniff, a policy that allows nothing and sandboxes the rest, and a download for all
but images (which were drawn anew on upload)."""
import io

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import entries_for_event
from ..auth.access import current_actor, staff_required
from ..auth.models import Role
from ..database import utcnow
from ..errors import DomainError, http_error_page
from ..events import services as events
from ..extensions import csrf
from ..forms import ButtonForm, field_labels, show_refusal
from ..pagecache import cached_page
from . import results
from .models import ResultFile, ResultVisibility, WorkingGroup
from .result_forms import FileVisibilityForm, ResultFileForm, ResultTextsForm
from .uploads import EXTENSIONS, TYPE_NAMES, too_large

bp = Blueprint("results", __name__)
staff_bp = Blueprint("results_staff", __name__, url_prefix="/staff/events")

# What a file's answer says besides its type: run nothing, load nothing, and guess no other type.
FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'"
# How long a browser or a proxy may keep a public file before it asks again (staff may take it back).
PUBLIC_FILE_MAX_AGE = 300
# Room in an upload's request for the form's other fields and the multipart framing.
FORM_ROOM = 100_000
# Who sees an item, in a word (the forms' choices say it in a sentence).
VISIBILITY_NAMES = {ResultVisibility.public.value: _l("Public"), ResultVisibility.network.value: _l("Network only")}
VALUE_LABELS = {name: VISIBILITY_NAMES
                for name in ("results_summary_visibility", "results_minutes_visibility", "visibility")}


# --- staff: the results page --------------------------------------------------------------------

def _results_page(event, *, texts_form=None, file_form=None, preview=False, status=200):
    history = [entry for entry in entries_for_event(event.id) if entry.action in results.RESULT_ACTIONS]
    # The other form of the page shows what is saved, never what this request posted.
    texts_form = texts_form or ResultTextsForm.for_result(results.get_result(event.id), event=event)
    file_form = file_form or ResultFileForm(formdata=None)
    return render_template("network/results/edit.html", event=event, texts_form=texts_form, file_form=file_form,
                           files=results.files_of(event.id), history=history, preview=preview,
                           field_labels={**field_labels(texts_form), **field_labels(file_form)},
                           value_labels=VALUE_LABELS, visibility_names=VISIBILITY_NAMES,
                           ended=event.has_ended(utcnow()),
                           max_size_mb=f"{current_app.config['RESULT_FILE_MAX_BYTES'] / 1_000_000:g}"), status


@staff_bp.get("/<int:event_id>/results")
@staff_required
def edit(event_id):
    """The event's results: the summary and the minutes, the files, and who sees each."""
    return _results_page(events.get_event(event_id))


@staff_bp.post("/<int:event_id>/results")
@staff_required
def update(event_id):
    """Save the summary and the minutes, or show them as readers will see them."""
    event = events.get_event(event_id)
    form = ResultTextsForm()
    if "preview" in request.form:
        return _results_page(event, texts_form=form, preview=True)
    if not form.validate_on_submit():
        return _results_page(event, texts_form=form, status=422)
    try:
        changed = results.save_texts(event.id, **form.texts(), by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _results_page(event, texts_form=form, status=exc.status_code)
    flash(_("Saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("results_staff.edit", event_id=event.id))


def upload_limit() -> int:
    """How large an upload's request may be: up to twice the largest file, the page says what is
    too large; beyond that the request is refused (413) before it is read."""
    return 2 * current_app.config["RESULT_FILE_MAX_BYTES"] + FORM_ROOM


@staff_bp.post("/<int:event_id>/results/files")
# CSRFProtect checks every post before the view runs, by reading the body under the app's small
# MAX_CONTENT_LENGTH; this view checks the token itself, once the file's larger limit is set.
@csrf.exempt
@staff_required
def upload(event_id):
    """Add a file to the results; its content decides whether it may be added, and as what."""
    request.max_content_length = upload_limit()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    event = events.get_event(event_id)
    form = ResultFileForm()
    if not form.validate_on_submit():
        return _results_page(event, file_form=form, status=422)
    upload = form.file.data
    try:
        stored = results.add_file(event.id, upload.read(current_app.config["RESULT_FILE_MAX_BYTES"] + 1),
                                  upload.filename, title=form.title.data or "", visibility=form.visibility.data,
                                  by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _results_page(event, file_form=form, status=exc.status_code)
    flash(_("“%(title)s” was added to the results.", title=stored.title))
    return redirect(url_for("results_staff.edit", event_id=event.id, _anchor="files"))


@staff_bp.errorhandler(413)
def upload_too_large(exc):
    """A request too large to read: the results page again, saying what is too large."""
    event_id = (request.view_args or {}).get("event_id")
    # The 413 comes before the view and its staff_required (CSRF reads the form first): the page
    # below shows network-only results, so it is only for those the view would let in.
    may_see = current_user.is_authenticated and current_user.has_role(Role.staff)
    if event_id is None or not may_see or request.endpoint not in ("results_staff.upload", "results_staff.update"):
        return http_error_page(exc)
    # The body was not read, and no form may try to read it now.
    event = events.get_event(event_id)
    if request.endpoint == "results_staff.upload":
        file_form = ResultFileForm(formdata=None)
        file_form.file.errors = [too_large(current_app.config["RESULT_FILE_MAX_BYTES"])]
        return _results_page(event, file_form=file_form, status=413)
    texts_form = ResultTextsForm.for_result(results.get_result(event.id), event=event)
    texts_form.form_errors.append(_("The text is too long to be saved. Please shorten it."))
    return _results_page(event, texts_form=texts_form, status=413)


@staff_bp.post("/<int:event_id>/results/files/<int:file_id>/visibility")
@staff_required
def file_visibility(event_id, file_id):
    """Make a file public, or network only."""
    form = FileVisibilityForm()
    if not form.validate_on_submit():
        flash(_("Nothing was changed."))
        return redirect(url_for("results_staff.edit", event_id=event_id, _anchor="files"))
    stored = results.change_file_visibility(event_id, file_id, form.visibility.data, by=current_actor())
    flash(_("“%(title)s”: %(visibility)s", title=stored.title, visibility=stored.visibility.label))
    return redirect(url_for("results_staff.edit", event_id=event_id, _anchor="files"))


@staff_bp.route("/<int:event_id>/results/files/<int:file_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_file(event_id, file_id):
    """Ask, then delete a file from the results."""
    event = events.get_event(event_id)
    stored = results.get_file(event.id, file_id)
    form = ButtonForm()
    if form.validate_on_submit():
        title = results.delete_file(event.id, stored.id, by=current_actor())
        flash(_("“%(title)s” was deleted from the results.", title=title))
        return redirect(url_for("results_staff.edit", event_id=event.id, _anchor="files"))
    return render_template("network/results/delete_file.html", event=event, file=stored, form=form)


@staff_bp.get("/<int:event_id>/results/files/<int:file_id>")
@staff_required
def file(event_id, file_id):
    """Any file of the event's results, for staff."""
    return file_response(results.file_for_staff(event_id, file_id))


# --- the public and the members -----------------------------------------------------------------

@bp.get("/results/")
def review():
    """The review of past events: what came of them, as far as it is public, newest first."""

    def render(**context):
        html = render_template("network/results/review.html",
                               page=results.review(page=request.args.get("page", type=int)), **context)
        return html, events.next_event_end(utcnow())

    return cached_page(events.public_version, render)


@bp.get("/results/files/<int:file_id>/<filename>")
def file_download(file_id, filename):
    """A public file of an event that has ended."""
    return file_response(results.file_for_public(file_id, filename))


@bp.get("/i/<token>/results/files/<int:file_id>")
def member_file(token, file_id):
    """A file of a working group's meeting, for a member through the key of their invitation."""
    return file_response(results.file_for_member(token, file_id))


def file_response(stored: ResultFile):
    """A stored file, answered so that no browser runs it; images inline, all else a download."""
    servable = stored.content_type in EXTENSIONS
    inline = servable and stored.is_image
    response = send_file(io.BytesIO(stored.data), mimetype=stored.content_type if servable else
                         "application/octet-stream", as_attachment=not inline, download_name=stored.filename,
                         etag=False, max_age=None)
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    if stored.visibility == ResultVisibility.public:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_FILE_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


# --- what templates use -------------------------------------------------------------------------

@bp.app_template_global()
def public_results(event) -> results.Results | None:
    """The public results of an event that has ended (network/_event_results.html)."""
    return results.public_results(event)


@bp.app_template_global()
def member_results(group: WorkingGroup) -> list[results.Results]:
    """The results of a working group's past meetings, as its members see them."""
    return results.member_results(group.id)


@bp.app_template_filter()
def file_size(size: int) -> str:
    """A file's size as people read it: "830 KB", "2.4 MB"."""
    if size < 1_000_000:
        return _("%(n)s KB", n=format_decimal(max(1, round(size / 1000))))
    return _("%(n)s MB", n=format_decimal(round(size / 1_000_000, 1)))


@bp.app_template_filter()
def file_kind(stored: ResultFile) -> str:
    """What kind of file it is, in words ("PDF", "Word document")."""
    return str(TYPE_NAMES.get(stored.content_type, _("File")))
