from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.questionnaire import Area, Question
from app.core.uncertainty import EVIDENCE_MAX_LENGTH, evidence_problem, is_link
from app.models import COMMENT_MAX_LENGTH
from app.web.forms import per_question_form
from app.web.input_guard import StorableTextForm

CONFIDENCE_CHOICES = [
    SelectChoice("", _l("Not said")),
    SelectChoice("high", _l("High: checked figures or documents")),
    SelectChoice("medium", _l("Medium: our best estimate")),
    SelectChoice("low", _l("Low: a rough guess")),
]


def answer_field_name(question_id: str) -> str:
    return "q-" + question_id.replace(".", "-")


def comment_field_name(question_id: str) -> str:
    return answer_field_name(question_id) + "-comment"


def confidence_field_name(question_id: str) -> str:
    return answer_field_name(question_id) + "-confidence"


def evidence_field_name(question_id: str) -> str:
    return answer_field_name(question_id) + "-evidence"


def valid_evidence(form: FlaskForm, field: Field) -> None:
    """A note may say anything; a link must be a plain http(s) address."""
    if field.data and is_link(field.data) and evidence_problem(field.data) is not None:
        raise ValidationError(
            _l("A link must start with http:// or https://, name a host and contain no spaces.")
        )


class AreaForm(StorableTextForm):
    """One page of the questionnaire; its fields are added per area by ``area_form``."""

    save = SubmitField(_l("Save draft"))
    save_and_next = SubmitField(_l("Save and continue"))

    def answer(self, question_id: str) -> Field:
        return self[answer_field_name(question_id)]

    def comment(self, question_id: str) -> Field:
        return self[comment_field_name(question_id)]

    def confidence(self, question_id: str) -> Field:
        return self[confidence_field_name(question_id)]

    def evidence(self, question_id: str) -> Field:
        return self[evidence_field_name(question_id)]


def area_form(area: Area, lang: str, **kwargs: object) -> AreaForm:
    """Build the form for one area: per question a radio group, a comment box, a confidence
    select and an evidence box."""

    def question_fields(question: Question) -> dict[str, UnboundField]:
        return {
            answer_field_name(question.id): RadioField(
                question.text.get(lang),
                choices=[SelectChoice(o.value, o.label.get(lang)) for o in question.options],
                validators=[Optional()],
            ),
            comment_field_name(question.id): TextAreaField(
                _l("Comment"),
                validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
            ),
            confidence_field_name(question.id): SelectField(
                _l("How sure are you?"), choices=CONFIDENCE_CHOICES, default=""
            ),
            evidence_field_name(question.id): StringField(
                _l("Evidence: a note or a link"),
                validators=[Optional(), Length(max=EVIDENCE_MAX_LENGTH), valid_evidence],
            ),
        }

    return per_question_form(AreaForm, area.questions, question_fields, **kwargs)


class NewAssessmentForm(FlaskForm):
    city = SelectField(_l("City"), coerce=int, validators=[DataRequired()])
    carry_over = BooleanField(_l("Start from the answers of the previous round"))
    submit = SubmitField(_l("Start a new assessment"))


class MoveBankForm(FlaskForm):
    """Confirms a draft's move to the newer question bank named in ``version``."""

    version = HiddenField(validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Move the draft to this question bank"))


class SubmitForm(FlaskForm):
    confirm_carried_over = BooleanField(
        _l("Submit although some answers carried over have not been confirmed")
    )
    submit = SubmitField(_l("Submit for review"))


class WorkbookUploadForm(FlaskForm):
    workbook = FileField(_l("Filled workbook (.xlsx)"), validators=[FileRequired()])
    upload = SubmitField(_l("Read the answers in"))
