"""The report's first page and its countermeasures with the reasons they are there, built once
so the page, the PDF, the Word report and the rectification ledger say the same thing.

Every reason is a question's own fact, its answer against its target level, never an area
average: that is what an official can check and what a department can be asked to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _
from flask_babel import ngettext

from app.assessments.scores import bank_for, report_snapshot
from app.assessments.verification import assessment_verified_scores
from app.core.crosswalk import standard_view
from app.core.questionnaire import (
    CONTENT_DIR,
    DONT_KNOW,
    Area,
    MaturityLevel,
    Question,
    QuestionBank,
    Text,
)
from app.core.scoring import Snapshot, SnapshotCountermeasure
from app.core.targets import LEVELS, level_score, resolve_targets
from app.evidence.operations import evidence_of
from app.extensions import content, db
from app.models import ActionItem, Assessment
from app.reports.insights import ReportInsights, report_insights
from app.web.i18n import content_language

ACT_FIRST = 5
"""The most a mayor is asked to start with; the rest follow by area."""

DEFAULT_TARGET_LEVEL = 4
"""Level 4 of 5, an established practice: what a question aims for when the city set nothing."""

WEAKEST_SHOWN = 3


@dataclass(frozen=True)
class Responsibility:
    owner: Text
    horizon: Text


@cache
def _responsibilities() -> tuple[dict[str, Responsibility], dict[str, Responsibility]]:
    """(by countermeasure id, by area id) from ``content/countermeasure_owners.yaml``."""
    document = yaml.safe_load((CONTENT_DIR / "countermeasure_owners.yaml").read_text("utf-8"))
    horizons = {key: Text(**value) for key, value in document["horizons"].items()}

    def read(entries: Mapping[str, Any]) -> dict[str, Responsibility]:
        return {
            key: Responsibility(Text(**entry["owner"]), horizons[entry["horizon"]])
            for key, entry in entries.items()
        }

    return read(document["countermeasures"]), read(document["areas"])


def responsibility(countermeasure_id: str, area_id: str) -> Responsibility:
    """Who usually owns a countermeasure and in what time; its area's entry when it has none."""
    by_measure, by_area = _responsibilities()
    return by_measure.get(countermeasure_id) or by_area[area_id]


@dataclass(frozen=True)
class QuestionFact:
    """One question's answer against its target level."""

    question: Question
    area: Area
    level: int | None
    """The level answered, None for "don't know" (scored as level 1)."""
    target: int

    @property
    def score(self) -> float:
        return 0.0 if self.level is None else level_score(self.level)

    @property
    def is_weak(self) -> bool:
        return self.score < level_score(self.target)

    @property
    def urgency(self) -> float:
        """Weight x levels short, the same measure that ranks the countermeasures."""
        return self.question.weight * max(0.0, level_score(self.target) - self.score)

    @property
    def levels_short(self) -> int:
        return max(0, self.target - (self.level or 1))

    def describe(self) -> str:
        """E.g. "answered at level 1 of 5, target 4" — what an official can check."""
        if self.level is None:
            return _("answered “Don't know”, target %(target)d", target=self.target)
        return _(
            "answered at level %(level)d of %(levels)d, target %(target)d",
            level=self.level,
            levels=LEVELS,
            target=self.target,
        )


def question_facts(
    bank: QuestionBank, answers: Mapping[str, str], chosen: Mapping[str, int]
) -> dict[str, QuestionFact]:
    """Every question answered with a level or "don't know", against its target level."""
    targets = resolve_targets(bank, chosen)
    facts = {}
    for area in bank.areas:
        for question in area.questions:
            value = answers.get(question.id)
            option = None if value is None else question.option(value)
            if option is None or (option.kind != "level" and value != DONT_KNOW):
                continue
            level = int(option.value) if option.kind == "level" else None
            target = targets.get(question.id, DEFAULT_TARGET_LEVEL)
            facts[question.id] = QuestionFact(question, area, level, target)
    return facts


@dataclass(frozen=True)
class Recommendation:
    """A countermeasure as the report presents it: what to do, why, who, by when."""

    id: str
    area: Area
    title: str
    description: str
    section: str
    """The paper's countermeasure section, §4.x."""
    reasons: tuple[QuestionFact, ...]
    """Its questions that fall short, most urgent first."""
    owner: str
    """The action plan's owner where set, else the department that usually owns it."""
    horizon: str
    action: ActionItem | None

    @property
    def owner_planned(self) -> bool:
        return self.action is not None and bool(self.action.owner)

    @property
    def ownership(self) -> str:
        """Who and by when, in words that say whether the city chose the owner or we suggest it."""
        if self.owner_planned:
            return _(
                "Owner in the action plan: %(owner)s · %(horizon)s",
                owner=self.owner,
                horizon=self.horizon,
            )
        return _("Usually owned by %(owner)s · %(horizon)s", owner=self.owner, horizon=self.horizon)

    @property
    def problem_sections(self) -> tuple[str, ...]:
        """The paper's problem sections (§3.x) the countermeasure answers."""
        return tuple(sorted({fact.question.paper_section for fact in self.reasons}))

    @property
    def why(self) -> str:
        """Why it is in the report, in words: how many answers fall short and how far."""
        if not self.reasons:
            return _("Recommended when this round was submitted.")
        worst = self.reasons[0]
        if len(self.reasons) == 1:
            return _("One answer falls short: %(fact)s.", fact=worst.describe())
        return ngettext(
            "%(answers)d answers fall short of their targets, the furthest by %(num)d level.",
            "%(answers)d answers fall short of their targets, the furthest by %(num)d levels.",
            worst.levels_short,
            answers=len(self.reasons),
        )


@dataclass(frozen=True)
class Briefing:
    """The first page, and the countermeasures after it."""

    level: MaturityLevel
    verdict: str
    held_back: str
    weakest: tuple[QuestionFact, ...]
    act_first: tuple[Recommendation, ...]
    by_area: tuple[tuple[Area, tuple[Recommendation, ...]], ...]
    """The other countermeasures, by area, in bank order; areas without any are left out."""
    context: tuple[tuple[str, str], ...]
    """(heading, sentence): since the last round, residents, among other cities."""
    weak: tuple[QuestionFact, ...]
    """Every question below its target, in bank order: the ledger's rows."""

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return self.act_first + tuple(r for _area, group in self.by_area for r in group)


def _recommendation(
    measure: SnapshotCountermeasure,
    bank: QuestionBank,
    facts: Mapping[str, QuestionFact],
    actions: Mapping[str, ActionItem],
    lang: str,
) -> Recommendation | None:
    area = bank.area(measure["area"])
    if area is None:
        return None
    reasons = sorted(
        (facts[qid] for qid in measure["questions"] if qid in facts and facts[qid].is_weak),
        key=lambda fact: (-fact.urgency, fact.question.id),
    )
    hint = responsibility(measure["id"], area.id)
    action = actions.get(measure["id"])
    return Recommendation(
        id=measure["id"],
        area=area,
        title=measure["title"]["zh" if lang == "zh" else "en"],
        description=measure["description"]["zh" if lang == "zh" else "en"],
        section=measure["paper_section"],
        reasons=tuple(reasons),
        owner=action.owner if action is not None and action.owner else hint.owner.get(lang),
        horizon=hint.horizon.get(lang),
        action=action,
    )


def _held_back(
    bank: QuestionBank, report: Snapshot, weak: Sequence[QuestionFact], lang: str
) -> tuple[str, str | None]:
    """(the sentence, the weakest area's title): a level capped by its weakest links says so
    first, since no rise in the index lifts it; otherwise what pulls the index down most."""
    scored = [
        (score, area) for area in bank.areas if (score := report["areas"].get(area.id)) is not None
    ]
    if not weak or not scored:
        return _("Every answered question meets its target."), None
    score, area = min(scored, key=lambda pair: pair[0])
    title = area.title.get(lang)
    capped_by = [q for qid in report.get("level_held_back_by", []) if (q := bank.question(qid))]
    if capped_by:
        return _(
            "Level %(level)d: held back from %(next)d by %(questions)s.",
            level=report["level"],
            next=report["level"] + 1,
            questions=_("; ").join(f"“{q.text.get(lang)}”" for q in capped_by),
        ), title
    sentence = ngettext(
        "Held back most by %(area)s (%(score).1f/100), and by %(num)d answer below its target.",
        "Held back most by %(area)s (%(score).1f/100), and by %(num)d answers below their targets.",
        len(weak),
        area=title,
        score=score,
    )
    return sentence, title


def _since_last(insights: ReportInsights, bank: QuestionBank) -> str:
    change = insights.since_last
    if change is None or len(insights.rounds) < 2:
        return _("This is the city's first finished round: the next one will show the change.")
    previous, latest = insights.rounds[-2], insights.rounds[-1]
    # The levels each round was given, weakest links included: the index alone may say more.
    given = dict(
        db.session.execute(
            sa.select(Assessment.id, Assessment.level).where(
                Assessment.id.in_((previous.assessment_id, latest.assessment_id))
            )
        ).all()
    )
    before = given.get(previous.assessment_id) or bank.level_for(previous.overall).number
    after = given.get(latest.assessment_id) or bank.level_for(latest.overall).number
    return _(
        "The index moved %(change)+.1f points since the last round (level %(before)d → "
        "%(after)d). Countermeasures no longer needed: %(resolved)d; newly needed: %(new)d.",
        change=change.overall_change,
        before=before,
        after=after,
        resolved=len(change.resolved),
        new=len(change.new),
    )


def _residents(insights: ReportInsights, report: Snapshot) -> str:
    results = insights.survey_results
    own = report["areas"].get("participation")
    if results is None or results.resident_index is None or own is None:
        return _("No residents' survey has been answered for this round.")
    figures = ngettext(
        "Residents score the city %(resident).0f/100 (%(num)d answer) against its own "
        "participation score of %(own).0f/100.",
        "Residents score the city %(resident).0f/100 (%(num)d answers) against its own "
        "participation score of %(own).0f/100.",
        results.responses,
        resident=results.resident_index,
        own=own,
    )
    meaning = _(
        "Their figure is what they say in an anonymous survey of the benefits, the ease of use "
        "and their trust in how data is handled; it is not part of the readiness index, which "
        "rests on the city's own answers."
    )
    return f"{figures} {meaning}"


def _peers(insights: ReportInsights) -> str:
    if insights.percentiles is None or insights.percentiles.get("overall") is None:
        return _("Comparisons appear once five other cities have an approved assessment.")
    percentile = insights.percentiles["overall"] or 0.0
    if percentile <= 0:
        return ngettext(
            "The lowest index among %(num)d other city's latest approved assessment.",
            "The lowest index among %(num)d other cities' latest approved assessments.",
            insights.peer_count,
        )
    return ngettext(
        "A higher index than %(share).0f%% of %(num)d other city.",
        "A higher index than %(share).0f%% of %(num)d other cities.",
        insights.peer_count,
        share=percentile,
    )


def briefing(
    assessment: Assessment,
    bank: QuestionBank,
    report: Snapshot,
    insights: ReportInsights,
    lang: str,
) -> Briefing:
    """The summary and the countermeasures, in ``lang``, from this round's per-question facts."""
    facts = question_facts(bank, assessment.answer_values(), insights.targets)
    weak = tuple(fact for fact in facts.values() if fact.is_weak)
    weakest = tuple(sorted(weak, key=lambda fact: (-fact.urgency, fact.question.id)))
    actions = {item.countermeasure_id: item for item in insights.actions}
    recommendations = [
        found
        for measure in report["countermeasures"]
        if (found := _recommendation(measure, bank, facts, actions, lang)) is not None
    ]
    act_first = tuple(recommendations[:ACT_FIRST])
    rest = recommendations[ACT_FIRST:]
    by_area = tuple(
        (area, group)
        for area in bank.areas
        if (group := tuple(r for r in rest if r.area.id == area.id))
    )
    level = bank.maturity_levels[report["level"] - 1]
    held_back, weakest_area = _held_back(bank, report, weak, lang)
    city = assessment.city.name
    if weakest_area is None:
        verdict = _(
            "%(city)s stands at level %(level)d of 5 (%(name)s) with a readiness index of "
            "%(index).1f/100, and meets its targets.",
            city=city,
            level=level.number,
            name=level.name.get(lang),
            index=report["overall"],
        )
    else:
        verdict = _(
            "%(city)s stands at level %(level)d of 5 (%(name)s) with a readiness index of "
            "%(index).1f/100; %(area)s holds it back most.",
            city=city,
            level=level.number,
            name=level.name.get(lang),
            index=report["overall"],
            area=weakest_area,
        )
    return Briefing(
        level=level,
        verdict=verdict,
        held_back=held_back,
        weakest=weakest[:WEAKEST_SHOWN],
        act_first=act_first,
        by_area=by_area,
        context=(
            (_("Since the last round"), _since_last(insights, bank)),
            (_("Residents' view"), _residents(insights, report)),
            (_("Among other cities"), _peers(insights)),
        ),
        weak=weak,
    )


@dataclass(frozen=True)
class ReportParts:
    """Everything a report is built from, in the reader's language."""

    bank: QuestionBank
    report: Snapshot
    insights: ReportInsights
    summary: Briefing


def report_parts(assessment: Assessment) -> ReportParts:
    bank = bank_for(assessment)
    report = report_snapshot(assessment)
    insights = report_insights(assessment)
    lang = content_language()
    return ReportParts(bank, report, insights, briefing(assessment, bank, report, insights, lang))


def report_context(assessment: Assessment) -> dict[str, object]:
    """What the report templates, HTML and PDF, are rendered with."""
    parts = report_parts(assessment)
    catalogue = content.catalogue_for(parts.bank.version)
    return {
        "assessment": assessment,
        "bank": parts.bank,
        "report": parts.report,
        "catalogue": catalogue,
        "keep_doing": catalogue.keep_doing,
        "insights": parts.insights,
        "summary": parts.summary,
        "standards": content.standards,
        "evidence_files": evidence_of(assessment),
        "verified": assessment_verified_scores(assessment),
        "standard_view": standard_view(
            bank=parts.bank, standards=content.standards, answers=assessment.answer_values()
        ),
    }
