"""The core's means: None left out, None when nothing is left, and sums without rounding drift."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.stats import mean, weighted_mean

figures = st.floats(min_value=0, max_value=100)
positive_weights = st.floats(min_value=0.01, max_value=10)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([2.0, 4.0], 3.0),
        ([None, 2.0, 4.0], 3.0),
        ([1, 2], 1.5),
        ([], None),
        ([None], None),
    ],
)
def test_mean_leaves_out_none_and_is_none_when_nothing_counts(
    values: list[float | None], expected: float | None
) -> None:
    assert mean(values) == expected


def test_mean_takes_a_generator() -> None:
    assert mean(v for v in [None, 1.0, 3.0]) == 2.0


@pytest.mark.parametrize(
    ("values", "weights", "expected"),
    [
        ([1.0, 0.0], [3.0, 1.0], 0.75),
        ([1.0, None, 0.0], [3.0, 100.0, 1.0], 0.75),
        ([], [], None),
        ([None, None], [1.0, 2.0], None),
    ],
)
def test_weighted_mean_drops_the_weight_of_a_missing_value(
    values: list[float | None], weights: list[float], expected: float | None
) -> None:
    assert weighted_mean(values, weights) == expected


def test_weighted_mean_wants_a_weight_per_value() -> None:
    with pytest.raises(ValueError):
        weighted_mean([1.0, 2.0], [1.0])


def test_a_mean_exactly_on_a_level_floor_reaches_it() -> None:
    """A plain sum() gives 39.99999999999999 here, one level too low where level 3 starts at 40."""
    assert weighted_mean([50.0, 36.666666666666664, 33.33333333333333], [1.0, 1.0, 1.0]) == 40.0
    assert mean([0.1] * 10) == 0.1


@given(st.lists(st.one_of(st.none(), figures)))
def test_mean_is_the_exact_mean_of_the_figures_that_exist(values: list[float | None]) -> None:
    present = [Fraction(v) for v in values if v is not None]
    exact = sum(present) / len(present) if present else None
    assert mean(values) == (None if exact is None else pytest.approx(float(exact), rel=1e-15))


@given(st.lists(st.tuples(st.one_of(st.none(), figures), positive_weights)))
def test_weighted_mean_is_the_exact_weighted_mean(pairs: list[tuple[float | None, float]]) -> None:
    counted = [(Fraction(v), Fraction(w)) for v, w in pairs if v is not None]
    exact = sum(v * w for v, w in counted) / sum(w for _, w in counted) if counted else None
    result = weighted_mean([v for v, _ in pairs], [w for _, w in pairs])
    assert result == (None if exact is None else pytest.approx(float(exact), rel=1e-15, abs=1e-300))
