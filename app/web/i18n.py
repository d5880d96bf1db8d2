"""Which language a request is answered in, and the catalogs that translate it."""

from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from app.extensions import babel, db
from app.web.errors import wants_json

LANG_SESSION_KEY = "lang"


def _chosen() -> str | None:
    """The language asked for with ?lang= on a page (the API takes it per request only)."""
    asked = request.args.get("lang")
    return asked if asked in current_app.config["LANGUAGES"] else None


def select_locale() -> str | None:
    """An explicit ?lang= (remembered for the session) wins, then the signed-in user's saved
    language, then the browser's preference."""
    languages = current_app.config["LANGUAGES"]
    if asked := _chosen():
        return asked
    remembered = session.get(LANG_SESSION_KEY)
    if remembered in languages:
        return str(remembered)
    if current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return request.accept_languages.best_match(languages)


def content_language() -> str:
    """The language, "en" or "zh", to show the question bank, reports and surveys in.

    Pages show them in the page's own language (``select_locale``), so labels and content agree.
    The JSON API shows them in ?lang= alone, English by default as docs/api.md promises, so what a
    script receives never depends on its Accept-Language header or a stray cookie. That is the
    API blueprint, not every /api/ address (``wants_json``): the PDF report served under /api/v1
    is a page like any other, and its content must stay in the language of its labels.
    """
    if request.blueprint == "api":
        return _chosen() or "en"
    locale = get_locale()
    return locale.language if locale else "en"


def save_chosen_language() -> None:
    """Remember a page's ?lang= for the session before the view runs, so that it holds on the
    page a redirect leads to (``/``, the sign-in page); and save a signed-in user's switch of
    language on their account, so it follows them."""
    asked = _chosen()
    if asked and not wants_json():
        session[LANG_SESSION_KEY] = asked
    if (
        asked
        and request.method == "GET"
        and not wants_json()
        and current_user.is_authenticated
        and current_user.language != asked
    ):
        current_user.language = asked
        db.session.commit()


def init_babel(app: Flask) -> None:
    """Bind Flask-Babel; warn, and serve English, when a catalog was never compiled."""
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(save_chosen_language)
    for directory in app.extensions["babel"].translation_directories:
        for source in Path(directory).glob("*/LC_MESSAGES/*.po"):
            if not source.with_suffix(".mo").exists():
                app.logger.warning(
                    "%s is not compiled, so its language falls back to English: "
                    "run scripts/translations.sh compile",
                    source,
                )
