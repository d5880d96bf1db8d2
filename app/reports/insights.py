"""Everything the report shows beyond the scores, gathered once for the HTML page and the PDF.

A report template includes one partial per section (``assessment/_report_*.html``); each reads
its part of the ``insights`` object built here, so any view that renders the report, or a PDF of
it, passes ``insights=report_insights(assessment)`` and gets every section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assessments.scores import assessment_uncertainty, bank_for, report_snapshot
from app.core.resident_survey import ResidentSurvey, SurveyResults
from app.core.scoring import Snapshot, score_assessment
from app.core.targets import ActionOutcome, AreaGap, QuestionGap, action_outcome, target_gaps
from app.core.trends import RoundComparison, compare_rounds, peer_percentiles
from app.core.uncertainty import Uncertainty, safe_link
from app.departments.operations import DepartmentView, department_view
from app.extensions import content, db
from app.models import (
    FINISHED_STATUSES,
    ActionItem,
    Answer,
    Assessment,
    Department,
    EvidenceFile,
    Survey,
    Target,
    area_scores,
)
from app.reports.peers import PeerScores, current_peers
from app.surveys.operations import survey_of, survey_results, surveys_results


@dataclass(frozen=True)
class ActionFollowUp:
    item: ActionItem
    outcome: ActionOutcome


Percentiles = dict[str, float | None] | None


@dataclass(frozen=True)
class RoundPoint:
    assessment_id: int
    round_number: int
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
    province_percentiles: Percentiles
    """The same among the other cities of the city's province; None without a province."""
    tier_percentiles: Percentiles
    """The same among the other cities of the city's tier; None without a tier."""
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
        """A countermeasure's title from the newest catalogue that has it (an earlier round's may
        come from an older bank); its id when none has it."""
        for catalogue in (content.catalogue_for(v) for v in sorted(content.banks, reverse=True)):
            found = catalogue.countermeasure(countermeasure_id)
            if found is not None:
                return found.title.get(lang)
        return countermeasure_id


@dataclass(frozen=True)
class LiveInsights:
    """The report's sections that keep changing after submission: the residents' survey goes
    on collecting answers and invited departments go on answering. Cached reports follow them
    as they follow every write (``app.reports.versions``)."""

    survey: Survey | None
    survey_results: SurveyResults | None
    survey_questions: ResidentSurvey
    departments: DepartmentView | None


def live_insights(assessment: Assessment, records: CityRecords | None = None) -> LiveInsights:
    """The live sections; from ``records`` when building many at once, else with their own
    queries."""
    if records is None:
        survey = survey_of(assessment)
        results = None if survey is None else survey_results(survey)
        departments = department_view(assessment)
    else:
        survey = records.surveys.get(assessment.id)
        results = None if survey is None else records.survey_results[survey.id]
        departments = department_view(assessment, records.departments.get(assessment.id, []))
    return LiveInsights(
        survey=survey,
        survey_results=results,
        survey_questions=content.resident_survey,
        departments=departments,
    )


@dataclass(frozen=True)
class CityRecords:
    """What reports read beyond their own assessment, loaded for many assessments at once, so
    a list of reports costs the same few queries as one report."""

    targets: dict[int, dict[str, int]]
    """Each city's target levels, by area or question id."""
    actions: dict[int, list[ActionItem]]
    """Each assessment's action items, for every assessment of the cities concerned."""
    finished: dict[int, list[FinishedRound]]
    """Each city's finished rounds, oldest first: their score columns only."""
    compared: dict[int, Assessment]
    """The earlier rounds reports read whole (``_load_compared_rounds``), with their answers."""
    peers: tuple[PeerScores, ...]
    """Every city's latest approved assessment (``current_peers``)."""
    surveys: dict[int, Survey]
    """Each assessment's residents' survey, by assessment id."""
    survey_results: dict[int, SurveyResults]
    """Each survey's results from its running totals, by survey id: never its responses."""
    departments: dict[int, list[Department]]
    """Each assessment's invited departments with their answers, by assessment id."""
    with_files: dict[int, set[str]]
    """The questions of each assessment that have an evidence file attached."""

    def earlier_rounds(self, assessment: Assessment) -> list[FinishedRound]:
        return _earlier_rounds(self.finished, assessment)


class FinishedRound(NamedTuple):
    """A finished round as a trend point reads it: its score columns, which hold its frozen
    snapshot's figures, and no answers, so a city's long history costs one light row each."""

    id: int
    city_id: int
    round_number: int
    submitted_at: datetime | None
    updated_at: datetime
    overall_score: float | None
    planning_score: float | None
    environment_score: float | None
    participation_score: float | None


def _earlier_rounds(
    finished: dict[int, list[FinishedRound]], assessment: Assessment
) -> list[FinishedRound]:
    """The city's finished rounds before this one (all of them for a draft)."""
    own_id, submitted_at = assessment.id, assessment.submitted_at
    return [
        r
        for r in finished.get(assessment.city_id, [])
        if r.id != own_id
        and (submitted_at is None or (r.submitted_at is not None and r.submitted_at < submitted_at))
    ]


def _ids(name: str) -> sa.BindParameter[list[int]]:
    return sa.bindparam(name, expanding=True)


def _finished_rounds() -> sa.Select[tuple[Any, ...]]:
    """The cities' finished rounds, oldest first, numbered in one pass over their rounds: the
    model's ``round_number`` counts each row's predecessors, quadratic in a long history."""
    numbered = (
        sa.select(
            *(
                getattr(Assessment, name)
                for name in FinishedRound._fields
                if name != "round_number"
            ),
            Assessment.status,
            sa.func.row_number()
            .over(partition_by=Assessment.city_id, order_by=(Assessment.created_at, Assessment.id))
            .label("round_number"),
        )
        .where(Assessment.city_id.in_(_ids("city_ids")))
        .subquery()
    )
    return (
        sa.select(*(numbered.c[name] for name in FinishedRound._fields))
        .where(numbered.c.status.in_(FINISHED_STATUSES))
        .order_by(numbered.c.submitted_at, numbered.c.id)
    )


# Built once: constructing a statement costs about as much as SQLite takes to run these.
_TARGETS = sa.select(Target.city_id, Target.scope, Target.level).where(
    Target.city_id.in_(_ids("city_ids"))
)
_ACTIONS = (
    sa.select(ActionItem).where(ActionItem.city_id.in_(_ids("city_ids"))).order_by(ActionItem.id)
)
_FINISHED = _finished_rounds()
_SURVEYS = sa.select(Survey).where(Survey.assessment_id.in_(_ids("assessment_ids")))
_DEPARTMENTS = (
    sa.select(Department)
    .where(Department.assessment_id.in_(_ids("assessment_ids")))
    .options(so.selectinload(Department.answers))
    .order_by(Department.id)
)
_WITH_FILES = (
    sa.select(EvidenceFile.assessment_id, EvidenceFile.question_id)
    .where(EvidenceFile.assessment_id.in_(_ids("assessment_ids")))
    .distinct()
)
_COMPARED = (
    sa.select(Assessment)
    .where(Assessment.id.in_(_ids("ids")))
    .options(so.undefer(Assessment.score_snapshot), so.selectinload(Assessment.answers))
)


def city_records(assessments: Iterable[Assessment]) -> CityRecords:
    """Load the targets, actions and finished rounds of these assessments' cities, the peers,
    and the assessments' surveys, departments and evidence files: at most ten queries, however
    many assessments."""
    assessments = list(assessments)
    city_ids = {"city_ids": sorted({a.city_id for a in assessments})}
    assessment_ids = {"assessment_ids": [a.id for a in assessments]}
    targets: dict[int, dict[str, int]] = {c: {} for c in city_ids["city_ids"]}
    for row in db.session.execute(_TARGETS, city_ids):
        targets[row.city_id][row.scope] = row.level
    actions: dict[int, list[ActionItem]] = defaultdict(list)
    for item in db.session.scalars(_ACTIONS, city_ids):
        actions[item.assessment_id].append(item)
    finished: dict[int, list[FinishedRound]] = defaultdict(list)
    for past in db.session.execute(_FINISHED, city_ids):
        finished[past.city_id].append(FinishedRound(*past))
    compared = _load_compared_rounds(assessments, finished, actions)
    surveys = {
        survey.assessment_id: survey for survey in db.session.scalars(_SURVEYS, assessment_ids)
    }
    survey_results = surveys_results(s.id for s in surveys.values()) if surveys else {}
    departments: dict[int, list[Department]] = defaultdict(list)
    for department in db.session.scalars(_DEPARTMENTS, assessment_ids):
        departments[department.assessment_id].append(department)
    with_files: dict[int, set[str]] = defaultdict(set)
    for assessment_id, question_id in db.session.execute(_WITH_FILES, assessment_ids):
        with_files[assessment_id].add(question_id)
    return CityRecords(
        targets,
        actions,
        finished,
        compared,
        current_peers(),
        surveys,
        survey_results,
        departments,
        with_files,
    )


def _load_compared_rounds(
    assessments: list[Assessment],
    finished: dict[int, list[FinishedRound]],
    actions: dict[int, list[ActionItem]],
) -> dict[int, Assessment]:
    """Load, in one query, the only earlier rounds a report reads whole, with their answers and
    snapshots: the round just before each assessment (what changed since) and rounds with
    action items (their follow-up)."""
    wanted: set[int] = set()
    for assessment in assessments:
        earlier = _earlier_rounds(finished, assessment)
        if earlier:
            wanted.add(earlier[-1].id)
        wanted.update(past.id for past in earlier if past.id in actions)
    if not wanted:
        return {}
    return {past.id: past for past in db.session.scalars(_COMPARED, {"ids": sorted(wanted)})}


def _follow_ups(
    assessment: Assessment, earlier: list[FinishedRound], records: CityRecords
) -> tuple[ActionFollowUp, ...]:
    now = (bank_for(assessment), assessment.answer_values())
    follow_ups: list[ActionFollowUp] = []
    for past_round in earlier:
        if not (items := records.actions.get(past_round.id)):
            continue
        past = records.compared[past_round.id]
        then = (bank_for(past), past.answer_values())
        follow_ups.extend(
            ActionFollowUp(item, action_outcome(item.question_ids, then, now)) for item in items
        )
    return tuple(follow_ups)


def _point(assessment: Assessment, snap: Snapshot) -> RoundPoint:
    when = assessment.submitted_at or assessment.updated_at
    return RoundPoint(
        assessment.id, assessment.round_number, when, snap["overall"], dict(snap["areas"])
    )


def _finished_point(past: FinishedRound) -> RoundPoint:
    """A finished round from its score columns, which hold its snapshot's figures."""
    overall = cast(float, past.overall_score)  # set with the status, at every submission
    return RoundPoint(
        past.id, past.round_number, past.submitted_at or past.updated_at, overall, area_scores(past)
    )


def _round_facts(
    assessment: Assessment, snap: Snapshot
) -> tuple[dict[str, float | None], float, dict[str, str], list[str]]:
    measures = [cm["id"] for cm in snap["countermeasures"]]
    return dict(snap["areas"]), snap["overall"], assessment.answer_values(), measures


def _trend(
    assessment: Assessment, snap: Snapshot, earlier: list[FinishedRound], records: CityRecords
) -> tuple[tuple[RoundPoint, ...], RoundComparison | None]:
    points = (*(_finished_point(past) for past in earlier), _point(assessment, snap))
    if not earlier:
        return points, None
    previous = records.compared[earlier[-1].id]
    comparison = compare_rounds(
        bank_for(assessment),
        _round_facts(previous, report_snapshot(previous)),
        _round_facts(assessment, snap),
    )
    return points, comparison


def _scores(row: PeerScores) -> dict[str, float | None]:
    return {**area_scores(row), "overall": row.overall_score}


@dataclass(frozen=True)
class PeerStanding:
    percentiles: Percentiles
    province_percentiles: Percentiles
    tier_percentiles: Percentiles
    peer_count: int
    distribution: tuple[PeerRow, ...]


def _peers(assessment: Assessment, snap: Snapshot, records: CityRecords) -> PeerStanding:
    """Percentiles among all other cities, those of the province and those of the tier; each
    from MIN_PEERS cities up (``peer_percentiles``), so that no city can be recognised."""
    others = [row for row in records.peers if row.city_id != assessment.city_id]
    own = {**dict(snap["areas"]), "overall": snap["overall"]}
    province, tier = assessment.city.province_id, assessment.city.tier
    return PeerStanding(
        percentiles=peer_percentiles(own, [_scores(row) for row in others]),
        province_percentiles=None
        if province is None
        else peer_percentiles(own, [_scores(r) for r in others if r.province_id == province]),
        tier_percentiles=None
        if tier is None
        else peer_percentiles(own, [_scores(r) for r in others if r.tier == tier]),
        peer_count=len(others),
        distribution=tuple(
            PeerRow(row.city_id, row.city_name, row.id, _scores(row)) for row in records.peers
        ),
    )


def report_insights(assessment: Assessment, records: CityRecords | None = None) -> ReportInsights:
    """The report's sections beyond the scores; pass ``records`` when building many at once."""
    if records is None:
        records = city_records([assessment])
    bank = bank_for(assessment)
    answers = assessment.answer_values()
    chosen = records.targets.get(assessment.city_id, {})
    area_gaps, question_gaps = target_gaps(bank, answers, score_assessment(bank, answers), chosen)
    snap = report_snapshot(assessment, chosen)
    earlier = records.earlier_rounds(assessment)
    rounds, since_last = _trend(assessment, snap, earlier, records)
    standing = _peers(assessment, snap, records)
    live = live_insights(assessment, records)
    return ReportInsights(
        uncertainty=assessment_uncertainty(assessment, records.with_files[assessment.id]),
        evidenced_answers=tuple(a for a in assessment.answers if a.confidence or a.evidence),
        targets=chosen,
        area_gaps=area_gaps,
        question_gaps=question_gaps,
        actions=tuple(records.actions.get(assessment.id, [])),
        follow_ups=_follow_ups(assessment, earlier, records),
        rounds=rounds,
        since_last=since_last,
        peer_count=standing.peer_count,
        percentiles=standing.percentiles,
        province_percentiles=standing.province_percentiles,
        tier_percentiles=standing.tier_percentiles,
        distribution=standing.distribution,
        survey=live.survey,
        survey_results=live.survey_results,
        survey_questions=live.survey_questions,
        departments=live.departments,
    )
