"""Working groups: staff pages (members, convenor, planning a meeting) and the members' calendar feed."""
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import current_actor, staff_required
from ..errors import DomainError
from ..events import ical
from ..events.models import Event
from ..forms import ButtonForm, show_refusal
from ..links import absolute_url
from . import groups, planning
from .group_forms import GroupForm, MemberForm, MemberSearchForm, PlanMeetingForm

bp = Blueprint("groups_staff", __name__, url_prefix="/staff/groups")
public_bp = Blueprint("groups", __name__, url_prefix="/groups")


def feed_url(group) -> str:
    """The group's calendar feed, as members subscribe to it (absolute, with its secret key)."""
    return absolute_url("groups.feed", token=group.feed_token)


def _with_convenors(form: GroupForm) -> GroupForm:
    form.convenor_id.choices = [(0, _("Nobody yet"))] + groups.contact_choices()
    return form


def _form_page(form: GroupForm, group=None, status: int = 200):
    return render_template("network/groups/form.html", form=form, group=group), status


# --- the list, and a group's own fields -------------------------------------------------------

@bp.get("/")
@staff_required
def index():
    """Every working group with its members, convenor and next meeting."""
    return render_template("network/groups/index.html", rows=groups.list_groups())


@bp.get("/new")
@staff_required
def new():
    """An empty form for a new working group."""
    return _form_page(_with_convenors(GroupForm()))


@bp.post("/new")
@staff_required
def create():
    """Save a new working group."""
    form = _with_convenors(GroupForm())
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        group = groups.create_group(**form.group_fields(), by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, status=exc.status_code)
    flash(_("The working group is saved. Add its members."))
    return redirect(url_for("groups_staff.show", group_id=group.id))


@bp.get("/<int:group_id>/edit")
@staff_required
def edit(group_id):
    """The group's form, filled in."""
    group = groups.get_group(group_id)
    form = GroupForm(data={"name": group.name, "purpose": group.purpose,
                           "convenor_id": group.convenor_id or 0})
    return _form_page(_with_convenors(form), group)


@bp.post("/<int:group_id>/edit")
@staff_required
def update(group_id):
    """Change the group's name, purpose or convenor."""
    group = groups.get_group(group_id)
    form = _with_convenors(GroupForm())
    if not form.validate_on_submit():
        return _form_page(form, group, status=422)
    try:
        groups.update_group(group.id, **form.group_fields(), by=current_actor())
    except DomainError as exc:
        show_refusal(form, exc)
        return _form_page(form, groups.get_group(group_id), status=exc.status_code)
    flash(_("Saved."))
    return redirect(url_for("groups_staff.show", group_id=group_id))


# --- one group: members, meetings, feed -------------------------------------------------------

def _group_page(group, *, search: MemberSearchForm | None = None, status: int = 200):
    search = search or MemberSearchForm(request.args)
    found = groups.contacts_to_add(group.id, search.q.data or "") if search.validate() else []
    upcoming, past = groups.meetings_of(group.id)
    history = groups.group_history(group.id)
    return render_template("network/groups/show.html", group=group, members=groups.members_of(group.id),
                           search=search, found=found, upcoming=upcoming, past=past, feed_url=feed_url(group),
                           history=history, names=groups.contact_names(e.contact_id for e in history),
                           meeting_titles={e.id: e.title for e in upcoming + past},
                           field_labels={"name": _("Name"), "purpose": _("Purpose"),
                                         "convenor": _("Convenor")},
                           form=ButtonForm()), status


@bp.get("/<int:group_id>")
@staff_required
def show(group_id):
    """A group: its members (and finding contacts to add), its meetings, its calendar feed."""
    return _group_page(groups.get_group(group_id))


@bp.post("/<int:group_id>/members")
@staff_required
def add_member(group_id):
    """Add a contact to the group."""
    group = groups.get_group(group_id)
    form = MemberForm()
    if not form.validate_on_submit():
        flash(_("Please choose a contact to add."))
        return redirect(url_for("groups_staff.show", group_id=group.id))
    try:
        contact = groups.add_member(group.id, form.contact_id.data, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("groups_staff.show", group_id=group.id))
    flash(_("%(name)s is now a member of the group.", name=contact.name))
    return redirect(url_for("groups_staff.show", group_id=group.id, _anchor="members"))


@bp.post("/<int:group_id>/members/<int:contact_id>/remove")
@staff_required
def remove_member(group_id, contact_id):
    """Take a contact out of the group."""
    group = groups.get_group(group_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("groups_staff.show", group_id=group.id))
    try:
        contact = groups.remove_member(group.id, contact_id, by=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return redirect(url_for("groups_staff.show", group_id=group.id))
    flash(_("%(name)s is no longer a member of the group. If they subscribed to the group's calendar, "
            "make a new calendar address (below) so that they no longer see the meetings.", name=contact.name))
    return redirect(url_for("groups_staff.show", group_id=group.id, _anchor="members"))


@bp.post("/<int:group_id>/feed")
@staff_required
def renew_feed(group_id):
    """Give the calendar feed a new address (the old one stops working)."""
    group = groups.get_group(group_id)
    if ButtonForm().validate_on_submit():
        groups.renew_feed_token(group.id, by=current_actor())
        flash(_("The calendar feed has a new address; the old one no longer works. Send the new one to the "
                "members."))
    return redirect(url_for("groups_staff.show", group_id=group.id, _anchor="feed"))


# --- planning a meeting -------------------------------------------------------------------------

def _plan_page(group, form: PlanMeetingForm, status: int = 200):
    return render_template("network/groups/plan.html", group=group, form=form,
                           invitees=planning.invitees(group.id)), status


@bp.get("/<int:group_id>/plan")
@staff_required
def plan_form(group_id):
    """The form for a meeting of the group, with the invitation to its members prefilled."""
    group = groups.get_group(group_id)
    form = PlanMeetingForm(data={"title": planning.default_title(group), "body": planning.default_body(group),
                                 "subject": planning.default_subject(), "timezone": "Europe/Berlin"})
    return _plan_page(group, form)


@bp.post("/<int:group_id>/plan")
@staff_required
def plan(group_id):
    """Create the meeting and invite every member, in one step."""
    group = groups.get_group(group_id)
    form = PlanMeetingForm()
    if not form.validate_on_submit():
        return _plan_page(group, form, 422)
    try:
        planned = planning.plan_meeting(group.id, fields=form.event_fields(), subject=form.subject.data,
                                        body=form.body.data, by=current_actor())
    except DomainError as exc:
        form.place_refusal(exc)
        return _plan_page(groups.get_group(group_id), form, exc.status_code)
    flash(_planned_message(planned.sent))
    return redirect(url_for("campaigns_staff.show", campaign_id=planned.campaign.id))


def _planned_message(sent) -> str:
    """What staff read after planning: the meeting, and where its invitations are."""
    if not sent.queued:
        invited = _("Nobody was invited: every member has unsubscribed from invitations.")
    elif not current_app.config.get("MAIL_SERVER"):
        invited = ngettext("%(num)s invitation is kept in the outbox: no mail server is configured, so it "
                           "is not sent.", "%(num)s invitations are kept in the outbox: no mail server is "
                           "configured, so they are not sent.", sent.queued)
    else:
        invited = ngettext("%(num)s invitation is on its way.", "%(num)s invitations are on their way.",
                           sent.queued)
    return _("The meeting is planned.") + " " + invited


# --- the members' calendar feed -----------------------------------------------------------------

def _feed_entry(event: Event) -> tuple[Event, str, str]:
    url = absolute_url("registrations.event_page", slug=event.slug, key=event.invite_key)
    return event, "\n\n".join(part for part in (event.summary, _("Details: %(url)s", url=url)) if part), url


@public_bp.get("/<token>.ics")
def feed(token):
    """The group's meetings as a calendar to subscribe to; the secret key in the address is the
    whole authority (no login, no cookie)."""
    group = groups.get_group_by_feed_token(token)
    data = ical.feed([_feed_entry(event) for event in groups.feed_meetings(group.id)], name=group.name)
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{group.slug}.ics"'
    return response
