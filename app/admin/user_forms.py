"""Forms of the admin's user pages: create, edit, reset a password, deactivate or reactivate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.accounts.operations import DISPLAY_NAME_MAX, email_taken
from app.accounts.validators import AcceptableEmail, MeetsPasswordPolicy
from app.extensions import db
from app.models import City, Province, User
from app.web.input_guard import StorableTextForm

NO_CITY = 0
NO_PROVINCE = 0
ROLE_CHOICES = [
    SelectChoice("official", _l("City official")),
    SelectChoice("admin", _l("Admin (reviewer)")),
]


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class AccountFields(StorableTextForm):
    """Name, email, role and city, shared by the create and edit forms."""

    display_name = StringField(
        _l("Name"), validators=[Optional(), Length(max=DISPLAY_NAME_MAX)], filters=[_strip]
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter the email address.")),
            AcceptableEmail(),
        ],
        filters=[_strip],
    )
    role = RadioField(
        _l("Role"),
        choices=ROLE_CHOICES,
        default="official",
        validators=[DataRequired(_l("Choose a role."))],
    )
    city = SelectField(_l("City"), coerce=int, default=NO_CITY)
    new_city = StringField(
        _l("Or a new city"), validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    province = SelectField(_l("Province reviewed"), coerce=int, default=NO_PROVINCE)

    def __init__(self, *args: Any, editing: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._editing = editing
        cities = db.session.execute(sa.select(City.id, City.name).order_by(City.name))
        self._city_names = {row.id: row.name for row in cities}
        self.city.choices = [SelectChoice(str(NO_CITY), _l("— none —"))] + [
            SelectChoice(str(city_id), name) for city_id, name in self._city_names.items()
        ]
        provinces = db.session.execute(
            sa.select(Province.id, Province.name).order_by(Province.name)
        )
        self._province_names = {row.id: row.name for row in provinces}
        self.province.choices = [SelectChoice(str(NO_PROVINCE), _l("— every province —"))] + [
            SelectChoice(str(province_id), name)
            for province_id, name in self._province_names.items()
        ]

    def validate_email(self, field: EmailField) -> None:
        """Said beside the field with the other problems; ``app.accounts.operations`` checks
        again."""
        if field.data and email_taken(field.data, other_than=self._editing):
            raise ValidationError(_l("Another account has this email address."))

    def validate_city(self, field: SelectField) -> None:
        chosen, typed = field.data != NO_CITY, bool(self.new_city.data)
        if self.role.data == "admin" and (chosen or typed):
            raise ValidationError(_l("Admins belong to no city: leave the city empty."))
        if self.role.data == "official" and not (chosen or typed):
            raise ValidationError(_l("Choose the official's city, or type a new one below."))
        if chosen and typed:
            raise ValidationError(_l("Choose a city or type a new one, not both."))

    def validate_province(self, field: SelectField) -> None:
        if self.role.data == "official" and field.data != NO_PROVINCE:
            raise ValidationError(
                _l("An official's province is their city's: leave the province reviewed empty.")
            )

    def province_name(self) -> str | None:
        """The province an admin reviews; None for every province."""
        return self._province_names.get(self.province.data)

    def city_name(self) -> str | None:
        """The name of the city chosen or typed; None for none."""
        if self.new_city.data:
            return str(self.new_city.data)
        return self._city_names.get(self.city.data)

    def account_email(self) -> str:
        return str(self.email.data or "")


class PasswordChoice:
    """A password the admin types, or, left empty, one generated and shown once."""

    password = PasswordField(
        _l("Password"), validators=[Optional(strip_whitespace=False), MeetsPasswordPolicy()]
    )


class NewUserForm(AccountFields, PasswordChoice):
    submit = SubmitField(_l("Create the user"))


class EditUserForm(AccountFields):
    submit = SubmitField(_l("Save the changes"))


class ResetPasswordForm(FlaskForm, PasswordChoice):
    submit = SubmitField(_l("Set the new password"))

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._email = user.email

    def account_email(self) -> str:
        return self._email


class AccountStatusForm(FlaskForm):
    """Deactivate or reactivate: a button, and the CSRF token."""

    submit = SubmitField()
