"""common/rolling.py: rolling-origin splits never let a forecast see its own future."""

import numpy as np
import pytest

from common.rolling import rolling_origins, split_at


@pytest.mark.parametrize("length, horizon, count", [(108, 12, 2), (204, 24, 2), (60, 12, 5)])
def test_each_origin_trains_on_the_past_and_scores_the_next_months(length, horizon, count):
    series = np.arange(length)  # each value is its own month number
    origins = rolling_origins(length, horizon, count, min_train=13)
    assert origins == sorted(origins) and origins[-1] + horizon == length
    for origin in origins:
        seen, future = split_at(series, origin, horizon)
        assert seen.max() < future.min()  # nothing of the forecast months is seen
        assert len(future) == horizon and seen[-1] + 1 == future[0]


def test_origins_too_early_to_train_are_dropped():
    assert rolling_origins(60, 12, 5, min_train=30) == [36, 48]


def test_an_origin_outside_the_series_is_refused():
    with pytest.raises(ValueError):
        split_at(np.arange(10), 10, 2)
