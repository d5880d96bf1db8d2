"""Command-line tasks: ``flask --app app create-user``, ``seed-demo`` and ``backup``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Blueprint, current_app

from app.accounts.operations import EmailTaken, PasswordRefused, create_account, normalise_email
from app.accounts.policy import ENGLISH_MESSAGES
from app.cli import demo
from app.config import DEVELOPMENT
from app.extensions import db
from app.models import ROLES, User
from app.platform import jobs, sqlite

bp = Blueprint("cli", __name__, cli_group=None)


@bp.cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--city", "city_name", help="The official's city; created when it does not exist.")
def create_user(email: str, password: str, role: str, city_name: str | None) -> None:
    """Create a user; officials need --city. The password must meet the policy."""
    if role == "official" and not city_name:
        raise click.UsageError("an official needs --city")
    try:
        user = create_account(email, role, city_name, password)
    except PasswordRefused as refused:
        raise click.UsageError(ENGLISH_MESSAGES[refused.problem]) from None
    except EmailTaken:
        raise click.ClickException(
            f"a user with email {normalise_email(email)} already exists"
        ) from None
    db.session.commit()
    click.echo(f"Created {role} {user.email}" + (f" for {user.city.name}" if user.city else ""))


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
