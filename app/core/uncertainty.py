"""How sure a city is of its answers: score ranges, a data-gap summary and evidence links.

Pure functions over the frozen content objects, no Flask. The rule is in ``docs/scoring.md``:
an answer may be off by as many levels as its confidence allows, and a "don't know" could be
anything, so every score becomes a range that contains it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import urlsplit

from app.core.questionnaire import DONT_KNOW, QuestionBank
from app.core.scoring import capped_level, score_question
from app.core.stats import weighted_mean

CONFIDENCES = ("low", "medium", "high")
LEVEL_STEP = 0.25
"""One level of a five-level question, on the 0..1 question scale."""
SPREAD_IN_LEVELS = {"low": 2, "medium": 1, "high": 0, None: 0}
"""How many levels either way an answer may be off; an unstated confidence is taken as given."""
EVIDENCE_MAX_LENGTH = 2000
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://|^(javascript|data|vbscript|file):", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerCertainty:
    value: str
    confidence: str | None = None
    evidence: str = ""
    has_files: bool = False
    """A document is attached to the answer: evidence as much as a note or a link."""


@dataclass(frozen=True)
class ScoreRange:
    low: float
    high: float


@dataclass(frozen=True)
class AreaUncertainty:
    area_id: str
    range: ScoreRange | None
    """0..100 bounds, or None when the area has no applicable answer yet."""
    dont_know: int
    low_confidence: int
    without_evidence: int
    answered: int


@dataclass(frozen=True)
class Uncertainty:
    overall: ScoreRange
    levels: tuple[int, int]
    """The lowest and highest maturity level the overall range reaches."""
    areas: tuple[AreaUncertainty, ...]

    def area(self, area_id: str) -> AreaUncertainty:
        return next(a for a in self.areas if a.area_id == area_id)


def question_range(score: float, value: str, confidence: str | None) -> ScoreRange:
    """Bounds of one counted answer: "don't know" spans 0..1, a level spreads by its confidence."""
    if value == DONT_KNOW:
        return ScoreRange(0.0, 1.0)
    spread = SPREAD_IN_LEVELS.get(confidence, 0) * LEVEL_STEP
    return ScoreRange(max(0.0, score - spread), min(1.0, score + spread))


def _area_uncertainty(
    bank: QuestionBank, area_id: str, answers: Mapping[str, AnswerCertainty]
) -> AreaUncertainty:
    area = bank.area(area_id)
    assert area is not None  # noqa: S101 - callers pass the bank's own area ids  # nosec B101
    lows: list[float] = []
    highs: list[float] = []
    weights: list[float] = []
    dont_know = low_confidence = without_evidence = answered = 0
    for question in area.questions:
        given = answers.get(question.id)
        if given is None or question.option(given.value) is None:
            continue
        answered += 1
        dont_know += given.value == DONT_KNOW
        low_confidence += given.confidence == "low"
        without_evidence += not (given.evidence.strip() or given.has_files)
        score = score_question(question, given.value)
        if score is None:
            continue
        bounds = question_range(score, given.value, given.confidence)
        lows.append(bounds.low)
        highs.append(bounds.high)
        weights.append(question.weight)
    low, high = weighted_mean(lows, weights), weighted_mean(highs, weights)
    bounds_100 = None if low is None or high is None else ScoreRange(100 * low, 100 * high)
    return AreaUncertainty(
        area_id, bounds_100, dont_know, low_confidence, without_evidence, answered
    )


def assess_uncertainty(bank: QuestionBank, answers: Mapping[str, AnswerCertainty]) -> Uncertainty:
    """Score ranges per area and overall (weighted like the scores), with the gaps counted."""
    areas = tuple(_area_uncertainty(bank, area.id, answers) for area in bank.areas)
    weights = {area.id: area.weight for area in bank.areas}
    ranges = [(a.range, weights[a.area_id]) for a in areas if a.range is not None]
    low = weighted_mean([r.low for r, _ in ranges], [w for _, w in ranges])
    high = weighted_mean([r.high for r, _ in ranges], [w for _, w in ranges])
    overall = ScoreRange(low or 0.0, high or 0.0)
    given = {qid: answer.value for qid, answer in answers.items()}
    levels = (
        capped_level(bank, overall.low, bank.questions(), given).level.number,
        capped_level(bank, overall.high, bank.questions(), _raised(bank, answers)).level.number,
    )
    return Uncertainty(overall, levels, areas)


def _raised(bank: QuestionBank, answers: Mapping[str, AnswerCertainty]) -> dict[str, str]:
    """Each answer at the highest level its confidence allows ("don't know" at the top), so the
    level range's high end is weighed against the level rules as generously as its score."""
    raised = {}
    for question in bank.questions():
        given = answers.get(question.id)
        option = None if given is None else question.option(given.value)
        if given is None or option is None or option.kind == "not_applicable":
            continue
        ladder = question.levels
        if option.kind == "dont_know":
            raised[question.id] = ladder[-1].value
            continue
        step = SPREAD_IN_LEVELS.get(given.confidence, 0)
        raised[question.id] = ladder[min(len(ladder) - 1, ladder.index(option) + step)].value
    return raised


def is_link(evidence: str) -> bool:
    """Whether the evidence text is meant as a link (starts with a scheme) rather than a note."""
    return bool(_SCHEME.match(evidence.strip()))


def evidence_problem(evidence: str) -> str | None:
    """Why this evidence cannot be stored, or None: notes are free text, links http(s) only."""
    if len(evidence) > EVIDENCE_MAX_LENGTH:
        return f"must be at most {EVIDENCE_MAX_LENGTH} characters"
    if "\x00" in evidence:
        return "must not contain NUL characters"
    text = evidence.strip()
    if not is_link(text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "a link must start with http:// or https:// and name a host"
    if any(c.isspace() for c in text):
        return "a link must not contain spaces"
    return None


def safe_link(evidence: str) -> str | None:
    """The evidence as an href when it is a valid http(s) link, so templates never link else."""
    text = evidence.strip()
    return text if is_link(text) and evidence_problem(text) is None else None


class RangeJSON(TypedDict):
    low: float
    high: float


class AreaGapsJSON(TypedDict):
    range: RangeJSON | None
    dont_know: int
    low_confidence: int
    without_evidence: int
    answered: int


class UncertaintyJSON(TypedDict):
    overall: RangeJSON
    levels: list[int]
    areas: dict[str, AreaGapsJSON]


def _range_json(bounds: ScoreRange) -> RangeJSON:
    return {"low": round(bounds.low, 1), "high": round(bounds.high, 1)}


def uncertainty_json(found: Uncertainty) -> UncertaintyJSON:
    """The ranges and gap counts as JSON-ready data, rounded like the scores."""
    return {
        "overall": _range_json(found.overall),
        "levels": list(found.levels),
        "areas": {
            a.area_id: {
                "range": None if a.range is None else _range_json(a.range),
                "dont_know": a.dont_know,
                "low_confidence": a.low_confidence,
                "without_evidence": a.without_evidence,
                "answered": a.answered,
            }
            for a in found.areas
        },
    }
