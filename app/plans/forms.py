from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.core.questionnaire import QuestionBank
from app.models import ACTION_OWNER_MAX_LENGTH, ACTION_STATUSES, TARGET_LEVELS
from app.web.forms import per_question_form
from app.web.input_guard import StorableTextForm

STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}


def target_field_name(scope: str) -> str:
    return "t-" + scope.replace(".", "-")


class TargetsForm(FlaskForm):
    """One select per area and per question; fields are added by ``targets_form``."""

    save = SubmitField(_l("Save targets"))

    def target(self, scope: str) -> Field:
        return self[target_field_name(scope)]


def targets_form(bank: QuestionBank, **kwargs: object) -> TargetsForm:
    choices = [SelectChoice("", _l("No target"))] + [
        SelectChoice(str(n), _l("Level %(n)d", n=n)) for n in TARGET_LEVELS
    ]
    return per_question_form(
        TargetsForm,
        [a.id for a in bank.areas] + [q.id for q in bank.questions()],
        lambda scope: {target_field_name(scope): SelectField(scope, choices=choices, default="")},
        **kwargs,
    )


class ActionForm(StorableTextForm):
    owner = StringField(
        _l("Owner"),
        validators=[
            DataRequired(_l("Name who carries it out.")),
            Length(max=ACTION_OWNER_MAX_LENGTH),
        ],
    )
    due_date = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in ACTION_STATUSES],
        default="planned",
    )
    save = SubmitField(_l("Save"))
