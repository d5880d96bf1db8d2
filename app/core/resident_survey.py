"""The anonymous resident survey: its bilingual content, validated on load, and its results.

Part of the domain core: no Flask. The content lives in ``content/resident_survey.yaml``; the
results are summarised here so the report, the API and the tests read the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

import yaml

from app.core.questionnaire import CONTENT_DIR, LANGUAGES, ContentError, Text
from app.core.stats import mean

SURVEY_FILE = CONTENT_DIR / "resident_survey.yaml"
SCALE_POINTS = 5


@dataclass(frozen=True)
class SurveyQuestion:
    id: str
    topic: str
    paper_section: str
    text: Text


@dataclass(frozen=True)
class ResidentSurvey:
    version: str
    scale: tuple[Text, ...]
    """The answer labels, 1 (strongly disagree) first."""
    topics: Mapping[str, Text]
    questions: tuple[SurveyQuestion, ...]

    def question(self, question_id: str) -> SurveyQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _fail(where: str, problem: str) -> ContentError:
    return ContentError(f"{SURVEY_FILE.name}: {where}: {problem}")


def _text(node: Any, where: str) -> Text:
    if not isinstance(node, dict):
        raise _fail(where, "expected a mapping with 'en' and 'zh'")
    for lang in LANGUAGES:
        if not isinstance(node.get(lang), str) or not node[lang].strip():
            raise _fail(where, f"'{lang}' must be a non-empty string")
    return Text(en=node["en"].strip(), zh=node["zh"].strip())


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise _fail("top level", f"'{key}' must be a non-empty list")
    return value


def load_resident_survey(path: Path = SURVEY_FILE) -> ResidentSurvey:
    """Parse and validate the survey file; a malformed one raises ContentError at start-up."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _fail("file", f"cannot be read: {exc}") from exc
    if not isinstance(doc, dict):
        raise _fail("top level", "expected a mapping")
    version = doc.get("version")
    if not isinstance(version, str) or not version.strip():
        raise _fail("top level", "'version' must be a non-empty string")
    scale = tuple(_text(label, f"scale #{i + 1}") for i, label in enumerate(_list(doc, "scale")))
    if len(scale) != SCALE_POINTS:
        raise _fail("scale", f"needs exactly {SCALE_POINTS} labels")
    topics: dict[str, Text] = {}
    for i, node in enumerate(_list(doc, "topics")):
        topic_id = node.get("id") if isinstance(node, dict) else None
        if not isinstance(topic_id, str) or not topic_id or topic_id in topics:
            raise _fail(f"topic #{i + 1}", "needs a unique 'id'")
        topics[topic_id] = _text(node.get("title"), f"topic '{topic_id}' title")
    questions: list[SurveyQuestion] = []
    for i, node in enumerate(_list(doc, "questions")):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            raise _fail(f"question #{i + 1}", "needs an 'id'")
        qid = node["id"]
        if any(q.id == qid for q in questions):
            raise _fail(f"question '{qid}'", "id is used twice")
        if node.get("topic") not in topics:
            raise _fail(f"question '{qid}'", f"'topic' must be one of {', '.join(topics)}")
        section = node.get("paper_section")
        if not isinstance(section, str) or not section.startswith(("3.3", "4.3")):
            raise _fail(f"question '{qid}'", "'paper_section' must lie in 3.3 or 4.3")
        questions.append(
            SurveyQuestion(qid, node["topic"], section, _text(node.get("text"), f"'{qid}' text"))
        )
    unused = set(topics) - {q.topic for q in questions}
    if unused:
        raise _fail("topics", f"no question asks about {', '.join(sorted(unused))}")
    return ResidentSurvey(version.strip(), scale, topics, tuple(questions))


def answer_problems(survey: ResidentSurvey, answers: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with one response: unknown questions, or values outside 1..5."""
    problems = {}
    for qid, value in answers.items():
        if survey.question(qid) is None:
            problems[qid] = "unknown question id"
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            problems[qid] = "must be a whole number from 1 to 5"
    return problems


def agreement_score(mean: float) -> float:
    """A mean on the 1..5 scale as 0..100, like the assessment's scores."""
    return 100 * (mean - 1) / (SCALE_POINTS - 1)


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    answers: int
    counts: tuple[int, ...]
    """How many residents chose each point of the scale, 1 first."""
    score: float | None
    """0..100, None when nobody answered."""
    withheld: bool = False
    """Too few answers to show without giving someone's answer away: counts zero, no score."""


MIN_RESPONSES_SHOWN = 10
"""Fewer answers than this are never shown, as a whole, per channel or per question: with a
handful, a neighbour or an official could tell who answered what."""

CHANNELS = ("invited", "open", "paper")
"""Where a response came from: online with a single-use invitation code (verified), online
through the open link (unverified: anyone with the link may answer), or typed in by an official
from a paper questionnaire."""


def channel_of(source: str, verified: bool) -> str:
    """The channel of a stored response, from its source ("online" or "paper") and whether it
    came with an invitation code."""
    if source == "paper":
        return "paper"
    return "invited" if verified else "open"


@dataclass(frozen=True)
class ChannelResult:
    responses: int
    resident_index: float | None
    """The index from this channel's responses alone: a channel that pulls the whole index
    away from the others shows here."""


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    questions: tuple[QuestionResult, ...]
    topics: Mapping[str, float | None]
    """Each topic's score: the mean of its questions' scores."""
    resident_index: float | None
    """The mean of the topic scores: the residents' own participation-and-trust score."""
    channels: Mapping[str, ChannelResult] = field(default_factory=dict)
    """Per channel of ``CHANNELS``, when the responses' channels were given."""
    shown_from: int = 0
    """The fewest responses from which any figure is shown (``publishable``)."""

    @property
    def withheld(self) -> bool:
        """Too few responses yet: every figure but the counts of responses is withheld."""
        return self.responses < self.shown_from


Tally = Mapping[str, Sequence[int]]
"""How many residents chose each point of the scale (1 first), by question id."""


def tally(responses: Iterable[Mapping[str, int]]) -> tuple[int, dict[str, list[int]]]:
    """The number of responses and their tally: what ``summarise_tally`` is built from, and
    what the database keeps as running totals so the results never read the responses."""
    counts: dict[str, list[int]] = {}
    total = 0
    for response in responses:
        total += 1
        for question_id, value in response.items():
            if value in range(1, SCALE_POINTS + 1):
                counts.setdefault(question_id, [0] * SCALE_POINTS)[value - 1] += 1
    return total, counts


def summarise(
    survey: ResidentSurvey,
    responses: Sequence[Mapping[str, int]],
    channels: Sequence[str] | None = None,
) -> SurveyResults:
    """Count and score the responses; unanswered questions are left out of their means.

    With ``channels`` (one per response), each channel is also counted and scored on its own.
    """
    by_channel = None
    if channels is not None:
        by_channel = {
            name: tally(r for r, c in zip(responses, channels, strict=True) if c == name)
            for name in CHANNELS
        }
    return summarise_tally(survey, *tally(responses), by_channel)


def summarise_tally(
    survey: ResidentSurvey,
    responses: int,
    counts: Tally,
    channels: Mapping[str, tuple[int, Tally]] | None = None,
) -> SurveyResults:
    """``summarise`` from the number of responses and their tally, and each channel's."""
    by_channel = {
        name: ChannelResult(alone, summarise_tally(survey, alone, channel_counts).resident_index)
        for name, (alone, channel_counts) in (channels or {}).items()
    }
    results = []
    for question in survey.questions:
        chosen = tuple(counts.get(question.id, (0,) * SCALE_POINTS))
        given_mean = fmean(range(1, SCALE_POINTS + 1), weights=chosen) if any(chosen) else None
        score = None if given_mean is None else agreement_score(given_mean)
        results.append(QuestionResult(question.id, sum(chosen), chosen, score))
    topics = {
        topic: mean(
            r.score for r, q in zip(results, survey.questions, strict=True) if q.topic == topic
        )
        for topic in survey.topics
    }
    index = mean(topics.values())
    return SurveyResults(responses, tuple(results), topics, index, by_channel)


def publishable(
    survey: ResidentSurvey, results: SurveyResults, minimum: int = MIN_RESPONSES_SHOWN
) -> SurveyResults:
    """The results with every figure withheld that rests on fewer than ``minimum`` answers.

    Below ``minimum`` responses in all, only the numbers of responses remain. Above it, a
    question or channel with fewer answers loses its figures, and the topic scores and the index
    are taken over the questions still shown.
    """
    channels = {
        name: found if found.responses >= minimum else ChannelResult(found.responses, None)
        for name, found in results.channels.items()
    }
    if results.responses < minimum:
        return SurveyResults(
            results.responses,
            (),
            dict.fromkeys(results.topics),
            None,
            channels,
            minimum,
        )
    questions = tuple(
        r
        if r.answers >= minimum
        else QuestionResult(r.question_id, r.answers, (0,) * len(r.counts), None, True)
        for r in results.questions
    )
    topics = {
        topic: mean(
            r.score for r, q in zip(questions, survey.questions, strict=True) if q.topic == topic
        )
        for topic in survey.topics
    }
    return SurveyResults(
        results.responses, questions, topics, mean(topics.values()), channels, minimum
    )
