"""common/forecasting.py: the months past the end of a series."""

import numpy as np
import pandas as pd

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
