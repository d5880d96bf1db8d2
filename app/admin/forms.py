"""Forms of the admin pages: reviewing an assessment."""

from __future__ import annotations

from typing import TypeVar

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


class ReviewerNotesForm(StorableTextForm):
    """A note field per question, added by ``reviewer_notes_form``: one set of boxes serves
    both decisions, so notes written before an approval are kept like those sent with a return.
    """

    def note(self, question_id: str) -> Field:
        return self[note_field_name(question_id)]


class ReturnForm(ReviewerNotesForm):
    """The reason for a return, and the notes on single questions."""

    comment = TextAreaField(
        _l("What should the city change?"),
        validators=[
            DataRequired(_l("Say what the city should change before returning it.")),
            Length(max=COMMENT_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Return for revision"))


NotesT = TypeVar("NotesT", bound=ReviewerNotesForm)


def _with_notes(base: type[NotesT], bank: QuestionBank, **kwargs: object) -> NotesT:
    return per_question_form(
        base,
        bank.questions(),
        lambda question: {
            note_field_name(question.id): TextAreaField(
                _l("Note on this question"),
                validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
            )
        },
        **kwargs,
    )


def return_form(bank: QuestionBank, **kwargs: object) -> ReturnForm:
    return _with_notes(ReturnForm, bank, **kwargs)


def reviewer_notes_form(bank: QuestionBank, **kwargs: object) -> ReviewerNotesForm:
    """The notes alone, read beside ``ApproveForm``, whose token covers the request."""
    return _with_notes(ReviewerNotesForm, bank, meta={"csrf": False}, **kwargs)
