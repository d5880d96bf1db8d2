"""Everything the report shows beyond the scores, gathered once for the HTML page and the PDF.

A report template includes one partial per section (``assessment/_report_*.html``); each reads
its part of the ``insights`` object built here, so any view that renders the report, or a PDF of
it, passes ``insights=report_insights(assessment)`` and gets every section.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.action_plan import ActionOutcome, AreaGap, QuestionGap, action_outcome, target_gaps
from app.extensions import content
from app.models import ActionItem, Answer, Assessment
from app.operations import (
    assessment_uncertainty,
    bank_for,
    city_targets,
    earlier_rounds,
)
from app.plans import actions_from_rounds, actions_of
from app.scoring import score_assessment
from app.uncertainty import Uncertainty, safe_link


@dataclass(frozen=True)
class ActionFollowUp:
    item: ActionItem
    outcome: ActionOutcome


@dataclass(frozen=True)
class ReportInsights:
    uncertainty: Uncertainty
    evidenced_answers: tuple[Answer, ...]
    """Answers that carry a confidence or evidence, for the evidence table."""
    targets: dict[str, int]
    """The target levels the city has set, by area or question id."""
    area_gaps: tuple[AreaGap, ...]
    question_gaps: tuple[QuestionGap, ...]
    actions: tuple[ActionItem, ...]
    """Action items planned from this round's countermeasures."""
    follow_ups: tuple[ActionFollowUp, ...]
    """Action items of earlier rounds, and how their questions moved up to this round."""

    @staticmethod
    def evidence_href(answer: Answer) -> str | None:
        return safe_link(answer.evidence)

    @staticmethod
    def title_of(countermeasure_id: str, lang: str) -> str:
        """A countermeasure's title; its id when the catalogue no longer has it."""
        found = content.catalogue.countermeasure(countermeasure_id)
        return countermeasure_id if found is None else found.title.get(lang)


def _follow_ups(assessment: Assessment) -> tuple[ActionFollowUp, ...]:
    rounds = {a.id: a for a in earlier_rounds(assessment)}
    now = (bank_for(assessment), assessment.answer_values())
    return tuple(
        ActionFollowUp(
            item,
            action_outcome(
                item.question_ids,
                (bank_for(rounds[item.assessment_id]), rounds[item.assessment_id].answer_values()),
                now,
            ),
        )
        for item in actions_from_rounds(list(rounds))
    )


def report_insights(assessment: Assessment) -> ReportInsights:
    bank = bank_for(assessment)
    answers = assessment.answer_values()
    chosen = city_targets(assessment.city_id)
    area_gaps, question_gaps = target_gaps(bank, answers, score_assessment(bank, answers), chosen)
    return ReportInsights(
        uncertainty=assessment_uncertainty(assessment),
        evidenced_answers=tuple(a for a in assessment.answers if a.confidence or a.evidence),
        targets=chosen,
        area_gaps=area_gaps,
        question_gaps=question_gaps,
        actions=tuple(actions_of(assessment)),
        follow_ups=_follow_ups(assessment),
    )
