from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from app.extensions import db
from app.preferences import choose_high_contrast, high_contrast
from app.redirects import safe_next

bp = Blueprint("settings", __name__)


@bp.post("/settings/display")
def display() -> Response:
    """Switch large text and high contrast on or off, then go back to the page the user was on."""
    choose_high_contrast(not high_contrast())
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("assessment.home"))
