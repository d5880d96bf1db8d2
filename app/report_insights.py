"""Everything the report shows beyond the scores, gathered once for the HTML page and the PDF.

A report template includes one partial per section (``assessment/_report_*.html``); each reads
its part of the ``insights`` object built here, so any view that renders the report, or a PDF of
it, passes ``insights=report_insights(assessment)`` and gets every section.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.action_plan import ActionOutcome, AreaGap, QuestionGap, action_outcome, target_gaps
from app.department_answers import DepartmentView, department_view
from app.extensions import content
from app.models import ActionItem, Answer, Assessment, Survey
from app.operations import (
    assessment_uncertainty,
    bank_for,
    city_targets,
    earlier_rounds,
    latest_approved_per_city,
    report_snapshot,
)
from app.plans import actions_from_rounds, actions_of
from app.resident_survey import ResidentSurvey, SurveyResults
from app.scoring import score_assessment
from app.surveys import survey_of, survey_results
from app.trends import RoundComparison, compare_rounds, peer_percentiles
from app.uncertainty import Uncertainty, safe_link


@dataclass(frozen=True)
class ActionFollowUp:
    item: ActionItem
    outcome: ActionOutcome


Percentiles = dict[str, float | None] | None


@dataclass(frozen=True)
class RoundPoint:
    assessment_id: int
    when: datetime
    overall: float
    areas: dict[str, float | None]


@dataclass(frozen=True)
class PeerRow:
    """One city's latest approved scores, for the admins' view of the whole distribution."""

    city_id: int
    city_name: str
    assessment_id: int
    scores: dict[str, float | None]
    """Area ids and "overall"."""


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
    rounds: tuple[RoundPoint, ...]
    """The city's finished rounds up to this one, and this one, oldest first."""
    since_last: RoundComparison | None
    """The change since the previous finished round; None for a city's first round."""
    peer_count: int
    """Other cities with an approved assessment."""
    percentiles: Percentiles
    """Per area and "overall"; None while fewer than MIN_PEERS other cities can be compared."""
    distribution: tuple[PeerRow, ...]
    """Every city's latest approved scores: shown to admins only, never to officials."""
    survey: Survey | None
    """The resident survey opened for this round, if any."""
    survey_results: SurveyResults | None
    survey_questions: ResidentSurvey
    departments: DepartmentView | None
    """Several departments' answers and their consolidation; None when none was invited."""

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


def _point(assessment: Assessment) -> RoundPoint:
    snap = report_snapshot(assessment)
    when = assessment.submitted_at or assessment.updated_at
    return RoundPoint(assessment.id, when, snap["overall"], dict(snap["areas"]))


def _round_facts(
    assessment: Assessment,
) -> tuple[dict[str, float | None], float, dict[str, str], list[str]]:
    snap = report_snapshot(assessment)
    measures = [cm["id"] for cm in snap["countermeasures"]]
    return dict(snap["areas"]), snap["overall"], assessment.answer_values(), measures


def _trend(assessment: Assessment) -> tuple[tuple[RoundPoint, ...], RoundComparison | None]:
    earlier = earlier_rounds(assessment)
    points = tuple(_point(a) for a in [*earlier, assessment])
    if not earlier:
        return points, None
    comparison = compare_rounds(
        bank_for(assessment), _round_facts(earlier[-1]), _round_facts(assessment)
    )
    return points, comparison


def _scores(row: Assessment) -> dict[str, float | None]:
    return {
        "planning": row.planning_score,
        "environment": row.environment_score,
        "participation": row.participation_score,
        "overall": row.overall_score,
    }


def _peers(
    assessment: Assessment,
) -> tuple[dict[str, float | None] | None, int, tuple[PeerRow, ...]]:
    latest = latest_approved_per_city()
    others = [row for row in latest if row.city_id != assessment.city_id]
    own = {
        **dict(report_snapshot(assessment)["areas"]),
        "overall": report_snapshot(assessment)["overall"],
    }
    percentiles = peer_percentiles(own, [_scores(row) for row in others])
    distribution = tuple(
        PeerRow(row.city_id, row.city.name, row.id, _scores(row)) for row in latest
    )
    return percentiles, len(others), distribution


def report_insights(assessment: Assessment) -> ReportInsights:
    bank = bank_for(assessment)
    answers = assessment.answer_values()
    chosen = city_targets(assessment.city_id)
    area_gaps, question_gaps = target_gaps(bank, answers, score_assessment(bank, answers), chosen)
    rounds, since_last = _trend(assessment)
    survey = survey_of(assessment)
    percentiles, peer_count, distribution = _peers(assessment)
    return ReportInsights(
        uncertainty=assessment_uncertainty(assessment),
        evidenced_answers=tuple(a for a in assessment.answers if a.confidence or a.evidence),
        targets=chosen,
        area_gaps=area_gaps,
        question_gaps=question_gaps,
        actions=tuple(actions_of(assessment)),
        follow_ups=_follow_ups(assessment),
        rounds=rounds,
        since_last=since_last,
        peer_count=peer_count,
        percentiles=percentiles,
        distribution=distribution,
        survey=survey,
        survey_results=None if survey is None else survey_results(survey),
        survey_questions=content.resident_survey,
        departments=department_view(assessment),
    )
