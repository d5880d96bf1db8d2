"""Forms of the provinces page: add a province, move a city."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from app.extensions import db
from app.models import City, Province
from app.web.input_guard import StorableTextForm

NO_PROVINCE = 0
NO_TIER = ""
TIER_LABELS = {
    "prefecture": _l("Prefecture-level city"),
    "county_city": _l("County-level city"),
    "county": _l("County"),
    "district": _l("District"),
}


class ProvinceForm(StorableTextForm):
    name = StringField(
        _l("Name of the province"),
        validators=[DataRequired(_l("Enter the province's name.")), Length(max=120)],
        filters=[lambda value: value.strip() if value else value],
    )
    submit = SubmitField(_l("Add the province"))

    def validate_name(self, field: StringField) -> None:
        if db.session.scalar(sa.select(Province.id).where(Province.name == field.data)):
            raise ValidationError(_l("There is a province of this name already."))


class MoveCityForm(FlaskForm):
    city = SelectField(_l("City"), coerce=int, validators=[DataRequired(_l("Choose a city."))])
    province = SelectField(_l("Province"), coerce=int, default=NO_PROVINCE)
    tier = SelectField(_l("Tier"), default=NO_TIER)
    submit = SubmitField(_l("Move the city"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cities = db.session.execute(sa.select(City.id, City.name).order_by(City.name))
        self.city.choices = [SelectChoice(str(row.id), row.name) for row in cities]
        provinces = db.session.execute(
            sa.select(Province.id, Province.name).order_by(Province.name)
        )
        self.province.choices = [SelectChoice(str(NO_PROVINCE), _l("— none —"))] + [
            SelectChoice(str(row.id), row.name) for row in provinces
        ]
        self.tier.choices = [SelectChoice(NO_TIER, _l("— not given —"))] + [
            SelectChoice(tier, label) for tier, label in TIER_LABELS.items()
        ]
