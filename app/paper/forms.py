from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from app.core.questionnaire import Option, Question, QuestionBank
from app.models import COMMENT_MAX_LENGTH
from app.web.forms import per_question_form
from app.web.input_guard import StorableTextForm

_KEY_FOR_KIND = {"dont_know": "d", "not_applicable": "n"}


def answer_key(option: Option) -> str:
    """The key printed beside an option's box on paper and typed to key it in: 1–5, d or n."""
    return option.value if option.kind == "level" else _KEY_FOR_KIND[option.kind]


def paper_answer_field_name(question_id: str) -> str:
    return "key-" + question_id.replace(".", "-")


def paper_comment_field_name(question_id: str) -> str:
    return paper_answer_field_name(question_id) + "-comment"


class AnswerKey:
    """Accept one of the keys printed beside the question's boxes, in either case."""

    def __init__(self, question: Question) -> None:
        self.keys = [answer_key(o) for o in question.options]

    def __call__(self, form: FlaskForm, field: Field) -> None:
        typed = (field.data or "").strip().lower()
        if typed and typed not in self.keys:
            raise ValidationError(
                _l("Type one of %(keys)s, as ticked on paper.", keys=" ".join(self.keys))
            )


class PaperResponseForm(StorableTextForm):
    """Every question of a bank on one page; answer and comment fields are added per bank."""

    form_id = StringField(
        _l("Form id"),
        validators=[DataRequired(_l("Type the form id printed at the top of every page."))],
    )
    city = SelectField(_l("City"), coerce=int, validators=[DataRequired()])
    save = SubmitField(_l("Save as a draft"))
    submit = SubmitField(_l("Save and submit"))

    def answer(self, question: Question) -> Field:
        return self[paper_answer_field_name(question.id)]

    def comment(self, question: Question) -> Field:
        return self[paper_comment_field_name(question.id)]

    def value_for(self, question: Question) -> str:
        """The option value the typed key stands for; empty when nothing was typed."""
        typed = (self.answer(question).data or "").strip().lower()
        return next((o.value for o in question.options if answer_key(o) == typed), "")


def paper_response_form(bank: QuestionBank, lang: str) -> PaperResponseForm:
    """Build the key-in form for a bank: a one-key answer box and a comment per question."""
    return per_question_form(
        PaperResponseForm,
        bank.questions(),
        lambda question: {
            paper_answer_field_name(question.id): StringField(
                question.text.get(lang), validators=[Optional(), AnswerKey(question)]
            ),
            paper_comment_field_name(question.id): TextAreaField(
                _l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)]
            ),
        },
    )
