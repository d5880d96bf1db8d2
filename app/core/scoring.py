"""Turn a city's answers into scores, a maturity level and the countermeasures that fit.

Pure functions over the frozen content objects: no Flask, no database, so the model in
``docs/scoring.md`` can be tested on its own and computed once, at submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from app.core.questionnaire import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Catalogue,
    Countermeasure,
    MaturityLevel,
    Question,
    QuestionBank,
)
from app.core.stats import weighted_mean

DEFAULT_TARGET = 0.75
"""The question score a city should reach: level 4 of 5, 'established and measured'."""

STRONG_AREA_SCORE = 80.0
"""An area at or above this gets a 'keep doing' note instead of a list of actions."""


@dataclass(frozen=True)
class AreaScore:
    area_id: str
    score: float | None
    """0..100, or None when no applicable question has been answered yet."""
    answered: int
    total: int


@dataclass(frozen=True)
class ScoreCard:
    overall: float
    level: MaturityLevel
    areas: tuple[AreaScore, ...]
    data_gaps: tuple[str, ...]
    """Questions answered "don't know": scored 0 and listed so the city can find the facts."""
    not_applicable: tuple[str, ...]
    unanswered: tuple[str, ...]

    def area(self, area_id: str) -> AreaScore:
        return next(a for a in self.areas if a.area_id == area_id)


@dataclass(frozen=True)
class CountermeasureMatch:
    countermeasure: Countermeasure
    priority: float
    """Sum of weight x gap to target over the weak questions it addresses."""
    question_ids: tuple[str, ...]
    """The weak questions that called for it, most urgent first."""


@dataclass(frozen=True)
class Recommendations:
    matches: tuple[CountermeasureMatch, ...]
    strong_areas: tuple[str, ...]


def score_question(question: Question, value: str | None) -> float | None:
    """Return 0..1 for an answer, or None when it does not count (unanswered, n/a, unknown)."""
    if value is None:
        return None
    option = question.option(value)
    return None if option is None else option.score


def score_assessment(bank: QuestionBank, answers: Mapping[str, str]) -> ScoreCard:
    """Score every area (weighted mean of answered, applicable questions) and the whole city."""
    area_scores: list[AreaScore] = []
    data_gaps: list[str] = []
    not_applicable: list[str] = []
    unanswered: list[str] = []
    for area in bank.areas:
        answered = 0
        for question in area.questions:
            value = answers.get(question.id)
            if value is None or question.option(value) is None:
                unanswered.append(question.id)
                continue
            answered += 1
            if value == DONT_KNOW:
                data_gaps.append(question.id)
            if value == NOT_APPLICABLE:
                not_applicable.append(question.id)
        mean = weighted_mean(
            [score_question(q, answers.get(q.id)) for q in area.questions],
            [q.weight for q in area.questions],
        )
        area_scores.append(
            AreaScore(area.id, None if mean is None else 100 * mean, answered, len(area.questions))
        )
    area_weights = {area.id: area.weight for area in bank.areas}
    overall = weighted_mean(
        [a.score for a in area_scores], [area_weights[a.area_id] for a in area_scores]
    )
    overall = 0.0 if overall is None else overall
    return ScoreCard(
        overall=overall,
        level=bank.level_for(overall),
        areas=tuple(area_scores),
        data_gaps=tuple(data_gaps),
        not_applicable=tuple(not_applicable),
        unanswered=tuple(unanswered),
    )


def match_countermeasures(
    bank: QuestionBank,
    catalogue: Catalogue,
    answers: Mapping[str, str],
    card: ScoreCard,
    targets: Mapping[str, float] | None = None,
) -> Recommendations:
    """Rank the countermeasures for every question answered below its target.

    Priority is weight x gap summed over the weak questions a countermeasure addresses; ties go
    to the weaker area. Areas already strong get no actions, only a 'keep doing' note.
    """
    targets = targets or {}
    strong = tuple(
        a.area_id for a in card.areas if a.score is not None and a.score >= STRONG_AREA_SCORE
    )
    urgency: dict[str, float] = {}
    for question in bank.questions():
        if question.area_id in strong:
            continue
        score = score_question(question, answers.get(question.id, ""))
        target = targets.get(question.id, DEFAULT_TARGET)
        if score is not None and score < target:
            urgency[question.id] = question.weight * (target - score)

    area_rank = {a.area_id: (a.score if a.score is not None else 100.0) for a in card.areas}
    matches = []
    for measure in catalogue.countermeasures:
        weak = sorted(
            (qid for qid in measure.question_ids if qid in urgency),
            key=lambda qid: (-urgency[qid], qid),
        )
        if weak:
            priority = round(sum(urgency[qid] for qid in weak), 4)
            matches.append(CountermeasureMatch(measure, priority, tuple(weak)))
    matches.sort(
        key=lambda m: (-m.priority, area_rank[m.countermeasure.area_id], m.countermeasure.id)
    )
    return Recommendations(tuple(matches), strong)


class LocalizedText(TypedDict):
    en: str
    zh: str


class SnapshotCountermeasure(TypedDict):
    id: str
    area: str
    paper_section: str
    title: LocalizedText
    description: LocalizedText
    priority: float
    questions: list[str]


class Snapshot(TypedDict):
    overall: float
    level: int
    areas: dict[str, float | None]
    data_gaps: list[str]
    not_applicable: list[str]
    unanswered: list[str]
    strong_areas: list[str]
    countermeasures: list[SnapshotCountermeasure]


def snapshot(card: ScoreCard, recommendations: Recommendations) -> Snapshot:
    """Freeze a score card and its countermeasures as JSON-ready data, text in both languages.

    A submitted assessment is shown from this snapshot ever after, so its report never
    changes when the question bank or the countermeasures are edited later.
    """
    return {
        "overall": round(card.overall, 1),
        "level": card.level.number,
        "areas": {a.area_id: None if a.score is None else round(a.score, 1) for a in card.areas},
        "data_gaps": list(card.data_gaps),
        "not_applicable": list(card.not_applicable),
        "unanswered": list(card.unanswered),
        "strong_areas": list(recommendations.strong_areas),
        "countermeasures": [
            {
                "id": m.countermeasure.id,
                "area": m.countermeasure.area_id,
                "paper_section": m.countermeasure.paper_section,
                "title": {"en": m.countermeasure.title.en, "zh": m.countermeasure.title.zh},
                "description": {
                    "en": m.countermeasure.description.en,
                    "zh": m.countermeasure.description.zh,
                },
                "priority": round(m.priority, 2),
                "questions": list(m.question_ids),
            }
            for m in recommendations.matches
        ],
    }
