"""Turn a city's answers into scores, a maturity level and the countermeasures that fit.

Pure functions over the frozen content objects: no Flask, no database, so the model in
``docs/scoring.md`` can be tested on its own and computed once, at submission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NotRequired, TypedDict

from app.core.questionnaire import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Catalogue,
    Countermeasure,
    LevelRule,
    MaturityLevel,
    Question,
    QuestionBank,
)
from app.core.stats import weighted_mean

DEFAULT_TARGET = 0.75
"""The question score a city should reach: level 4 of 5, 'established and measured'."""


@dataclass(frozen=True)
class LevelVerdict:
    """A level read from a score, then capped by the bank's weakest-link rules."""

    level: MaturityLevel
    from_score: MaturityLevel
    """The level the score alone would give."""
    held_back_by: tuple[str, ...]
    """When capped: the questions that keep it from the next level up, in the bank's order."""


@dataclass(frozen=True)
class AreaScore:
    area_id: str
    score: float | None
    """0..100, or None when no applicable question has been answered yet."""
    answered: int
    total: int
    verdict: LevelVerdict | None = None
    """The area's own level; None while it has no score."""


@dataclass(frozen=True)
class ScoreCard:
    overall: float
    level: MaturityLevel
    areas: tuple[AreaScore, ...]
    data_gaps: tuple[str, ...]
    """Questions answered "don't know": scored 0 and listed so the city can find the facts."""
    not_applicable: tuple[str, ...]
    unanswered: tuple[str, ...]
    level_from_score: MaturityLevel | None = None
    """The level the overall index alone would give, before the weakest-link rules."""
    held_back_by: tuple[str, ...] = ()
    """The questions that keep the overall level from the next one up."""

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


def _rule_failures(
    rule: LevelRule, questions: Iterable[Question], answers: Mapping[str, str]
) -> tuple[str, ...]:
    failing = []
    for question in questions:
        level = question.answer_level(answers.get(question.id))
        if level is None:
            continue
        floor = rule.min_critical_level if question.critical else rule.min_answer_level
        if level < floor:
            failing.append(question.id)
    return tuple(failing)


def capped_level(
    bank: QuestionBank, score: float, questions: Iterable[Question], answers: Mapping[str, str]
) -> LevelVerdict:
    """The level of ``score``, lowered until every level rule up to it holds for ``questions``.

    Raising an answer never lowers the result: the score's level rises or stays, and a rule
    that held still holds.
    """
    questions = tuple(questions)
    from_score = bank.level_for(score)
    for rule in bank.level_rules:
        if rule.level > from_score.number:
            break
        failing = _rule_failures(rule, questions, answers)
        if failing:
            return LevelVerdict(bank.maturity_levels[rule.level - 2], from_score, failing)
    return LevelVerdict(from_score, from_score, ())


def score_assessment(bank: QuestionBank, answers: Mapping[str, str]) -> ScoreCard:
    """Score every area (weighted mean of answered, applicable questions) and the whole city,
    and give each, and the city, a level capped by the bank's weakest-link rules."""
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
        score = None if mean is None else 100 * mean
        verdict = None if score is None else capped_level(bank, score, area.questions, answers)
        area_scores.append(AreaScore(area.id, score, answered, len(area.questions), verdict))
    area_weights = {area.id: area.weight for area in bank.areas}
    overall = weighted_mean(
        [a.score for a in area_scores], [area_weights[a.area_id] for a in area_scores]
    )
    overall = 0.0 if overall is None else overall
    verdict = capped_level(bank, overall, bank.questions(), answers)
    return ScoreCard(
        overall=overall,
        level=verdict.level,
        areas=tuple(area_scores),
        data_gaps=tuple(data_gaps),
        not_applicable=tuple(not_applicable),
        unanswered=tuple(unanswered),
        level_from_score=verdict.from_score,
        held_back_by=verdict.held_back_by,
    )


def match_countermeasures(
    bank: QuestionBank,
    catalogue: Catalogue,
    answers: Mapping[str, str],
    card: ScoreCard,
    targets: Mapping[str, float] | None = None,
) -> Recommendations:
    """Rank the countermeasures for every question answered with a level below its target.

    Priority is weight x gap summed over the weak questions a countermeasure addresses; ties go
    to the weaker area. However high its average, an area with one weak question gets its
    actions: only an area with no question below target (and no "don't know") gets a
    'keep doing' note instead. A "don't know" calls for no countermeasure: finding the facts
    comes first (``ScoreCard.data_gaps``).
    """
    targets = targets or {}
    urgency: dict[str, float] = {}
    below_target: set[str] = set()
    for question in bank.questions():
        value = answers.get(question.id, "")
        score = score_question(question, value)
        target = targets.get(question.id, DEFAULT_TARGET)
        if score is None or score >= target:
            continue
        below_target.add(question.area_id)
        if value != DONT_KNOW:
            urgency[question.id] = question.weight * (target - score)
    strong = tuple(
        a.area_id for a in card.areas if a.score is not None and a.area_id not in below_target
    )

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


class SnapshotLevel(TypedDict):
    level: int
    from_score: int
    held_back_by: list[str]


class Snapshot(TypedDict):
    overall: float
    level: int
    areas: dict[str, float | None]
    data_gaps: list[str]
    not_applicable: list[str]
    unanswered: list[str]
    strong_areas: list[str]
    countermeasures: list[SnapshotCountermeasure]
    level_from_score: NotRequired[int]
    """Absent from snapshots frozen before the weakest-link rules (as are the two below)."""
    level_held_back_by: NotRequired[list[str]]
    area_levels: NotRequired[dict[str, SnapshotLevel | None]]


def _level(verdict: LevelVerdict | None) -> SnapshotLevel | None:
    if verdict is None:
        return None
    return {
        "level": verdict.level.number,
        "from_score": verdict.from_score.number,
        "held_back_by": list(verdict.held_back_by),
    }


def snapshot(card: ScoreCard, recommendations: Recommendations) -> Snapshot:
    """Freeze a score card and its countermeasures as JSON-ready data, text in both languages.

    A submitted assessment is shown from this snapshot ever after, so its report never
    changes when the question bank or the countermeasures are edited later.
    """
    return {
        "overall": round(card.overall, 1),
        "level": card.level.number,
        "level_from_score": (card.level_from_score or card.level).number,
        "level_held_back_by": list(card.held_back_by),
        "areas": {a.area_id: None if a.score is None else round(a.score, 1) for a in card.areas},
        "area_levels": {a.area_id: _level(a.verdict) for a in card.areas},
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
