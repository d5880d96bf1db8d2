"""The admin's user pages under /admin/users: list, create, edit, reset a password, deactivate.

Routes of the ``admin`` blueprint (admins only, see ``views.admins_only``); the changes
themselves are ``app.accounts.operations`` operations, each logged in the audit log.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.accounts.operations import (
    EmailTaken,
    SelfLockout,
    create_account,
    deactivate_account,
    email_taken,
    reactivate_account,
    reset_password,
    update_account,
)
from app.accounts.policy import MIN_LENGTH, generate_password
from app.admin.user_forms import (
    NO_CITY,
    NO_PROVINCE,
    AccountFields,
    AccountStatusForm,
    EditUserForm,
    NewUserForm,
    ResetPasswordForm,
)
from app.admin.views import bp, national_reviewers_only
from app.extensions import db
from app.models import AuditEvent, User

CHANGE_LABELS = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "deactivated": _l("Deactivated"),
    "reactivated": _l("Reactivated"),
    "password reset": _l("Password reset"),
    "password changed": _l("Password changed by the user"),
}
PASSWORD_HINT = _l(
    "Leave it empty to have a strong password generated and shown to you once. A password of "
    "your own needs at least %(num)d characters, any you like — spaces and Chinese too.",
    num=MIN_LENGTH,
)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id, options=[so.joinedload(User.city)])
    if user is None:
        abort(404)
    return user


def _last_changes() -> dict[int, AuditEvent]:
    """Each user's latest account change from the audit log, by user id."""
    latest = (
        sa.select(sa.func.max(AuditEvent.id))
        .where(AuditEvent.action == "account_change", AuditEvent.object_type == "user")
        .group_by(AuditEvent.object_id)
    )
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(latest)))
    return {event.object_id: event for event in events if event.object_id is not None}


def _email_taken_after_a_race(form: AccountFields, user: User | None = None) -> bool:
    """Roll back a refused write and say whether the email was the reason."""
    db.session.rollback()
    if email_taken(form.email.data or "", other_than=user):
        form.email.errors.append(_("Another account has this email address."))
        return True
    flash(
        _("Someone changed the same data at the same moment; nothing was saved. Try again."),
        "error",
    )
    return False


def _password_shown_once(user: User, password: str, title: str) -> Response:
    """Show a generated password in this answer only: never in a redirect, flash or cache."""
    response = make_response(
        render_template(
            "admin/users_password_shown.html", user=user, password=password, title=title
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users")
@national_reviewers_only
def users() -> str:
    rows = db.session.scalars(
        sa.select(User)
        .options(so.joinedload(User.city), so.joinedload(User.province))
        .order_by(User.active.desc(), User.email)
    ).all()
    return render_template(
        "admin/users.html", users=rows, changes=_last_changes(), labels=CHANGE_LABELS
    )


@bp.route("/users/new", methods=["GET", "POST"])
@national_reviewers_only
def new_user() -> str | Response:
    form = NewUserForm()
    if form.validate_on_submit():
        password = form.password.data or generate_password()
        try:
            user = create_account(
                form.email.data or "",
                form.role.data or "",
                form.city_name(),
                password,
                display_name=form.display_name.data,
                province_name=form.province_name(),
            )
            db.session.commit()
        except EmailTaken:
            db.session.rollback()
            form.email.errors.append(_("Another account has this email address."))
        except IntegrityError:
            _email_taken_after_a_race(form)
        else:
            if not form.password.data:
                return _password_shown_once(user, password, _("User created"))
            flash(_("Created %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/users_form.html", form=form, user=None, password_hint=PASSWORD_HINT
    )


def _edit_page(user: User, form: EditUserForm) -> str:
    return render_template(
        "admin/users_form.html", form=form, user=user, status_form=AccountStatusForm()
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@national_reviewers_only
def edit_user(user_id: int) -> str | Response:
    user = _user_or_404(user_id)
    form = EditUserForm(
        data={
            "display_name": user.display_name,
            "email": user.email,
            "role": user.role,
            "city": user.city_id or NO_CITY,
            "province": user.province_id or NO_PROVINCE,
        },
        editing=user,
    )
    if form.validate_on_submit():
        try:
            update_account(
                user,
                current_user,
                form.email.data or "",
                form.role.data or "",
                form.city_name(),
                display_name=form.display_name.data,
                province_name=form.province_name(),
            )
            db.session.commit()
        except SelfLockout:
            db.session.rollback()
            form.role.errors.append(
                _("You cannot change your own role: ask another admin to do it.")
            )
        except EmailTaken:
            db.session.rollback()
            form.email.errors.append(_("Another account has this email address."))
        except IntegrityError:
            _email_taken_after_a_race(form, user)
        else:
            flash(_("Saved the changes to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return _edit_page(user, form)


@bp.post("/users/<int:user_id>/deactivate")
@national_reviewers_only
def deactivate_user(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if AccountStatusForm().validate_on_submit():
        try:
            deactivate_account(user, current_user)
        except SelfLockout:
            flash(_("You cannot deactivate your own account: ask another admin to do it."), "error")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        db.session.commit()
        flash(
            _(
                "Deactivated %(email)s: signed out everywhere, API tokens revoked.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@national_reviewers_only
def reactivate_user(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if AccountStatusForm().validate_on_submit():
        reactivate_account(user)
        db.session.commit()
        flash(_("Reactivated %(email)s: they can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@national_reviewers_only
def reset_user_password(user_id: int) -> str | Response:
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("Change your own password here, with your current one."), "info")
        return redirect(url_for("settings.password"))
    form = ResetPasswordForm(user)
    if form.validate_on_submit():
        password = form.password.data or generate_password()
        reset_password(user, password)
        db.session.commit()
        if not form.password.data:
            return _password_shown_once(user, password, _("Password reset"))
        flash(
            _("New password set for %(email)s; they are signed out everywhere.", email=user.email),
            "success",
        )
        return redirect(url_for("admin.users"))
    return render_template(
        "admin/users_password.html", form=form, user=user, password_hint=PASSWORD_HINT
    )
