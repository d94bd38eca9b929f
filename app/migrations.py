"""Flask-Migrate, bound only where migrations run: `flask db ...`, the tests and the benchmark.

Alembic costs a process 11 MB and a web process never migrates: bound at start-up, it kept a
gunicorn worker on PostgreSQL at 105 MB, over the 100 MB it may take (make bench).
"""
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo

from .extensions import db

DIRECTORY = Path(__file__).resolve().parent.parent / "migrations"


def migrations(app: Flask):
    """Flask-Migrate bound to `app` on first use; `.get_config()` is its Alembic configuration."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate
        Migrate(app, db, directory=str(DIRECTORY), render_as_batch=True)
    return app.extensions["migrate"].migrate


class MigrationCommands(click.Group):
    """`flask db ...`: a stand-in for Flask-Migrate's own group, which binds it and hands over."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        """Flask-Migrate's group parses the rest and runs it, bound to the command line's app."""
        migrations(parent.ensure_object(ScriptInfo).load_app())
        from flask_migrate.cli import db as commands
        return commands.make_context(info_name, args, parent=parent, **extra)


def register(app: Flask) -> None:
    """`flask db upgrade` and the rest of Flask-Migrate's commands."""
    app.cli.add_command(MigrationCommands("db", help="Database migrations (Flask-Migrate and Alembic)."))
