"""Error pages for people and JSON errors for the API, never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)
from werkzeug.wrappers import Response

from app.extensions import db
from app.platform.pdf import RenderInProgress
from app.platform.storage_faults import storage_fault

STORAGE_RETRY_AFTER_SECONDS = 60


def wants_json() -> bool:
    """Whether the request comes from an API client, which is answered in JSON and keeps nothing
    in the session: any address under /api/.

    The path, not ``request.blueprint == "api"``: an unknown /api/ address matches no blueprint,
    and /api/v1/assessments/<id>/report.pdf belongs to the reports blueprint, yet a client of
    either must get a JSON error.
    """
    return request.path.startswith("/api/")


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot store anything: read-only, or its disk is full."""

    description = "The database cannot store changes right now; nothing was kept. Try again later."


def _render(error: HTTPException) -> tuple[str | Response, int, dict[str, str]]:
    code = error.code or 500
    # Keep what the error says about itself besides its body, such as Retry-After on a 503.
    headers = {name: value for name, value in error.get_headers() if name != "Content-Type"}
    if wants_json():
        return jsonify({"errors": {"request": error.description}}), code, headers
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no link, not even to the style sheet, can be built.
        message = _("This server does not answer for that address.")
        return Response(message, mimetype="text/plain"), code, headers
    if isinstance(error, CSRFError):
        message = _("This form has expired. Go back, reload the page and try again.")
    elif isinstance(error, DatabaseUnavailable):
        message = _(
            "Nothing can be saved right now: the database cannot store changes. Nothing you "
            "sent was kept. Please try again later; your administrator can see the cause."
        )
    elif isinstance(error, RenderInProgress):
        message = _("A document you asked for is still being produced. Try again when it is done.")
    else:
        message = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _(
                "There is nothing here. The page may have moved, or it belongs to another city."
            ),
            405: _("That action is not allowed here."),
            413: _("What you sent is too large."),
            429: _("Too many failed sign-ins. Wait a few minutes and try again."),
            503: _(
                "The document could not be produced right now. Please try again in a minute; "
                "if it keeps failing, tell your administrator."
            ),
        }.get(code, _("Something went wrong on our side. Your last change was not saved."))
    return render_template("errors/error.html", code=code, message=message), code, headers


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str | Response, int, dict[str, str]]:
        return _render(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str | Response, int, dict[str, str]]:
        # Roll back so a failed write leaves nothing half-stored behind for the next request.
        db.session.rollback()
        if (cause := storage_fault(error)) is not None:
            app.logger.error(
                "The database cannot store changes: %s (%s: %s). Requests that write are "
                "answered 503 until this is fixed.",
                cause,
                type(getattr(error, "orig", error)).__name__,
                getattr(error, "orig", error),
            )
            return _render(DatabaseUnavailable(retry_after=STORAGE_RETRY_AFTER_SECONDS))
        app.logger.exception("Unhandled error", exc_info=error)
        return _render(InternalServerError())
