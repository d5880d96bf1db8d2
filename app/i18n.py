"""Which language a request is answered in."""

from flask import current_app, request, session

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
