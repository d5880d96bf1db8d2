"""Forms of the admin pages: reviewing an assessment."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.questionnaire import Question, QuestionBank
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
    confirm_unverified = BooleanField(_l("Approve although some answers are not verified"))
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


class VerifyForm(StorableTextForm):
    """A reviewer's check of one answer; ``value`` gets the question's answers as choices."""

    status = RadioField(
        _l("Your check"),
        choices=[
            SelectChoice("accepted", _l("Accept as given")),
            SelectChoice("adjusted", _l("Adjust the level")),
        ],
        validators=[InputRequired(_l("Choose whether to accept or adjust the answer."))],
    )
    value = SelectField(_l("Verified answer"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason (required when adjusting)"),
        validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Record the check"))

    def validate(self, extra_validators: Any = None) -> bool:
        # Not an inline validator: Optional() on an empty reason stops those from running.
        valid = super().validate(extra_validators)
        if self.status.data == "adjusted" and not (self.reason.data or "").strip():
            self.reason.errors = [
                *self.reason.errors,
                _l("Give the reason for adjusting the level."),
            ]
            return False
        return valid


def verify_form(question: Question, lang: str, **kwargs: object) -> VerifyForm:
    form = VerifyForm(**kwargs)
    form.value.choices = [SelectChoice(o.value, o.label.get(lang)) for o in question.options]
    return form
