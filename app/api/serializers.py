"""JSON shapes of the API v1 contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.assessments.scores import bank_for, report_snapshot
from app.assessments.verification import assessment_verified_scores
from app.core.questionnaire import QuestionBank
from app.core.resident_survey import SurveyResults
from app.core.scoring import ScoreCard, SnapshotLevel
from app.core.uncertainty import uncertainty_json
from app.departments.operations import LEAD
from app.divisions.records import city_record
from app.models import ActionItem, Answer, Assessment, EvaluationRound, EvidenceFile, Survey
from app.reports.insights import (
    CityRecords,
    LiveInsights,
    Percentiles,
    ReportInsights,
    live_insights,
    report_insights,
)
from app.rounds.queries import CityProgress, progress_counts
from app.surveys.operations import burst_flagged
from app.web.links import public_url_for


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _standards_of(bank: QuestionBank, question_id: str) -> list[str]:
    question = bank.question(question_id)
    return [] if question is None else list(question.standards)


def questionnaire_json(bank: QuestionBank, lang: str) -> dict[str, Any]:
    return {
        "version": bank.version,
        "lang": lang,
        "level_rules": [
            {
                "level": rule.level,
                "min_answer_level": rule.min_answer_level,
                "min_critical_level": rule.min_critical_level,
            }
            for rule in bank.level_rules
        ],
        "areas": [
            {
                "id": area.id,
                "title": area.title.get(lang),
                "summary": area.summary.get(lang),
                "paper_section": area.paper_section,
                "weight": area.weight,
                "questions": [
                    {
                        "id": q.id,
                        "text": q.text.get(lang),
                        "help": q.help.get(lang),
                        "paper_section": q.paper_section,
                        "ladder_sections": list(q.ladder_sections),
                        "standards": list(q.standards),
                        "weight": q.weight,
                        "critical": q.critical,
                        "options": [
                            {
                                "value": o.value,
                                "label": o.label.get(lang),
                                "kind": o.kind,
                                "score": o.score,
                            }
                            for o in q.options
                        ],
                    }
                    for q in area.questions
                ],
            }
            for area in bank.areas
        ],
    }


def _area_level(
    bank: QuestionBank, verdict: SnapshotLevel | None, lang: str
) -> dict[str, Any] | None:
    """An area's level; None while it has no score, or in a snapshot frozen before area levels."""
    if verdict is None:
        return None
    level = bank.maturity_levels[verdict["level"] - 1]
    return {
        "number": level.number,
        "name": level.name.get(lang),
        "from_score": verdict["from_score"],
        "held_back_by": verdict["held_back_by"],
    }


def assessment_json(
    assessment: Assessment,
    lang: str = "en",
    for_admin: bool = False,
    records: CityRecords | None = None,
) -> dict[str, Any]:
    """The assessment; ``for_admin`` adds the named distribution of peers, which national
    reviewers see: it names cities of every province.

    Pass ``records`` (``city_records``) when serialising many, so they share their queries.
    """
    chosen_targets = None if records is None else records.targets[assessment.city_id]
    report = report_snapshot(assessment, chosen_targets)
    bank = bank_for(assessment)
    level = bank.maturity_levels[report["level"] - 1]
    return {
        "id": assessment.id,
        "status": assessment.status,
        "city": city_record(assessment.city),
        "round": round_ref_json(assessment),
        "questionnaire_version": assessment.questionnaire_version,
        "source": assessment.source,
        "paper_form_id": assessment.paper_form_id,
        "created_at": _time(assessment.created_at),
        "updated_at": _time(assessment.updated_at),
        "submitted_at": _time(assessment.submitted_at),
        "reviewed_at": _time(assessment.reviewed_at),
        "answers": {
            a.question_id: {
                "value": a.value,
                "comment": a.comment,
                "confidence": a.confidence,
                "evidence": a.evidence,
                "standards": _standards_of(bank, a.question_id),
                "carried_over": a.carried_over,
                "verification": verification_json(a),
            }
            for a in assessment.answers
        },
        "scores": {"overall": report["overall"], "areas": report["areas"]},
        "level": {
            "number": level.number,
            "name": level.name.get(lang),
            "from_score": report.get("level_from_score"),
            "held_back_by": report.get("level_held_back_by", []),
        },
        "areas": [
            {
                "id": area.id,
                "score": report["areas"].get(area.id),
                "level": _area_level(bank, report.get("area_levels", {}).get(area.id), lang),
            }
            for area in bank.areas
        ],
        **verified_json(assessment, lang),
        "data_gaps": report["data_gaps"],
        "countermeasures": [
            {
                "id": cm["id"],
                "area": cm["area"],
                "paper_section": cm["paper_section"],
                "title": cm["title"][lang],  # type: ignore[literal-required]
                "description": cm["description"][lang],  # type: ignore[literal-required]
                "priority": cm["priority"],
                "questions": cm["questions"],
            }
            for cm in report["countermeasures"]
        ],
        **insights_json(
            report_insights(assessment, records), for_admin, report["areas"].get("participation")
        ),
    }


def round_ref_json(assessment: Assessment) -> dict[str, Any] | None:
    """The evaluation round the assessment belongs to, and whether it was filed after the due
    date; None outside any round."""
    evaluation_round = assessment.evaluation_round
    if evaluation_round is None:
        return None
    return {
        "id": evaluation_round.id,
        "name": evaluation_round.name,
        "due_on": evaluation_round.due_on.isoformat(),
        "late": assessment.filed_late,
    }


def round_json(evaluation_round: EvaluationRound, rows: list[CityProgress]) -> dict[str, Any]:
    province = evaluation_round.province
    return {
        "id": evaluation_round.id,
        "name": evaluation_round.name,
        "province": None if province is None else {"id": province.id, "name": province.name},
        "questionnaire_version": evaluation_round.questionnaire_version,
        "due_on": evaluation_round.due_on.isoformat(),
        "open": evaluation_round.is_open,
        "opened_at": _time(evaluation_round.opened_at),
        "closed_at": _time(evaluation_round.closed_at),
        "counts": progress_counts(rows),
    }


def round_progress_json(
    evaluation_round: EvaluationRound, rows: list[CityProgress]
) -> dict[str, Any]:
    """The round and every city it covers, with how far each has got."""
    return {
        **round_json(evaluation_round, rows),
        "cities": [
            {
                "city": city_record(row.city),
                "progress": row.progress,
                "assessment_id": None if row.assessment is None else row.assessment.id,
                "submitted_at": None
                if row.assessment is None
                else _time(row.assessment.submitted_at),
                "late": row.late,
            }
            for row in rows
        ],
    }


def live_json(assessment: Assessment, areas: dict[str, float | None]) -> dict[str, Any]:
    """The parts of an assessment's JSON that change after submission: residents' survey
    answers and departments' answers keep coming in (cached reads key on them)."""
    live = live_insights(assessment)
    return {
        "resident_survey": survey_json(live, areas.get("participation")),
        "departments": departments_json(live),
    }


def action_json(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "assessment_id": item.assessment_id,
        "countermeasure_id": item.countermeasure_id,
        "questions": item.question_ids,
        "owner": item.owner,
        "due_date": None if item.due_date is None else item.due_date.isoformat(),
        "status": item.status,
    }


def _trend_json(insights: ReportInsights) -> dict[str, Any]:
    since = insights.since_last
    return {
        "rounds": [
            {
                "assessment_id": r.assessment_id,
                "at": _time(r.when),
                "overall": r.overall,
                "areas": r.areas,
            }
            for r in insights.rounds
        ],
        "since_last": None
        if since is None
        else {
            "previous_assessment_id": insights.rounds[-2].assessment_id,
            "overall_change": round(since.overall_change, 1),
            "area_changes": {
                k: None if v is None else round(v, 1) for k, v in since.area_changes.items()
            },
            "question_changes": {
                c.question_id: {
                    "before": c.before,
                    "after": c.after,
                    "change_levels": c.change_levels,
                }
                for c in since.question_changes
            },
            "countermeasures": {
                "new": list(since.new),
                "persisting": list(since.persisting),
                "resolved": list(since.resolved),
            },
        },
    }


def _rounded(percentiles: Percentiles) -> dict[str, float | None] | None:
    if percentiles is None:
        return None
    return {k: None if v is None else round(v, 1) for k, v in percentiles.items()}


def _peers_json(insights: ReportInsights, for_admin: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "other_cities": insights.peer_count,
        "percentiles": _rounded(insights.percentiles),
        "province_percentiles": _rounded(insights.province_percentiles),
        "tier_percentiles": _rounded(insights.tier_percentiles),
    }
    if for_admin:
        found["distribution"] = [
            {"city": row.city_name, "assessment_id": row.assessment_id, "scores": row.scores}
            for row in insights.distribution
        ]
    return found


def survey_json(
    insights: ReportInsights | LiveInsights, participation: float | None
) -> dict[str, Any] | None:
    survey, results = insights.survey, insights.survey_results
    if survey is None or results is None:
        return None
    index = results.resident_index
    return {
        "link": public_url_for("residents.answer", token=survey.token),
        "closes_on": survey.closes_on.isoformat(),
        "responses": results.responses,
        **_survey_sources_json(survey, results),
        "resident_index": None if index is None else round(index, 1),
        "participation_score": participation,
        "difference": None
        if index is None or participation is None
        else round(index - participation, 1),
        "topics": {k: None if v is None else round(v, 1) for k, v in results.topics.items()},
        "questions": {
            r.question_id: {
                "answers": r.answers,
                "counts": list(r.counts),
                "score": None if r.score is None else round(r.score, 1),
                "withheld": r.withheld,
            }
            for r in results.questions
        },
        "withheld": results.withheld,
        "min_responses": results.shown_from,
    }


def _survey_sources_json(survey: Survey, results: SurveyResults) -> dict[str, Any]:
    """Where the answers came from: online verified (invitation code) or unverified (open
    link), or paper typed in by the city, each with its own index; and any burst flagged."""
    channels = {
        name: {
            "responses": found.responses,
            "resident_index": None
            if found.resident_index is None
            else round(found.resident_index, 1),
        }
        for name, found in results.channels.items()
    }
    count = {name: found.responses for name, found in results.channels.items()}
    return {
        "online_responses": count.get("invited", 0) + count.get("open", 0),
        "verified_responses": count.get("invited", 0),
        "unverified_responses": count.get("open", 0),
        "paper_responses": count.get("paper", 0),
        "paper_forms_printed": survey.paper_forms_printed,
        "invitations_printed": survey.invitations_printed,
        "sources": channels,
        "busiest_hour": {
            "started_at": _time(survey.busiest_hour_at),
            "online_responses": survey.busiest_hour_answers,
            "burst": burst_flagged(survey),
        },
    }


def _card_json(card: ScoreCard) -> dict[str, Any]:
    return {
        "overall": round(card.overall, 1),
        "areas": {a.area_id: None if a.score is None else round(a.score, 1) for a in card.areas},
        "level": card.level.number,
    }


def departments_json(insights: ReportInsights | LiveInsights) -> dict[str, Any] | None:
    view = insights.departments
    if view is None:
        return None
    return {
        "respondents": [
            {
                "name": None if r.name == LEAD else r.name,
                "lead": r.name == LEAD,
                "submitted": r.submitted,
                "scores": _card_json(r.card),
            }
            for r in view.respondents
        ],
        "consolidated": {**_card_json(view.card), "answers": view.consolidated.answers},
        "coordination_gaps": [
            {
                "question": g.question_id,
                "spread": g.spread,
                "answers": {("lead" if k == LEAD else k): v for k, v in g.answers.items()},
            }
            for g in view.consolidated.gaps
        ],
    }


def insights_json(
    insights: ReportInsights, for_admin: bool = False, participation: float | None = None
) -> dict[str, Any]:
    """The report's sections beyond the scores; each key is an extension of the v1 contract."""
    return {
        "resident_survey": survey_json(insights, participation),
        "departments": departments_json(insights),
        "trend": _trend_json(insights),
        "peers": _peers_json(insights, for_admin),
        "uncertainty": uncertainty_json(insights.uncertainty),
        "targets": insights.targets,
        "target_gaps": {
            "areas": {
                g.area_id: {
                    "target_level": g.target_level,
                    "target_score": round(g.target_score, 1),
                    "gap": None if g.gap is None else round(g.gap, 1),
                }
                for g in insights.area_gaps
            },
            "questions": {
                g.question_id: {
                    "target_level": g.target_level,
                    "gap_levels": g.gap_levels,
                    "data_gap": g.dont_know,
                }
                for g in insights.question_gaps
            },
        },
        "actions": [action_json(item) for item in insights.actions],
        "action_follow_up": [
            {
                **action_json(f.item),
                "moved": f.outcome.moved,
                "change_levels": f.outcome.change_levels,
            }
            for f in insights.follow_ups
        ],
    }


def evidence_json(row: EvidenceFile) -> dict[str, Any]:
    return {
        "id": row.id,
        "question_id": row.question_id,
        "filename": row.filename,
        "size": row.size,
        "content_type": row.content_type,
        "sha256": row.sha256,
        "created_at": _time(row.created_at),
    }


def verification_json(answer: Answer) -> dict[str, Any]:
    """A reviewer's check of one answer; every field None (status "unverified") until then."""
    return {
        "status": answer.verification_status or "unverified",
        "value": answer.verified_value,
        "reason": answer.verification_reason,
        "by": answer.verified_by.email if answer.verified_by else None,
        "at": _time(answer.verified_at),
    }


def verified_json(assessment: Assessment, lang: str) -> dict[str, Any]:
    """The scores with the reviewer's adjustments, beside the self-assessed ones."""
    verified = assessment_verified_scores(assessment)
    level = bank_for(assessment).maturity_levels[verified.level - 1]
    return {
        "verified_scores": {"overall": verified.overall, "areas": verified.areas},
        "verified_level": {"number": level.number, "name": level.name.get(lang)},
        "unverified_answers": len(verified.unverified),
    }
