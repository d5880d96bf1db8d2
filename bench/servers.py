"""Start and stop gunicorn as production runs it; talk to it as a browser or API client would."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER_AGENT = "cityready-bench"
"""Sent on every request, login included: Flask-Login ties a session to the user agent."""

SECRET_KEY = secrets.token_hex(32)
"""One random key per benchmark run, shared by the seeding and the servers."""
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
ROOT = Path(__file__).resolve().parent.parent


def default_workers() -> int:
    """Gunicorn's own advice for sync workers: two per core plus one."""
    return 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


def _wait_until_up(base: str, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + path, timeout=5):  # noqa: S310 - loopback only
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer within 60 s")


@contextmanager
def gunicorn(
    target: str, port: int, workers: int, database: Path | None, probe: str = "/login"
) -> Iterator[Server]:
    """Serve the WSGI target on 127.0.0.1:port with sync workers; stop it on the way out."""
    env = {
        **os.environ,
        "SECRET_KEY": SECRET_KEY,
        "TRUSTED_HOSTS": "127.0.0.1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if database is not None:
        env["DATABASE_URL"] = f"sqlite:///{database}"
    command = [
        GUNICORN,
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, probe)
        yield Server(base, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def fetch(
    base: str,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request, no redirects followed, so a bounce to the login page shows as a 302."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(  # noqa: S310 - loopback only
        base + path, data=body, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
    )
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def api_token(base: str, email: str, password: str) -> str:
    credentials = base64.b64encode(f"{email}:{password}".encode()).decode()
    status, _, body = fetch(
        base, "/api/v1/tokens", method="POST", headers={"Authorization": f"Basic {credentials}"}
    )
    if status != 200:
        raise RuntimeError(f"token for {email}: {status} {body[:200]!r}")
    return str(json.loads(body)["token"])


def _session_from(headers: dict[str, str]) -> str | None:
    cookie = headers.get("Set-Cookie", "")
    return cookie.split(";", 1)[0] if cookie.startswith("session=") else None


def session_cookie(base: str, email: str, password: str) -> str:
    """Sign in through the login form, CSRF token and all, and return the session cookie.

    The cookie is carried by hand: outside development it is marked Secure, and a cookie jar
    would not send it back over the plain HTTP of the loopback.
    """
    status, headers, page = fetch(base, "/login")
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.decode())
    cookie = _session_from(headers)
    if status != 200 or match is None or cookie is None:
        raise RuntimeError(f"the login page answered {status} without a form and a session")
    form = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": match.group(1)}
    ).encode()
    status, headers, _ = fetch(
        base,
        "/login",
        method="POST",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    signed_in = _session_from(headers)
    if status != 302 or signed_in is None:
        raise RuntimeError(f"signing in as {email} answered {status}")
    # Follow the redirect as a browser would: the first page puts a new CSRF token in the
    # session (sign-in starts a fresh one), and the cookie that carries it is the one to keep.
    target = urllib.parse.urlsplit(headers["Location"]).path
    _, headers, _ = fetch(base, target, headers={"Cookie": signed_in})
    return _session_from(headers) or signed_in


def refreshed(base: str, cookie: str) -> str:
    """The session cookie after one more page, which renews it once its last-seen time is old."""
    _, headers, _ = fetch(base, "/assessments", headers={"Cookie": cookie})
    return _session_from(headers) or cookie
