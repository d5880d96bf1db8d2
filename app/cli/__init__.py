"""Command-line tasks: ``flask --app app create-user``, ``send-reminders``, ``seed-demo`` and
``backup``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Blueprint, current_app

from app.accounts.emails import normalise_email
from app.accounts.operations import (
    DISPLAY_NAME_MAX,
    EmailRefused,
    EmailTaken,
    PasswordRefused,
    create_account,
)
from app.accounts.policy import ENGLISH_MESSAGES
from app.cli import demo
from app.config import DEVELOPMENT
from app.divisions.operations import ProvinceMismatch
from app.extensions import db
from app.models import ROLES, TIERS, User
from app.notifications.operations import send_reminders
from app.platform import jobs, sqlite

bp = Blueprint("cli", __name__, cli_group=None)


@bp.cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--city", "city_name", help="The official's city; created when it does not exist.")
@click.option("--name", "display_name", help="How pages name the person, e.g. 李娜.")
@click.option(
    "--province",
    "province_name",
    help="An official's: the province of a new city. An admin's: the only province they review "
    "(none: every province). Created when it does not exist.",
)
@click.option("--tier", type=click.Choice(TIERS), help="The kind of division a new city is.")
def create_user(
    email: str,
    password: str,
    role: str,
    city_name: str | None,
    display_name: str | None,
    province_name: str | None,
    tier: str | None,
) -> None:
    """Create a user; officials need --city. The password must meet the policy."""
    if role == "official" and not city_name:
        raise click.UsageError("an official needs --city")
    if display_name and len(display_name.strip()) > DISPLAY_NAME_MAX:
        raise click.UsageError(f"--name has at most {DISPLAY_NAME_MAX} characters")
    if role == "admin" and (city_name or tier):
        raise click.UsageError("an admin has no city: give --province to limit them to one")
    try:
        user = create_account(
            email,
            role,
            city_name,
            password,
            display_name=display_name,
            province_name=province_name,
            tier=tier,
        )
    except EmailRefused:
        raise click.UsageError(
            f"{email!r} is not an email address the sign-in page accepts, such as name@city.gov.cn"
        ) from None
    except ProvinceMismatch:
        raise click.UsageError(
            f"{city_name} is in another province; move it on the provinces page first"
        ) from None
    except PasswordRefused as refused:
        raise click.UsageError(ENGLISH_MESSAGES[refused.problem]) from None
    except EmailTaken:
        raise click.ClickException(
            f"a user with email {normalise_email(email)} already exists"
        ) from None
    db.session.commit()
    place = user.city or user.province
    click.echo(f"Created {role} {user.email}" + (f" for {place.name}" if place else ""))


@bp.cli.command("send-reminders")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    help="How many days before a round's due date to remind (default: REMINDER_DAYS_BEFORE).",
)
def send_reminders_command(days: int | None) -> None:
    """Remind officials of cities that have not filed for an open round, before its due date
    and once overdue. Safe to run from cron as often as you like: no one is told twice."""
    before = current_app.config["REMINDER_DAYS_BEFORE"] if days is None else days
    told = send_reminders(date.today(), before)
    db.session.commit()
    click.echo(f"Reminded {told} officials")


@bp.cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Add them outside development too.")
def seed_demo(force: bool) -> None:
    """Add demo cities, logins and assessments, once; a database with users is left alone.

    Only in development (CITYREADY_ENV=development) unless --force: the demo logins' passwords
    are published, so on a live server they would be anyone's way in."""
    if current_app.config.get("CITYREADY_ENV") != DEVELOPMENT and not force:
        raise click.ClickException(
            "seed-demo adds logins whose passwords are published, so it runs only with "
            "CITYREADY_ENV=development; add --force to add them here all the same."
        )
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("Users exist already; demo data not added.")
        logins = demo.existing_logins()
    else:
        logins = demo.seed()
        db.session.commit()
    if logins:
        click.echo("Demo logins:")
        for email, password, role in logins:
            click.echo(f"  {role:<9} {email}  password: {password}")


@bp.cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Copy the SQLite database to PATH while the app keeps serving (see docs/deploy.md)."""
    try:
        size = sqlite.backup(db.engine.url, path)
    except (ValueError, OSError) as refused:  # not SQLite, the live file itself, no such folder
        raise click.ClickException(str(refused)) from refused
    click.echo(f"Backed up {db.engine.url.database} to {path} ({size:,} bytes, integrity ok)")


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs (reports rendered before anyone asks) from JOB_QUEUE_URL's Redis."""
    if not current_app.config["JOB_QUEUE_URL"]:
        raise click.UsageError(
            "JOB_QUEUE_URL is not set: without Redis, jobs run on a thread in each app process"
        )
    jobs.work(current_app._get_current_object(), burst)  # type: ignore[attr-defined]
