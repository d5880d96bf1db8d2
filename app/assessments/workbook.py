"""An assessment's answers as an Excel workbook to pass among departments off-line, and back.

The workbook names its assessment and question bank on a very hidden sheet and in its
properties, so a workbook filled for another round is refused instead of overwriting this one.
Text typed by people is written as text, never as a formula, and a formula found in a cell
that comes back is refused: nobody's spreadsheet runs what another typed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from app.assessments.operations import AnswerInput
from app.assessments.scores import bank_for
from app.core.questionnaire import Question
from app.core.uncertainty import CONFIDENCES, EVIDENCE_MAX_LENGTH
from app.models import COMMENT_MAX_LENGTH, Assessment

ANSWERS_SHEET = "Answers"
META_SHEET = "_cityready"
CHOICES_SHEET = "_choices"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("question_id", "area", "question", "answer", "comment", "confidence", "evidence")
WORKBOOK_MAX_ROWS = 1000
WORKBOOK_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""An answers workbook unpacks to well under a megabyte; a zip that would inflate past this
is refused before it is opened."""


@dataclass(frozen=True)
class WorkbookProblem:
    sheet: str
    row: int
    column: str
    message: str


class WorkbookRefused(ValueError):
    def __init__(self, problems: list[WorkbookProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _text(cell: Cell, value: str) -> None:
    """Write what someone typed as plain text, whatever it starts with."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _confidence_labels() -> dict[str, str]:
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}


def _option_labels(question: Question, lang: str) -> dict[str, str]:
    return {o.value: o.label.get(lang) for o in question.options}


def answers_workbook(assessment: Assessment, lang: str) -> bytes:
    """The draft's questions with their current answers, level lists as drop-downs."""
    bank = bank_for(assessment)
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = ANSWERS_SHEET
    headers = (
        _("Question id"),
        _("Area"),
        _("Question"),
        _("Answer"),
        _("Comment"),
        _("Confidence"),
        _("Evidence: a note or a link"),
    )
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    choices = book.create_sheet(CHOICES_SHEET)
    confidences = _confidence_labels()
    choices.append(["confidence", *confidences.values()])
    confidence_list = DataValidation(
        type="list", formula1=f"'{CHOICES_SHEET}'!$B$1:$D$1", allow_blank=True
    )
    sheet.add_data_validation(confidence_list)
    answers = {a.question_id: a for a in assessment.answers}
    for row, question in enumerate(bank.questions(), start=2):
        labels = _option_labels(question, lang)
        choices.append([question.id, *labels.values()])
        last = chr(ord("A") + len(labels))
        answer_list = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!$B${row}:${last}${row}",
            allow_blank=True,
            showErrorMessage=True,
        )
        sheet.add_data_validation(answer_list)
        given = answers.get(question.id)
        area = bank.area(question.area_id)
        _text(sheet.cell(row, 1), question.id)
        _text(sheet.cell(row, 2), area.title.get(lang) if area else "")
        _text(sheet.cell(row, 3), question.text.get(lang))
        _text(sheet.cell(row, 4), labels.get(given.value, "") if given else "")
        _text(sheet.cell(row, 5), given.comment if given else "")
        _text(sheet.cell(row, 6), confidences.get(given.confidence or "", "") if given else "")
        _text(sheet.cell(row, 7), given.evidence if given else "")
        answer_list.add(sheet.cell(row, 4))
        confidence_list.add(sheet.cell(row, 6))
        for column in (4, 5, 6, 7):
            sheet.cell(row, column).protection = Protection(locked=False)
        sheet.cell(row, 3).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 40
    sheet.column_dimensions["E"].width = 40
    sheet.column_dimensions["G"].width = 40
    # Only the answer columns take typing: the ids that tie a row to its question stay put.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    choices.sheet_state = "veryHidden"
    meta = book.create_sheet(META_SHEET)
    meta.append(["assessment_id", assessment.id])
    meta.append(["questionnaire_version", assessment.questionnaire_version])
    meta.sheet_state = "veryHidden"
    book.properties.identifier = f"cityready:{assessment.id}:{assessment.questionnaire_version}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(cell: Cell, problems: list[WorkbookProblem], column: str) -> str:
    if cell.data_type == "f":
        problems.append(
            WorkbookProblem(
                cell.parent.title, cell.row, column, _("Formulas are not accepted: type the text.")
            )
        )
        return ""
    value: Any = cell.value
    return "" if value is None else str(value).strip()


def read_answers_workbook(assessment: Assessment, data: bytes) -> dict[str, AnswerInput]:
    """The answers a filled workbook gives, checked whole; ``WorkbookRefused`` lists every
    problem by sheet, row and column. Rows left without an answer are not in the result."""
    not_a_workbook = WorkbookRefused(
        [WorkbookProblem("", 0, "", _("This file is not an Excel workbook (.xlsx)."))]
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_a_workbook from None
    if unpacked > WORKBOOK_MAX_UNPACKED_BYTES:
        problem = _("This workbook is far larger than an answers workbook can be.")
        raise WorkbookRefused([WorkbookProblem("", 0, "", problem)])
    try:
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise not_a_workbook from None
    if META_SHEET not in book.sheetnames or ANSWERS_SHEET not in book.sheetnames:
        problem = _("This workbook was not downloaded from CityReady for this assessment.")
        raise WorkbookRefused([WorkbookProblem("", 0, "", problem)])
    meta = {str(r[0].value): str(r[1].value) for r in book[META_SHEET].iter_rows(max_col=2)}
    if meta.get("assessment_id") != str(assessment.id):
        problem = _(
            "This workbook belongs to assessment #%(other)s, not to this one (#%(this)d): "
            "download this assessment's workbook and fill that in.",
            other=meta.get("assessment_id", "?"),
            this=assessment.id,
        )
        raise WorkbookRefused([WorkbookProblem(META_SHEET, 1, "B", problem)])
    if meta.get("questionnaire_version") != assessment.questionnaire_version:
        problem = _(
            "This workbook was made for question bank %(other)s; this assessment uses "
            "%(this)s. Download a new workbook.",
            other=meta.get("questionnaire_version", "?"),
            this=assessment.questionnaire_version,
        )
        raise WorkbookRefused([WorkbookProblem(META_SHEET, 2, "B", problem)])
    bank = bank_for(assessment)
    values_by_label = {
        q.id: {
            **{o.value: o.value for o in q.options},
            **{label: value for value, label in _option_labels(q, "en").items()},
            **{label: value for value, label in _option_labels(q, "zh").items()},
        }
        for q in bank.questions()
    }
    confidence_values = {c: c for c in CONFIDENCES}
    for locale in ("en", "zh"):
        with force_locale(locale):
            confidence_values.update({label: c for c, label in _confidence_labels().items()})
    sheet = book[ANSWERS_SHEET]
    problems: list[WorkbookProblem] = []
    found: dict[str, AnswerInput] = {}
    if sheet.max_row > WORKBOOK_MAX_ROWS:
        raise WorkbookRefused(
            [WorkbookProblem(ANSWERS_SHEET, sheet.max_row, "A", _("Too many rows."))]
        )
    for cells in sheet.iter_rows(min_row=2, max_col=len(COLUMNS)):
        row = cells[0].row
        texts = [_cell_text(c, problems, "ABCDEFG"[i]) for i, c in enumerate(cells)]
        question_id, _area, _question, answer, comment, confidence, evidence = (
            *texts,
            *[""] * (len(COLUMNS) - len(texts)),
        )
        if not any(texts):
            continue
        if question_id not in values_by_label:
            problems.append(
                WorkbookProblem(ANSWERS_SHEET, row, "A", _("Not a question of this assessment."))
            )
            continue
        if not answer:
            continue
        value = values_by_label[question_id].get(answer)
        if value is None:
            problems.append(
                WorkbookProblem(
                    ANSWERS_SHEET, row, "D", _("Choose one of the answers in the list.")
                )
            )
        confidence_value = confidence_values.get(confidence) if confidence else None
        if confidence and confidence_value is None:
            problems.append(
                WorkbookProblem(
                    ANSWERS_SHEET, row, "F", _("Choose high, medium or low, or leave it empty.")
                )
            )
        if len(comment) > COMMENT_MAX_LENGTH:
            problems.append(WorkbookProblem(ANSWERS_SHEET, row, "E", _("The comment is too long.")))
        if len(evidence) > EVIDENCE_MAX_LENGTH:
            problems.append(
                WorkbookProblem(ANSWERS_SHEET, row, "G", _("The evidence note is too long."))
            )
        if value is not None:
            found[question_id] = AnswerInput(value, comment, confidence_value, evidence)
    if problems:
        raise WorkbookRefused(problems)
    return found
