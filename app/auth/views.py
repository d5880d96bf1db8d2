import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts.operations import authenticate
from app.auth import throttling
from app.auth.forms import LoginForm
from app.auth.sessions import (
    begin_session,
    end_session,
    end_this_session,
    session_timed_out,
    this_session_id,
)
from app.extensions import db, login_manager
from app.models import EndedSession, User
from app.notifications.queries import UNREAD_COUNT
from app.platform import audit, sqlite
from app.web.preferences import keep_session_choices
from app.web.redirects import safe_next

bp = Blueprint("auth", __name__)


_USER_WITH_CITY = (
    sa.select(User)
    .where(
        User.id == sa.bindparam("user_id"),
        ~sa.exists().where(EndedSession.session_id == sa.bindparam("session_id")),
    )
    .options(so.joinedload(User.city), so.with_expression(User.unread_notifications, UNREAD_COUNT))
)
"""The user of a session not signed out on its device. Every page shows the user's city and
unread notifications in its header, so they come in the same query; the statement is built once,
as every signed-in request runs it."""


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the session's user from "<id>:<session version>" (see ``User.get_id``).

    A deactivated user, a cookie from before the user signed out everywhere, or one of a
    session signed out on its device loads no one.
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.scalar(
        _USER_WITH_CITY, {"user_id": int(user_id), "session_id": this_session_id()}
    )
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.before_app_request
def end_timed_out_session() -> None:
    if "_user_id" in session and session_timed_out():
        end_session()
        flash(_("Your session has ended. Please sign in again."), "info")


def _landing(user: User) -> str:
    """Reviewers start on their dashboard; officials on their city's assessments."""
    return url_for("admin.dashboard" if user.is_admin else "assessment.index")


@bp.route("/login", methods=["GET", "POST"])
@sqlite.reads_first
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        if (wait := throttling.sign_in_refused(email)) is not None:
            throttling.sign_in_throttled()
            abort(429, retry_after=wait)
        user = authenticate(email, form.password.data or "")
        if user is None:
            current_app.logger.warning("Failed sign-in for %r from %s", email, request.remote_addr)
            throttling.sign_in_failed(email, throttling.PAGE)
            form.password.errors.append(_("Wrong email or password."))
        else:
            keep_session_choices(user)
            audit.record("sign_in", user=user)
            db.session.commit()
            begin_session(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")) or _landing(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out on this device; the user's other sessions and API tokens go on."""
    end_this_session()
    audit.record("sign_out")
    db.session.commit()
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> Response:
    """Sign out on every device at once; API tokens go on (revoke them on the tokens page)."""
    current_user.end_sessions()
    audit.record("sign_out", detail="everywhere")
    db.session.commit()
    end_session()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))
