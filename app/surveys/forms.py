from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, Optional

from app.core.resident_survey import ResidentSurvey
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


def response_form(survey: ResidentSurvey, lang: str, **kwargs: object) -> ResponseForm:
    choices = [SelectChoice(str(i + 1), label.get(lang)) for i, label in enumerate(survey.scale)]
    return per_question_form(
        ResponseForm,
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
