"""Which language a request is answered in, and the catalogs that translate it."""

from pathlib import Path

from flask import Flask, current_app, request, session

from app.extensions import babel

LANG_SESSION_KEY = "lang"


def select_locale() -> str | None:
    """An explicit ?lang= (remembered for the session) wins, then the browser's preference."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        if not request.path.startswith("/api/"):
            session[LANG_SESSION_KEY] = asked
        return asked
    remembered = session.get(LANG_SESSION_KEY)
    if remembered in languages:
        return str(remembered)
    return request.accept_languages.best_match(languages)


def init_babel(app: Flask) -> None:
    """Bind Flask-Babel; warn, and serve English, when a catalog was never compiled."""
    babel.init_app(app, locale_selector=select_locale)
    for directory in app.extensions["babel"].translation_directories:
        for source in Path(directory).glob("*/LC_MESSAGES/*.po"):
            if not source.with_suffix(".mo").exists():
                app.logger.warning(
                    "%s is not compiled, so its language falls back to English: "
                    "run scripts/translations.sh compile",
                    source,
                )
