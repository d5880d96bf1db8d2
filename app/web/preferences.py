"""Display preferences: the language and the large-text, high-contrast display.

A choice made in the browser is kept in the session and, for a signed-in user, saved on their
account so it follows them to another device; on a new device the saved setting applies.
"""

from __future__ import annotations

from flask import current_app, session
from flask_login import current_user

from app.models import User
from app.web.i18n import LANG_SESSION_KEY

HIGH_CONTRAST_SESSION_KEY = "high_contrast"


def high_contrast() -> bool:
    """The session's explicit choice wins, then the signed-in user's saved setting."""
    if HIGH_CONTRAST_SESSION_KEY in session:
        return bool(session[HIGH_CONTRAST_SESSION_KEY])
    return bool(current_user.is_authenticated and current_user.high_contrast)


def choose_high_contrast(enabled: bool) -> None:
    session[HIGH_CONTRAST_SESSION_KEY] = enabled
    if current_user.is_authenticated:
        current_user.high_contrast = enabled


def keep_session_choices(user: User) -> None:
    """Save on the account what a visitor chose before signing in."""
    language = session.get(LANG_SESSION_KEY)
    if language in current_app.config["LANGUAGES"]:
        user.language = language
    if HIGH_CONTRAST_SESSION_KEY in session:
        user.high_contrast = bool(session[HIGH_CONTRAST_SESSION_KEY])
