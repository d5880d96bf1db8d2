"""Session lifetime: a fresh session at sign-in, idle and absolute timeouts, sign-out here or
everywhere.

The session is a signed cookie, so the timestamps kept in it cannot be moved by the browser;
a replayed old cookie carries its old timestamps and its old ``User.session_version``. Each
session also carries a random id: signing out on one device ends that id alone
(``EndedSession``), signing out everywhere raises the version and so ends them all.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, session
from flask_login import login_user, logout_user

from app.extensions import db
from app.models import EndedSession, User, utcnow
from app.web.i18n import LANG_SESSION_KEY
from app.web.preferences import HIGH_CONTRAST_SESSION_KEY

# Display choices outlive a sign-in or sign-out: they belong to the person at the screen.
KEPT_ACROSS_SESSIONS = (LANG_SESSION_KEY, HIGH_CONTRAST_SESSION_KEY)

STARTED = "_started"
SEEN = "_seen"
REMEMBERED = "_remembered"
SESSION_ID = "_session_id"
# Refreshing the last-seen time at most once a minute spares a new cookie on every response.
SEEN_RESOLUTION_SECONDS = 60


def _clear_keeping_display_choices() -> None:
    kept = {key: session[key] for key in KEPT_ACROSS_SESSIONS if key in session}
    session.clear()
    session.update(kept)


def begin_session(user: User, remember: bool) -> None:
    """Sign in on a fresh session, so nothing from before sign-in carries over."""
    _clear_keeping_display_choices()
    login_user(user)
    now = int(time.time())
    session[STARTED] = session[SEEN] = now
    session[REMEMBERED] = remember
    session[SESSION_ID] = secrets.token_hex(16)
    # "Keep me signed in" keeps the cookie across browser restarts, up to the absolute timeout.
    session.permanent = remember


def end_session() -> None:
    logout_user()
    _clear_keeping_display_choices()


def this_session_id() -> str:
    """The signed-in session's random id; "" for a cookie from before sessions had one."""
    value = session.get(SESSION_ID)
    return value if isinstance(value, str) else ""


def end_this_session() -> None:
    """Refuse this session's cookie from now on, wherever it is replayed; flushes.

    Ended ids are forgotten once such a session would have timed out anyway."""
    timeout: timedelta = current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    db.session.execute(sa.delete(EndedSession).where(EndedSession.ended_at < utcnow() - timeout))
    db.session.add(EndedSession(session_id=this_session_id()))


def session_timed_out() -> bool:
    """Whether the signed-in session has been idle, or open, for too long; refresh it if not.

    A remembered session ("keep me signed in on this device") has no idle timeout.
    """
    now = int(time.time())
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int) or not this_session_id():
        return True
    config = current_app.config
    if now - started >= config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
        return True
    if not session.get(REMEMBERED) and now - seen >= config["SESSION_IDLE_TIMEOUT"].total_seconds():
        return True
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session[SEEN] = now
    return False
