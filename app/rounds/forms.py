"""The form by which a reviewer opens an evaluation round, and the one that closes it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import City
from app.web.input_guard import StorableTextForm


class RoundForm(StorableTextForm):
    name = StringField(
        _l("Name of the round"),
        validators=[DataRequired(_l("Give the round a name.")), Length(max=120)],
        filters=[lambda value: value.strip() if value else value],
    )
    questionnaire_version = SelectField(_l("Question bank"))
    due_on = DateField(
        _l("Due date"),
        validators=[DataRequired(_l("Give the due date as YYYY-MM-DD, for example 2026-03-31."))],
    )
    cities = SelectMultipleField(
        _l("Cities it covers"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Open the round"))

    def __init__(
        self, cities: list[City], bank_versions: list[str], *args: Any, **kwargs: Any
    ) -> None:
        # Every city the reviewer sees is ticked until they choose: a round usually calls them
        # all. A posted form replaces the ticks with its own.
        kwargs.setdefault("data", {"cities": [city.id for city in cities]})
        super().__init__(*args, **kwargs)
        self.cities.choices = [SelectChoice(str(city.id), city.name) for city in cities]
        self.questionnaire_version.choices = [SelectChoice(v, v) for v in bank_versions]

    def validate_cities(self, field: SelectMultipleField) -> None:
        # Not DataRequired: its "required" would make the browser demand every box ticked.
        if not field.data:
            raise ValidationError(_l("Choose at least one city."))


class CloseRoundForm(FlaskForm):
    submit = SubmitField(_l("Close the round"))
