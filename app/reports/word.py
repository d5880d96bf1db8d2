"""The report as a Word file an office can edit and pass on, laid out as a Chinese official
document (GB/T 9704): a title in 小标宋, the issuing body and date, headings numbered 一、（一）1.
in 黑体, 楷体 and 仿宋, body text in 仿宋. Real headings and tables, never pictures of text.

It writes the same summary and countermeasures as the page and the PDF (``summary.Briefing``).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from flask_babel import format_date
from flask_babel import gettext as _

from app.core.questionnaire import Question, QuestionBank
from app.core.scoring import Snapshot
from app.models import Answer, Assessment
from app.reports.summary import Briefing, Recommendation
from app.web.templating import display_zone

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
"""Latin letters and figures, as official documents set them beside the Chinese fonts."""

CHINESE_NUMERALS = "一二三四五六七八九十"


def _fonts(style_or_run: object, east_asia: str, size: float, bold: bool = False) -> None:
    """Set a style's or run's fonts: w:eastAsia carries the Chinese font, which Word uses for
    CJK text and replaces with the nearest installed one (宋体, 黑体…) where it is missing."""
    font = style_or_run.font  # type: ignore[attr-defined]
    font.name = LATIN_FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    properties = style_or_run.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _paragraph_style(
    style: ParagraphStyle, east_asia: str, size: float, bold: bool = False, indent: bool = False
) -> None:
    _fonts(style, east_asia, size, bold)
    layout = style.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(28)
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    layout.first_line_indent = Pt(2 * size) if indent else Pt(0)


def _page_number(paragraph: Paragraph) -> None:
    """ "— 1 —" centred at the foot of every page, as official documents number them."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


class _Writer:
    """Numbers the headings as offices do: 一、 then （一） then 1."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.document = Document()
        self.counts = [0, 0, 0]
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        _page_number(section.footer.paragraphs[0])
        styles = self.document.styles
        _paragraph_style(styles["Normal"], BODY_FONT, 16, indent=True)
        _paragraph_style(styles["Title"], TITLE_FONT, 22)
        _paragraph_style(styles["Subtitle"], SUBHEADING_FONT, 16)
        _paragraph_style(styles["Heading 1"], HEADING_FONT, 16)
        _paragraph_style(styles["Heading 2"], SUBHEADING_FONT, 16)
        _paragraph_style(styles["Heading 3"], BODY_FONT, 16, bold=True)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            styles[name].paragraph_format.keep_with_next = True
        styles["Title"].paragraph_format.line_spacing = Pt(36)
        styles["Title"].paragraph_format.space_after = Pt(12)
        styles["Heading 1"].paragraph_format.space_before = Pt(8)
        # The template's title has a blue rule under it; an official document's title has none.
        for border in styles["Title"].element.xpath("./w:pPr/w:pBdr"):
            border.getparent().remove(border)
        table_text = styles.add_style("Table Text", styles["Normal"].type)
        table_text.base_style = styles["Normal"]
        _paragraph_style(table_text, BODY_FONT, 12)
        table_text.paragraph_format.line_spacing = Pt(18)

    def heading(self, text: str, depth: int) -> None:
        self.counts[depth - 1] += 1
        for deeper in range(depth, len(self.counts)):
            self.counts[deeper] = 0
        number = self.counts[depth - 1]
        if depth == 1:
            label = f"{CHINESE_NUMERALS[number - 1]}、" if self.lang == "zh" else f"{number}. "
        elif depth == 2:
            label = f"（{CHINESE_NUMERALS[number - 1]}）" if self.lang == "zh" else f"({number}) "
        else:
            label = f"{number}. "
        self.document.add_paragraph(label + text, style=f"Heading {depth}")

    def text(self, text: str, bold_lead: str | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph()
        if bold_lead:
            paragraph.add_run(bold_lead).bold = True
        paragraph.add_run(text)
        return paragraph

    def table(self, head: list[str], rows: list[list[str]], widths: list[float]) -> None:
        table = self.document.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, head, strict=True):
            cell.paragraphs[0].style = "Table Text"
            cell.paragraphs[0].add_run(label).bold = True
        header = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        header.append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.paragraphs[0].style = "Table Text"
                cell.paragraphs[0].add_run(value)
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Mm(width)
        self.document.add_paragraph()

    def save(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _recommendation(writer: _Writer, r: Recommendation, lang: str) -> None:
    writer.heading(r.title, 3)
    writer.text(r.description)
    writer.text(r.why, _("Why it is here:"))
    for fact in r.reasons:
        section = f"§{fact.question.paper_section}"
        writer.text(
            _(
                "%(question)s: %(fact)s (%(section)s)",
                question=fact.question.text.get(lang),
                fact=fact.describe(),
                section=section,
            )
        )
    writer.text(r.ownership + " · " + _("Paper §%(section)s", section=r.section))


def report_docx(
    assessment: Assessment, bank: QuestionBank, report: Snapshot, summary: Briefing, lang: str
) -> bytes:
    """The Word report: the summary first, the countermeasures, the areas, the answers last."""
    writer = _Writer(lang)
    document = writer.document
    document.core_properties.title = _(
        "Smart-city readiness report: %(city)s", city=assessment.city.name
    )
    document.core_properties.author = "CityReady"
    document.add_paragraph(
        _("Smart-city readiness report: %(city)s", city=assessment.city.name), style="Title"
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    issued = assessment.submitted_at or datetime.now(UTC)
    for line in (
        _("Issued by: %(body)s", body=assessment.city.name),
        format_date(issued.astimezone(display_zone()), "long"),
    ):
        document.add_paragraph(line, style="Subtitle").alignment = WD_ALIGN_PARAGRAPH.CENTER
    if assessment.is_editable:
        writer.text(
            _(
                "This is a preview of a draft: the figures change as answers change, "
                "and unanswered questions are left out."
            )
        )
    document.add_paragraph()

    writer.heading(_("Summary"), 1)
    writer.heading(_("Verdict"), 2)
    writer.text(summary.verdict)
    writer.text(summary.level.description.get(lang))
    writer.heading(_("What holds it back"), 2)
    writer.text(summary.held_back)
    for fact in summary.weakest:
        writer.text(f"{fact.question.text.get(lang)} {fact.describe()}")
    for heading, sentence in summary.context:
        writer.heading(heading, 2)
        writer.text(sentence)

    writer.heading(_("Act first"), 1)
    if summary.act_first:
        writer.table(
            [
                "#",
                _("What to do"),
                _("Problem in the paper"),
                _("Owner"),
                _("Time frame"),
            ],
            [
                [
                    str(rank),
                    f"{r.title}\n{r.why}",
                    ", ".join(f"§{s}" for s in r.problem_sections) or f"§{r.area.paper_section}",
                    f"{r.owner} {_('(action plan)') if r.owner_planned else _('(usually)')}",
                    r.horizon,
                ]
                for rank, r in enumerate(summary.act_first, start=1)
            ],
            [10, 62, 22, 40, 22],
        )
    else:
        writer.text(_("Nothing to act on: no answered question falls short of its target."))

    writer.heading(_("Recommended countermeasures"), 1)
    if summary.act_first:
        writer.heading(_("Act first"), 2)
        for r in summary.act_first:
            _recommendation(writer, r, lang)
    for area, group in summary.by_area:
        writer.heading(area.title.get(lang), 2)
        for r in group:
            _recommendation(writer, r, lang)

    writer.heading(_("Scores by area"), 1)
    answered = assessment.answer_values()
    writer.table(
        [_("Area"), _("Score"), _("Answered"), _("Data gaps")],
        [
            [
                f"{area.title.get(lang)} §{area.paper_section}",
                "—" if report["areas"].get(area.id) is None else f"{report['areas'][area.id]:.1f}",
                f"{sum(1 for q in area.questions if q.id in answered)} / {len(area.questions)}",
                str(sum(1 for q in area.questions if q.id in report["data_gaps"])),
            ]
            for area in bank.areas
        ],
        [80, 25, 25, 25],
    )

    writer.heading(_("Appendix: all answers"), 1)
    # As on the report's page: the reviewer's check of each answer once there can be one.
    reviewed = assessment.submitted_at is not None
    for area in bank.areas:
        writer.heading(area.title.get(lang), 2)
        rows = []
        for question in area.questions:
            answer = assessment.answer_for(question.id)
            row = [
                f"{question.text.get(lang)} §{question.paper_section}",
                _answer_shown(question, None if answer is None else answer.value, lang),
                answer.comment if answer is not None else "",
            ]
            if reviewed:
                row.append(_verification_shown(question, answer, lang))
            rows.append(row)
        if reviewed:
            writer.table(
                [_("Question"), _("Answer"), _("Comment"), _("Verification")],
                rows,
                [48, 40, 30, 38],
            )
        else:
            writer.table([_("Question"), _("Answer"), _("Comment")], rows, [60, 60, 36])
    return writer.save()


def _answer_shown(question: Question, value: str | None, lang: str) -> str:
    option = None if value is None else question.option(value)
    if option is None:
        return _("Not answered")
    if option.kind == "level":
        return _("Level %(n)s", n=option.value) + _(": ") + option.label.get(lang)
    return option.label.get(lang)


def _verification_shown(question: Question, answer: Answer | None, lang: str) -> str:
    """The reviewer's check of the answer, worded as in the report's answers table."""
    if answer is None:
        return ""
    if answer.verification_status == "accepted":
        return _("Accepted")
    if answer.verification_status == "adjusted":
        adjusted_to = _answer_shown(question, answer.verified_value, lang)
        return f"{_('Adjusted')} → {adjusted_to}\n{_('Reason:')} {answer.verification_reason}"
    return _("Not verified yet")
