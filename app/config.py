"""Configuration: safe defaults, then ``instance/config.py``, then the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _persistent_secret(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, generating it on first start.

    A fresh random key per start would sign everyone out on every restart; a hard-coded one
    would let anyone forge sessions. So one is made once and kept beside the database.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'cityready.sqlite'}"
    # Heroku-style URLs name the old scheme; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def environment_overrides(instance_path: Path) -> dict[str, object]:
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _persistent_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
    }
