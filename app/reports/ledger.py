"""The rectification ledger (整改台账): one spreadsheet row per question below its target, with
the countermeasures that answer it and who does what by when, for the office that follows up.

Rows come from the same per-question facts as the report (``summary.Briefing.weak``); owner, due
date and status from the action plan where the city has set them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.core.questionnaire import Catalogue
from app.extensions import content
from app.models import ActionItem, Assessment
from app.reports.summary import Briefing, QuestionFact, responsibility

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (CSV/formula injection)."""


def safe_cell(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ' where it would start a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class LedgerRow:
    fact: QuestionFact
    measures: tuple[str, ...]
    sections: str
    owner: str
    due: str
    status: str


def ledger_rows(
    summary: Briefing, actions: tuple[ActionItem, ...], lang: str, catalogue: Catalogue
) -> list[LedgerRow]:
    """One row per weak question: this round's countermeasures for it (the catalogue's where
    the round recommends none, as in an area strong overall) and its action-plan entry."""
    status_names = _status_names()
    rows = []
    for fact in summary.weak:
        qid = fact.question.id
        recommended = [
            r for r in summary.recommendations if any(f.question.id == qid for f in r.reasons)
        ]
        if recommended:
            measures = [(r.id, r.title, r.section) for r in recommended]
        else:
            measures = [
                (m.id, m.title.get(lang), m.paper_section)
                for m in catalogue.countermeasures
                if qid in m.question_ids
            ]
        planned = next(
            (
                item
                for item in actions
                if any(item.countermeasure_id == mid for mid, _title, _section in measures)
                or qid in item.question_ids
            ),
            None,
        )
        if planned is not None and planned.owner:
            owner = planned.owner
        elif measures:
            owner = responsibility(measures[0][0], fact.area.id).owner.get(lang)
        else:
            owner = responsibility("", fact.area.id).owner.get(lang)
        sections = sorted({fact.question.paper_section} | {section for *_r, section in measures})
        rows.append(
            LedgerRow(
                fact=fact,
                measures=tuple(title for _mid, title, _section in measures),
                sections=", ".join(f"§{s}" for s in sections),
                owner=owner,
                due=planned.due_date.isoformat() if planned and planned.due_date else "",
                status=status_names[planned.status] if planned else "",
            )
        )
    return rows


def _status_names() -> dict[str, str]:
    return {
        "planned": _("Planned"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "dropped": _("Dropped"),
    }


COLUMNS = (
    (_l("Area"), 22),
    (_l("Question"), 48),
    (_l("Current level"), 12),
    (_l("Target level"), 12),
    (_l("Countermeasures"), 40),
    (_l("Paper section"), 14),
    (_l("Owner"), 28),
    (_l("Due date"), 13),
    (_l("Status"), 12),
)


def ledger_xlsx(
    assessment: Assessment, summary: Briefing, actions: tuple[ActionItem, ...], lang: str
) -> bytes:
    """The ledger as an .xlsx workbook in the reader's language."""
    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet(_("Rectification ledger")[:31])  # Excel's longest sheet name
    sheet.append([safe_cell(str(label)) for label, _width in COLUMNS])
    catalogue = content.catalogue_for(assessment.questionnaire_version)
    for row in ledger_rows(summary, actions, lang, catalogue):
        fact = row.fact
        level: str | int = _("Don't know") if fact.level is None else fact.level
        sheet.append(
            [
                safe_cell(value) if isinstance(value, str) else value
                for value in (
                    fact.area.title.get(lang),
                    fact.question.text.get(lang),
                    level,
                    fact.target,
                    "\n".join(row.measures),
                    row.sections,
                    row.owner,
                    row.due,
                    row.status,
                )
            ]
        )
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for index, (_label, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    last = max(sheet.max_row, 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    names = ",".join(_status_names().values())
    status = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True)
    status.error = _("Choose a status from the list.")
    status.prompt = _("Choose a status from the list.")
    status.showErrorMessage = True
    sheet.add_data_validation(status)
    status_column = get_column_letter(len(COLUMNS))
    status.add(f"{status_column}2:{status_column}{max(last, 200)}")
    book.properties.title = _("Rectification ledger") + " · " + assessment.city.name
    book.properties.creator = "CityReady"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
