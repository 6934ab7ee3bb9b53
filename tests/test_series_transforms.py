"""common/series_transforms.py: what a forecaster sees of a series, and back."""

import argparse

import numpy as np
import pytest

from common.errors import UserError
from common.series_transforms import Scaler, transform_names


def test_log_transforms_refuse_a_series_with_zeros():
    series = np.concatenate([[0.0], np.linspace(1, 50, 47)])
    with pytest.raises(UserError, match="--transform log_deseasonal takes logarithms"):
        Scaler("log_deseasonal", series)
    assert Scaler("seasonal", series).offset == 12  # the others take it


def test_deseasonal_values_of_a_pure_season_under_steady_growth_are_constant():
    """Remove a fixed season from 2% monthly growth: every model value is the same growth."""
    months = np.arange(60)
    season = np.log(1 + 0.3 * np.sin(2 * np.pi * months / 12))
    series = 100 * np.exp(0.02 * months + season)
    raw = np.diff(np.log(series) - np.resize(Scaler("log_deseasonal", series).season, 60))
    np.testing.assert_allclose(raw, 0.02, atol=1e-9)
    scaler = Scaler("log_deseasonal", series)
    assert scaler.to_series(0.0, series[:30]) == pytest.approx(series[30], rel=1e-6)


def test_transform_names_accept_one_or_a_combination():
    assert transform_names("zscore") == "zscore"
    assert transform_names("log_seasonal+log_deseasonal") == "log_seasonal+log_deseasonal"
    with pytest.raises(argparse.ArgumentTypeError, match="unknown transform 'log'"):
        transform_names("log")


def test_deseasonal_needs_two_years_to_fit():
    with pytest.raises(UserError, match="--transform log_deseasonal needs at least 24 training "
                                        "months, the series gives 23"):
        Scaler("log_deseasonal", np.linspace(10, 20, 23))
    assert Scaler("log_deseasonal", np.linspace(10, 20, 24)).season.shape == (12,)
