"""Real gunicorn servers for the durability and scale-out tests, and clients that talk to them
as a browser and an API client would: cookies, CSRF tokens, bearer tokens, nothing simulated."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

from app import create_app
from app.extensions import content, db
from app.models import City, User
from tests.conftest import CHEAP_PASSWORD_HASH

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "live-server-password-2026"


def free_port() -> int:
    """A port nothing listens on now, chosen by the system (never a fixed one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment a production server reads: see README's Configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CITYREADY_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=extra.pop("SECRET_KEY", secrets.token_hex(32)),
        TRUSTED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    env.pop("TEST_DATABASE_URL", None)
    return env


def migrate(env: Mapping[str, str]) -> None:
    """Build the schema the way a deployment does: ``flask db upgrade``."""
    subprocess.run(  # noqa: S603 - our own virtualenv's flask, fixed arguments
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=dict(env),
        check=True,
        capture_output=True,
    )


def seed_officials(database_url: str, count: int) -> list[str]:
    """``count`` officials, each of a city of their own; returns their emails.

    Their passwords are hashed cheaply: a server checks any method, reading it from the hash."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        }
    )
    emails = [f"official{n}@city{n}.example" for n in range(count)]
    with app.app_context():
        for n, email in enumerate(emails):
            user = User(email=email, role="official", city=City(name=f"City {n}"))
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        db.engine.dispose()
    return emails


def full_answers() -> dict[str, str]:
    """Every question of the current bank answered at level 3."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        return {q.id: "3" for q in content.current.questions()}


class Server:
    """``gunicorn "app:create_app()"`` with N sync workers, in a process group of its own so
    that the master and every worker can be killed at once."""

    def __init__(self, env: Mapping[str, str], log: Path, workers: int = 4) -> None:
        self.env, self.log, self.workers = dict(env), log, workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                [
                    str(BIN / "gunicorn"),
                    f"--workers={self.workers}",
                    f"--bind=127.0.0.1:{self.port}",
                    "--graceful-timeout=2",
                    "app:create_app()",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text()[-3000:]
                raise RuntimeError(f"gunicorn exited: see {self.log}\n{tail}")
            try:
                if Client(self).request("GET", "/api/v1/version").status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"gunicorn did not answer within {timeout} s: see {self.log}")

    def kill(self) -> None:
        """SIGKILL the master and all its workers at once: a crash, nothing flushed or closed."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running(env: Mapping[str, str], log: Path, workers: int = 4) -> Iterator[Server]:
    server = Server(env, log, workers).start()
    try:
        yield server
    finally:
        server.stop()


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One browser or API client: keeps cookies (whatever their Secure flag: the proxy in front
    would speak HTTPS) and sends an ``X-Forwarded-For`` of its own when given one."""

    def __init__(self, server: Server, forwarded_for: str | None = None) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        self.token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        form: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
        raw: tuple[bytes, str] | None = None,
    ) -> Response:
        """``raw`` is a body sent as it is, with its content type (a multipart upload)."""
        sent = dict(self.headers) | dict(headers or {})
        payload: bytes | None = None
        if raw is not None:
            payload, sent["Content-Type"] = raw
        elif form is not None:
            payload = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            connection.request(method, path, body=payload, headers=sent)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Response(answer.status, answer.headers, data)

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path).text
        found = CSRF.search(page)
        assert found is not None, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> Response:
        token = self.csrf_token("/login")
        form = {"csrf_token": token, "email": email, "password": password}
        return self.request("POST", "/login", form=form)

    def issue_token(self, email: str, password: str = PASSWORD) -> None:
        basic = base64.b64encode(f"{email}:{password}".encode()).decode()
        answer = self.request("POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
        assert answer.status == 200, answer.text
        self.token = answer.json()["token"]


def location_path(response: Response) -> str:
    return urlsplit(response.headers["Location"]).path


def stored_submissions(database_url: str, ids: list[int]) -> dict[int, tuple[str, int]]:
    """(status, number of answers) of each assessment asked for, read straight from the database."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT a.id, a.status, COUNT(answer.id) FROM assessment a "
                    "LEFT JOIN answer ON answer.assessment_id = a.id GROUP BY a.id, a.status"
                )
            ).all()
    finally:
        engine.dispose()
    wanted = set(ids)
    return {row[0]: (row[1], row[2]) for row in rows if row[0] in wanted}


@contextmanager
def fresh_database(tmp_path: Path, purpose: str) -> Iterator[str]:
    """An empty database for servers to share: a new SQLite file, or, when TEST_DATABASE_URL
    names PostgreSQL, a new database on that server, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / (purpose + '.sqlite')}"
        return
    server_url = sa.make_url(base)
    name = f"{server_url.database}_{purpose}_{os.getpid()}"[:63]
    admin = sa.create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
