"""The means every figure in the core is built from, with the core's rule for missing figures.

A None among the values is a figure that does not count (an unanswered or not applicable
question, an area nobody answered), so it is left out; when nothing is left the mean is None,
not an error, because "no score yet" is an answer the pages show.

Both add exactly (``statistics.fmean`` sums with ``math.fsum``): scores of 50, 36.67 and 33.33
average to 40.0 and reach a level that starts at 40, where ``sum()`` gave 39.99999999999999.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import fmean


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None, or None when there are none."""
    present = [value for value in values if value is not None]
    return fmean(present) if present else None


def weighted_mean(values: Iterable[float | None], weights: Iterable[float]) -> float | None:
    """The mean of the values that are not None, each counted by its weight (one per value, all
    above 0, as the questionnaire's loader demands), or None when there are none."""
    pairs = [
        (value, weight) for value, weight in zip(values, weights, strict=True) if value is not None
    ]
    if not pairs:
        return None
    return fmean([value for value, _ in pairs], weights=[weight for _, weight in pairs])
