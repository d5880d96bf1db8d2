"""Forms of the admin pages: reviewing an assessment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.questionnaire import QuestionBank
from app.models import COMMENT_MAX_LENGTH
from app.web.forms import per_question_form
from app.web.input_guard import StorableTextForm


def note_field_name(question_id: str) -> str:
    return "note-" + question_id.replace(".", "-")


class ApproveForm(StorableTextForm):
    comment = TextAreaField(
        _l("Comment for the city (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Approve"))


class ReturnForm(StorableTextForm):
    """The reason for a return, and a note field per question added by ``return_form``."""

    comment = TextAreaField(
        _l("What should the city change?"),
        validators=[
            DataRequired(_l("Say what the city should change before returning it.")),
            Length(max=COMMENT_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Return for revision"))

    def note(self, question_id: str) -> Field:
        return self[note_field_name(question_id)]


def return_form(bank: QuestionBank, **kwargs: object) -> ReturnForm:
    return per_question_form(
        ReturnForm,
        bank.questions(),
        lambda question: {
            note_field_name(question.id): TextAreaField(
                _l("Note on this question"),
                validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
            )
        },
        **kwargs,
    )
