"""common/forecasting.py: the months past the end of a series, errors, seasonal indices."""

import numpy as np
import pandas as pd
import pytest

from common import forecasting


def test_future_months_continue_the_dates_across_a_year_end():
    months = pd.date_range("1960-01", periods=12, freq="MS")
    future = forecasting.future_months(months, 12, 3)
    assert [f"{m:%Y-%m}" for m in future] == ["1961-01", "1961-02", "1961-03"]


def test_future_months_of_an_undated_series_count_on():
    assert forecasting.future_months(None, 10, 3).tolist() == [10, 11, 12]


def test_scores_name_every_error_of_both_forecasts():
    actual = np.array([100.0, 200.0])
    result = forecasting.scores(actual, actual, np.array([110.0, 180.0]))
    assert result["rmse_one_step"] == 0 and result["mape_one_step"] == 0
    assert np.isclose(result["mae_free_running"], 15.0)
    assert np.isclose(result["mape_free_running"], 10.0)


def test_seasonal_indices_recover_a_season_under_a_linear_trend():
    season = np.array([3.0, -1, 2, 0, 0, 0, 0, 0, 0, 0, -2, -2])
    values = 5 + 0.3 * np.arange(60) + np.tile(season, 5)
    np.testing.assert_allclose(forecasting.seasonal_indices(values, 12), season, atol=1e-9)
    # Position 0 is the first value's, whichever calendar month that is.
    shifted = forecasting.seasonal_indices(values[4:], 12)
    np.testing.assert_allclose(shifted, np.roll(season, -4), atol=1e-9)


def test_seasonal_indices_of_an_odd_period_and_a_too_short_series():
    season = np.array([1.0, 0, -1])
    np.testing.assert_allclose(forecasting.seasonal_indices(np.tile(season, 4) + 7, 3), season,
                               atol=1e-9)
    with pytest.raises(ValueError, match="too few"):
        forecasting.seasonal_indices(np.arange(20.0), 12)
