from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from app.accounts.operations import change_own_password
from app.accounts.validators import NEW_PASSWORD_HINT
from app.auth import throttling
from app.auth.tokens import revoke_token, tokens_of
from app.extensions import db
from app.platform import audit, sqlite
from app.settings.forms import ChangePasswordForm
from app.web.preferences import choose_high_contrast, high_contrast
from app.web.redirects import safe_next

bp = Blueprint("settings", __name__)


@bp.post("/settings/display")
def display() -> Response:
    """Switch large text and high contrast on or off, then go back to the page the user was on."""
    choose_high_contrast(not high_contrast())
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("assessment.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@sqlite.reads_first
def password() -> str | Response:
    """Change one's own password; every other session and API token ends, this one goes on.

    Wrong current passwords are limited too, so a session left open is no way around the limits
    on guessing; they are counted apart from sign-ins, so a stranger's failed sign-ins never
    stop the owner from changing the password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if (wait := throttling.password_check_refused(user)) is not None:
            abort(429, retry_after=wait)
        if not user.check_password(form.current_password.data or ""):
            throttling.password_check_failed(user)
            form.current_password.errors.append(_("This is not your current password."))
        else:
            change_own_password(user, form.new_password.data or "")
            db.session.commit()
            # The new session version ended every session; carry this one over to it.
            login_user(user)
            flash(
                _("Your password is changed. Other devices and API tokens are signed out."),
                "success",
            )
            return redirect(url_for("assessment.home"))
    return render_template("settings/password.html", form=form, new_password_hint=NEW_PASSWORD_HINT)


@bp.get("/account/tokens")
@login_required
def tokens() -> str:
    """One's API tokens (never their secrets), each with its own revoke button, and the button
    that signs out on every device."""
    return render_template("settings/tokens.html", tokens=tokens_of(current_user))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    if not revoke_token(current_user, token_id):
        abort(404)
    audit.record("account_change", obj=current_user, detail="API token revoked")
    db.session.commit()
    flash(_("The API token is revoked."), "success")
    return redirect(url_for("settings.tokens"))
