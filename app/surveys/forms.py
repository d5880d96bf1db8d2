from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.resident_survey import ResidentSurvey
from app.surveys.operations import MAX_INVITATIONS
from app.web.forms import per_question_form


def survey_field_name(question_id: str) -> str:
    return "r-" + question_id.replace(".", "-")


class ResponseForm(FlaskForm):
    """One resident's answers; a radio group per question is added by ``response_form``."""

    submit = SubmitField(_l("Send my answers"))

    def answer(self, question_id: str) -> Field:
        return self[survey_field_name(question_id)]

    def answers(self, survey: ResidentSurvey) -> dict[str, int]:
        """The questions answered, as 1..5; skipped questions are left out."""
        given = {q.id: self.answer(q.id).data for q in survey.questions}
        return {qid: int(value) for qid, value in given.items() if value}


class OnlineResponseForm(ResponseForm):
    """A resident's answers online, with the invitation code printed for their household."""

    code = StringField(
        _l("Invitation code, if you received one"), validators=[Optional(), Length(max=40)]
    )


ResponseFormT = TypeVar("ResponseFormT", bound=ResponseForm)


def response_form(
    survey: ResidentSurvey, lang: str, form_class: type[ResponseFormT], **kwargs: object
) -> ResponseFormT:
    choices = [SelectChoice(str(i + 1), label.get(lang)) for i, label in enumerate(survey.scale)]
    return per_question_form(
        form_class,
        survey.questions,
        lambda question: {
            survey_field_name(question.id): RadioField(
                question.text.get(lang), choices=choices, validators=[Optional()]
            )
        },
        **kwargs,
    )


class OpenSurveyForm(FlaskForm):
    closes_on = DateField(
        _l("Closing date"), validators=[DataRequired(_l("Choose the day the survey closes."))]
    )
    submit = SubmitField(_l("Open the survey"))


def _print_run(label: str) -> IntegerField:
    message = _l("Choose a number from 1 to %(most)d.", most=MAX_INVITATIONS)
    return IntegerField(
        label,
        validators=[InputRequired(message), NumberRange(1, MAX_INVITATIONS, message)],
        # A typical print run for a neighbourhood, to change; an empty box said nothing.
        default=20,
    )


class PaperFormsForm(FlaskForm):
    """Blank paper questionnaires to print: counted, as paper answers are limited to them."""

    copies = _print_run(_l("Blank questionnaires to print"))
    submit = SubmitField(_l("Print and count them"))


class InvitationsForm(FlaskForm):
    """Single-use invitation codes to print, one per household."""

    count = _print_run(_l("Invitation codes to print"))
    submit = SubmitField(_l("Print invitation codes"))
