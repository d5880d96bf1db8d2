"""A city's rounds over time: what changed since the last one, and where it stands among peers.

Pure functions over the frozen content objects and score snapshots, no Flask; the rules are in
``docs/scoring.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.core.questionnaire import QuestionBank

MIN_PEERS = 5
"""Fewer other cities than this and a percentile could point at one of them: none is shown."""


@dataclass(frozen=True)
class QuestionChange:
    question_id: str
    before: str | None
    after: str | None
    """The answer values ("1".."5", "dont_know", "not_applicable"), None when unanswered."""

    @property
    def change_levels(self) -> int | None:
        """After minus before, when both are levels; else None."""
        if self.before is None or self.after is None:
            return None
        if not (self.before.isdigit() and self.after.isdigit()):
            return None
        return int(self.after) - int(self.before)


@dataclass(frozen=True)
class RoundComparison:
    area_changes: dict[str, float | None]
    """This round's area score minus the last one's; None where either has no score."""
    overall_change: float
    question_changes: tuple[QuestionChange, ...]
    """Only the questions whose answer differs, in bank order."""
    new: tuple[str, ...]
    persisting: tuple[str, ...]
    resolved: tuple[str, ...]
    """Countermeasure ids: recommended only now, in both rounds, only last time."""


def compare_rounds(
    bank: QuestionBank,
    before: tuple[Mapping[str, float | None], float, Mapping[str, str], Sequence[str]],
    after: tuple[Mapping[str, float | None], float, Mapping[str, str], Sequence[str]],
) -> RoundComparison:
    """Compare two rounds, each given as (area scores, overall, answers, countermeasure ids)."""
    areas_before, overall_before, answers_before, measures_before = before
    areas_after, overall_after, answers_after, measures_after = after
    area_changes: dict[str, float | None] = {}
    for area in bank.areas:
        old, new = areas_before.get(area.id), areas_after.get(area.id)
        area_changes[area.id] = None if old is None or new is None else new - old
    changed = tuple(
        QuestionChange(q.id, answers_before.get(q.id), answers_after.get(q.id))
        for q in bank.questions()
        if answers_before.get(q.id) != answers_after.get(q.id)
    )
    old_ids, new_ids = set(measures_before), set(measures_after)
    return RoundComparison(
        area_changes=area_changes,
        overall_change=overall_after - overall_before,
        question_changes=changed,
        new=tuple(m for m in measures_after if m not in old_ids),
        persisting=tuple(m for m in measures_after if m in old_ids),
        resolved=tuple(m for m in measures_before if m not in new_ids),
    )


def percentile_rank(value: float, others: Sequence[float]) -> float:
    """Share of the others below the value, counting ties as half, in percent (0..100)."""
    below = sum(1 for other in others if other < value)
    equal = sum(1 for other in others if other == value)
    return 100 * (below + equal / 2) / len(others)


def peer_percentiles(
    own: Mapping[str, float | None], peers: Sequence[Mapping[str, float | None]]
) -> dict[str, float | None] | None:
    """The percentile of each of the city's scores among its peers' latest scores.

    ``peers`` holds one score mapping per other city. None when fewer than ``MIN_PEERS`` other
    cities are given; an area is None where the city, or every peer, has no score.
    """
    if len(peers) < MIN_PEERS:
        return None
    found: dict[str, float | None] = {}
    for key, value in own.items():
        others = [s for p in peers if (s := p.get(key)) is not None]
        enough = len(others) >= MIN_PEERS
        found[key] = percentile_rank(value, others) if value is not None and enough else None
    return found
