from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.models import COMMENT_MAX_LENGTH
from app.questionnaire import Area


def answer_field_name(question_id: str) -> str:
    return "q-" + question_id.replace(".", "-")


def comment_field_name(question_id: str) -> str:
    return answer_field_name(question_id) + "-comment"


class AreaForm(FlaskForm):
    """One page of the questionnaire; its fields are added per area by ``area_form``."""

    save = SubmitField(_l("Save draft"))
    save_and_next = SubmitField(_l("Save and continue"))

    def answer(self, question_id: str) -> Field:
        return self[answer_field_name(question_id)]

    def comment(self, question_id: str) -> Field:
        return self[comment_field_name(question_id)]


def area_form(area: Area, lang: str, **kwargs: object) -> AreaForm:
    """Build the form class for one area: a radio group and a comment box per question."""

    class _Form(AreaForm):
        pass

    for question in area.questions:
        setattr(
            _Form,
            answer_field_name(question.id),
            RadioField(
                question.text.get(lang),
                choices=[SelectChoice(o.value, o.label.get(lang)) for o in question.options],
                validators=[Optional()],
            ),
        )
        setattr(
            _Form,
            comment_field_name(question.id),
            TextAreaField(
                _l("Comment or evidence"),
                validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
            ),
        )
    return _Form(**kwargs)


class NewAssessmentForm(FlaskForm):
    city = SelectField(_l("City"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Start a new assessment"))


class SubmitForm(FlaskForm):
    submit = SubmitField(_l("Submit for review"))
