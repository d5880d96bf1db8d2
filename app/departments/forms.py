from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.core.questionnaire import QuestionBank
from app.models import DEPARTMENT_NAME_MAX_LENGTH
from app.web.forms import per_question_form
from app.web.input_guard import StorableTextForm


class InviteForm(StorableTextForm):
    name = StringField(
        _l("Department"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Name the department, e.g. Transport bureau.")),
            Length(max=DEPARTMENT_NAME_MAX_LENGTH),
            Regexp(r"^[^#]", message=_l("A department name cannot start with #.")),
        ],
    )
    submit = SubmitField(_l("Invite"))


class NewLinkForm(FlaskForm):
    submit = SubmitField(_l("New link"))


def department_field_name(question_id: str) -> str:
    return "d-" + question_id.replace(".", "-")


class DepartmentAnswersForm(FlaskForm):
    """Every question of the bank on one page; fields are added by ``department_form``."""

    save = SubmitField(_l("Save"))
    submit = SubmitField(_l("Submit our answers"))
    understood = BooleanField(
        _l("We understand that our answers cannot be changed once they are submitted.")
    )

    def validate_understood(self, field: Field) -> None:
        """Submitting is final, so it asks for this box, which works without JavaScript;
        saving does not."""
        if self.submit.data and not field.data:
            raise ValidationError(_l("Tick this box to submit, or choose Save to keep working."))

    def answer(self, question_id: str) -> Field:
        return self[department_field_name(question_id)]


def department_form(bank: QuestionBank, lang: str, **kwargs: object) -> DepartmentAnswersForm:
    return per_question_form(
        DepartmentAnswersForm,
        bank.questions(),
        lambda question: {
            department_field_name(question.id): RadioField(
                question.text.get(lang),
                choices=[SelectChoice(o.value, o.label.get(lang)) for o in question.options],
                validators=[Optional()],
            )
        },
        **kwargs,
    )
