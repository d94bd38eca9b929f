"""Thin click commands under `flask --app wsgi`; each calls a service."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask
from flask.cli import AppGroup

from . import demo as demo_data
from .audit import COMMAND_LINE
from .auth.models import Role
from .auth.services import create_api_token, create_user, list_api_tokens, revoke_api_token
from .database import write_transaction
from .errors import DomainError
from .events.models import EventKind
from .events.services import create_event
from .links import absolute_url
from .mailing import sender
from .privacy import retention
from .registrations.reminders import queue_due_reminders

users = AppGroup("users", help="Staff users.")
tokens = AppGroup("tokens", help="Bearer tokens for door devices and scripts.")
events = AppGroup("events", help="Events.")
mail = AppGroup("mail", help="The outbox.")
privacy = AppGroup("privacy", help="Personal data: the retention period.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([str(role) for role in Role]), default=Role.staff, show_default=True)
@click.option("--institution", "institution_id", type=int,
              help="The institution (id) a partner account belongs to; only with --role partner.")
@click.option("--password", help="Generated and printed when not given.")
@click.option("--name", default="")
def users_create(email, role, institution_id, password, name):
    """Create a user: staff, admin, door, or a partner of an institution."""
    try:
        user, password_used = create_user(email, role=role, password=password, name=name,
                                          institution_id=institution_id, by=COMMAND_LINE)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"id: {user.id}")
    click.echo(f"email: {user.email}")
    click.echo(f"role: {user.role}")
    if user.institution_id is not None:
        click.echo(f"institution: {user.institution_id}")
    if not password:
        click.echo(f"password: {password_used}  (shown only now)")


@tokens.command("create")
@click.option("--name", required=True, help='What it is for, e.g. "Tablet 1".')
@click.option("--role", type=click.Choice([str(role) for role in Role]), default=Role.door, show_default=True)
@click.option("--event", "event_id", type=int, help="Only for this event (id).")
def tokens_create(name, role, event_id):
    """Create a bearer token and print it once."""
    try:
        row, token = create_api_token(name, role=role, event_id=event_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"id: {row.id}")
    click.echo(f"token: {token}")
    click.echo("Keep it now: it is stored only as a hash and will not be shown again.")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id):
    """Revoke a token at once."""
    try:
        row = revoke_api_token(token_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked: {row.id} {row.name}")


@tokens.command("list")
def tokens_list():
    """List tokens (never the tokens themselves)."""
    for row in list_api_tokens():
        state = "revoked" if row.revoked_at else "active"
        scope = f"event {row.event_id}" if row.event_id else "all events"
        click.echo(f"{row.id}\t{row.name}\t{row.role}\t{scope}\t{state}")


def _parse_local(value: str | None, zone: ZoneInfo, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        raise click.BadParameter(f'use "YYYY-MM-DD HH:MM", not {value!r}', param_hint=option) from None


@events.command("create")
@click.option("--title", required=True)
@click.option("--kind", type=click.Choice([str(kind) for kind in EventKind]), default=EventKind.other, show_default=True)
@click.option("--starts", required=True, help='"YYYY-MM-DD HH:MM" in the event\'s time zone')
@click.option("--ends", help='"YYYY-MM-DD HH:MM"; default: two hours after the start')
@click.option("--timezone", "tz", default="Europe/Berlin", show_default=True)
@click.option("--venue", default="")
@click.option("--address", default="")
@click.option("--summary", default="")
@click.option("--capacity", type=click.IntRange(min=0), help="Empty: unlimited.")
@click.option("--waitlist/--no-waitlist", default=True, show_default=True)
@click.option("--publish", is_flag=True, help="Publish at once (default: draft).")
def events_create(title, kind, starts, ends, tz, venue, address, summary, capacity, waitlist, publish):
    """Create an event and print its id and public URL."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {tz!r}", param_hint="--timezone") from None
    try:
        with write_transaction():
            event = create_event(
                title=title, kind=kind, starts_at=_parse_local(starts, zone, "--starts"),
                ends_at=_parse_local(ends, zone, "--ends"), timezone=tz, venue=venue, address=address,
                summary=summary, capacity=capacity, waitlist_enabled=waitlist, publish=publish, by=COMMAND_LINE,
            )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"id: {event.id}")
    click.echo(f"url: {absolute_url('registrations.event_page', slug=event.slug)}")
    click.echo(f"status: {event.status}")


@mail.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
def mail_work(once):
    """Deliver the outbox (several may run at once)."""
    sender.work(once=once)


@mail.command("remind")
def mail_remind():
    """Queue the reminders that are due now and print how many (the senders deliver them)."""
    click.echo(f"reminders queued: {queue_due_reminders()}")


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be anonymised; change nothing.")
def privacy_purge(dry_run):
    """Anonymise the registrations of every event whose retention period is over (the mail worker
    does it every hour); print each event and the total."""
    done = retention.purge(dry_run=dry_run)
    verb = "would be anonymised" if dry_run else "anonymised"
    for result in done:
        click.echo(f"event {result.event_id}: {result.registrations} registrations, {result.mails} mails {verb} "
                   f"({result.title!r}, ended {result.ends_at:%Y-%m-%d}, kept {result.retention_months} months)")
    click.echo(f"registrations {verb}: {sum(result.registrations for result in done)}")
    if dry_run:
        click.echo("Dry run: nothing was changed.")


def demo():
    """Load sample events and an admin login (only into an empty database)."""
    result = demo_data.load()
    if result is None:
        click.echo("Demo data is already there; nothing changed.")
        click.echo("A new login: flask --app wsgi users create EMAIL --role admin")
        return
    user, password = result
    click.echo("Demo data loaded.")
    click.echo(f"login: {user.email}")
    click.echo(f"password: {password}  (shown only now)")


def register(app: Flask) -> None:
    """Add Podium's commands to `flask`."""
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(events)
    app.cli.add_command(mail)
    app.cli.add_command(privacy)
    app.cli.command("demo")(demo)
