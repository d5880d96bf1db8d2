from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired


class EvidenceUploadForm(FlaskForm):
    question_id = HiddenField(validators=[DataRequired()])
    file = FileField(_l("Attach a file"), validators=[FileRequired()])
    upload = SubmitField(_l("Attach"))


class EvidenceRemoveForm(FlaskForm):
    remove = SubmitField(_l("Remove"))
