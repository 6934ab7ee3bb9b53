"""common/forecasting.py: the months past the end of a series, errors, seasonal indices."""

import re

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


def test_a_monthly_series_in_order_passes_unchanged():
    months = pd.date_range("1959-06", periods=14, freq="MS")
    values, checked, reordered = forecasting.in_month_order(np.arange(14.0), months, "--csv x")
    assert values.tolist() == list(range(14)) and (checked == months).all() and not reordered
    assert forecasting.in_month_order(np.arange(3.0), None, "--csv x")[1:] == (None, False)


def test_a_newest_first_series_is_put_in_date_order():
    months = pd.date_range("1959-06", periods=14, freq="MS")[::-1]
    values, checked, reordered = forecasting.in_month_order(np.arange(14.0), months, "--csv x")
    assert values.tolist() == list(range(13, -1, -1)) and reordered
    assert f"{checked[0]:%Y-%m}" == "1959-06" and checked.is_monotonic_increasing


@pytest.mark.parametrize("dates, message", [
    (["1959-11", "1959-12", "1960-02"], "--csv x: no value for 1960-01 (between 1959-12 and "
                                        "1960-02); add that month's value"),
    (["2020-01-01", "2020-01-02", "2020-01-03"], "--csv x: two values for 2020-01 (2020-01-01 "
                                                 "and 2020-01-02); the forecaster reads one "
                                                 "value per month"),
    (["2020-01", "2020-04", "2020-07"], "--csv x: the dates are 3 months apart; the forecaster "
                                        "reads one value per month"),
])
def test_a_missing_month_and_dates_not_a_month_apart_are_one_line_errors(dates, message):
    from common.errors import UserError

    with pytest.raises(UserError, match=re.escape(message)):
        forecasting.in_month_order(np.arange(3.0), pd.DatetimeIndex(dates), "--csv x")


def test_a_runs_members_load_in_member_order(tmp_path, monkeypatch):
    """member-2 before member-10: each member's transform follows from its place, so eleven
    members must not load as 1, 10, 11, 2, ..."""
    from common import runs

    (tmp_path / "ensemble").mkdir()
    for number in range(1, 12):
        (tmp_path / "ensemble" / f"member-{number}.keras").write_text("")
    monkeypatch.setattr(runs, "load_model", lambda path, script, flag: path.name)
    assert runs.load_members(tmp_path, "airline_lstm.py") == [
        f"member-{number}.keras" for number in range(1, 12)]


def test_reloaded_members_take_the_window_alone_without_a_warning(tmp_path):
    """Keras 3.10 reloads a one-input model as taking a list of its input, and warns at every
    call with the window alone; the members `forecast` loads take it alone, as fresh ones."""
    import warnings

    import airline_lstm
    from common import runs

    model = airline_lstm.build_model(dict(airline_lstm.PRESETS["chapter"]))
    model.save(tmp_path / "model.keras")
    [member] = runs.load_members(tmp_path, "airline_lstm.py")
    windows = np.linspace(-1, 1, 10, dtype="float32").reshape(2, 5, 1)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "The structure of `inputs`", UserWarning)
        reloaded = airline_lstm.predict_next([member], windows)
    np.testing.assert_allclose(reloaded, airline_lstm.predict_next([model], windows), rtol=1e-6)


def test_panel_series_leave_out_the_forecast_series_its_future_and_short_series(tmp_path):
    dated = pd.date_range("1950-01", periods=48, freq="MS")
    files = {name: tmp_path / f"{name}.csv" for name in ("own", "overlapping", "undated", "short")}
    for path in files.values():
        path.touch()
    loaded = {"own": (np.arange(48.0), dated),
              "overlapping": (np.arange(100.0), pd.date_range("1948-01", periods=100, freq="MS")),
              "undated": (np.arange(40.0), None), "short": (np.arange(20.0), None)}
    series = forecasting.panel_series(sorted(files.values()), lambda path: loaded[path.stem],
                                      needs=30, exclude=files["own"], months=dated,
                                      first_unseen=36)  # 1953-01: the first unseen month
    assert sorted(series) == ["overlapping", "undated"]
    assert len(series["overlapping"]) == 60  # 1948-01..1952-12: nothing from 1953 on
    assert len(series["undated"]) == 40  # no dates to compare: kept whole
    undated_cut = forecasting.panel_series([files["overlapping"]], lambda path: loaded[path.stem],
                                           needs=30)  # no forecast months given: nothing cut
    assert len(undated_cut["overlapping"]) == 100
