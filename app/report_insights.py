"""Everything the report shows beyond the scores, gathered once for the HTML page and the PDF.

A report template includes one partial per section (``assessment/_report_*.html``); each reads
its part of the ``insights`` object built here, so any view that renders the report, or a PDF of
it, passes ``insights=report_insights(assessment)`` and gets every section.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Answer, Assessment
from app.operations import assessment_uncertainty
from app.uncertainty import Uncertainty, safe_link


@dataclass(frozen=True)
class ReportInsights:
    uncertainty: Uncertainty
    evidenced_answers: tuple[Answer, ...]
    """Answers that carry a confidence or evidence, in bank order, for the evidence table."""

    @staticmethod
    def evidence_href(answer: Answer) -> str | None:
        return safe_link(answer.evidence)


def report_insights(assessment: Assessment) -> ReportInsights:
    evidenced = tuple(a for a in assessment.answers if a.confidence or a.evidence)
    return ReportInsights(
        uncertainty=assessment_uncertainty(assessment),
        evidenced_answers=evidenced,
    )
