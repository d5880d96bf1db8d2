"""The provinces page under /provinces: national reviewers add provinces and move cities."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.divisions.forms import NO_PROVINCE, NO_TIER, TIER_LABELS, MoveCityForm, ProvinceForm
from app.divisions.operations import find_or_create_province, move_city
from app.extensions import db, login_manager
from app.models import City, Province

bp = Blueprint("divisions", __name__)


@bp.before_request
def national_reviewers_only() -> Response | None:
    """Provinces decide what every provincial reviewer sees: only national reviewers change
    them. Signed-out visitors go to the login page; anyone else gets 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not current_user.is_national_reviewer:
        abort(403)
    return None


def _page(province_form: ProvinceForm, move_form: MoveCityForm) -> str:
    counts = db.session.execute(
        sa.select(Province, sa.func.count(City.id))
        .outerjoin(City, City.province_id == Province.id)
        .group_by(Province.id)
        .order_by(Province.name)
    ).all()
    unplaced = db.session.scalars(
        sa.select(City.name).where(City.province_id.is_(None)).order_by(City.name)
    ).all()
    return render_template(
        "divisions/provinces.html",
        counts=counts,
        unplaced=unplaced,
        province_form=province_form,
        move_form=move_form,
        tier_labels=TIER_LABELS,
    )


@bp.get("")
def provinces() -> str:
    return _page(ProvinceForm(formdata=None), MoveCityForm(formdata=None))


@bp.post("")
def add_province() -> str | Response:
    form = ProvinceForm()
    if not form.validate_on_submit():
        return _page(form, MoveCityForm(formdata=None))
    province = find_or_create_province(form.name.data or "")
    db.session.commit()
    flash(_("Added %(province)s.", province=province.name), "success")
    return redirect(url_for("divisions.provinces"))


@bp.post("/move")
def move() -> str | Response:
    form = MoveCityForm()
    if not form.validate_on_submit():
        return _page(ProvinceForm(formdata=None), form)
    city = db.session.get(City, form.city.data)
    if city is None:
        abort(404)
    province = (
        None if form.province.data == NO_PROVINCE else db.session.get(Province, form.province.data)
    )
    move_city(city, province, None if form.tier.data == NO_TIER else form.tier.data)
    db.session.commit()
    flash(_("Moved %(city)s.", city=city.name), "success")
    return redirect(url_for("divisions.provinces"))
