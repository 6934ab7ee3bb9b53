"""What a forecasting network sees of a monthly series: z-scored values, 12-month differences
(of the values or of their logs), the monthly change of the yearly growth, or the monthly
growth of the logs once their season is taken out; and back. Fitted on the training months
only. An ensemble may mix two of them ("a+b"), alternating over its members."""

from __future__ import annotations

import argparse

import numpy as np

from common.errors import UserError
from common.forecasting import seasonal_indices

SEASON = 12  # months

# Months at the start of the series without a model value, per transform.
OFFSETS = {"zscore": 0, "seasonal": SEASON, "log_seasonal": SEASON,
           "log_seasonal_change": SEASON + 1, "log_deseasonal": 1}


def member_transforms(config: dict) -> list[str]:
    """Each ensemble member's transform: "a+b" alternates a and b over the members (a
    combination of two kinds of forecaster), a single name is every member's."""
    transforms = config["transform"].split("+")
    return [transforms[member % len(transforms)] for member in range(config.get("ensemble", 1))]


def skipped_months(config: dict) -> int:
    """Leading months without a model value, for the member that loses the most."""
    return max(OFFSETS[transform] for transform in config["transform"].split("+"))


def fit_months(transform: str) -> int:
    """Months a Scaler needs to fit: two years for the seasonal indices of log_deseasonal,
    else one more than the months its transform skips."""
    return 2 * SEASON if transform == "log_deseasonal" else OFFSETS[transform] + 1


class Scaler:
    """Series <-> the values the network sees. Fitted on the training months only (the
    chapter z-scores with the whole series' mean and std, test months included: fixed)."""

    def __init__(self, transform: str, train: np.ndarray):
        self.transform = transform
        if len(train) < fit_months(transform):
            raise UserError(f"--transform {transform} needs at least {fit_months(transform)} "
                            f"training months, the series gives {len(train)}; use a longer "
                            "series or another --transform")
        if transform.startswith("log") and (train <= 0).any():
            raise UserError(f"--transform {transform} takes logarithms: the series must be "
                            "positive; use --transform zscore or seasonal (or --preset chapter) "
                            "for series with zeros or negative values")
        # Each calendar month's seasonal index of the logs, from the training months only.
        self.season = (seasonal_indices(np.log(train), SEASON)
                       if transform == "log_deseasonal" else np.zeros(SEASON))
        base = self._to_model(train, fitted=False)
        self.mean, self.std = float(base.mean()), float(base.std()) or 1.0

    def _to_model(self, series: np.ndarray, fitted: bool = True) -> np.ndarray:
        if self.transform.startswith("log_seasonal"):
            logs = np.log(series)
            values = logs[SEASON:] - logs[:-SEASON]  # this month vs the same month a year ago
            if self.transform == "log_seasonal_change":  # how that yearly growth changed
                values = values[1:] - values[:-1]
        elif self.transform == "log_deseasonal":  # monthly growth once the season is removed
            values = np.diff(np.log(series) - np.resize(self.season, len(series)))
        elif self.transform == "seasonal":
            values = series[SEASON:] - series[:-SEASON]  # growth over the same month a year ago
        else:
            values = np.asarray(series, dtype="float64")
        return (values - self.mean) / self.std if fitted else values

    def to_model(self, series: np.ndarray) -> np.ndarray:
        """Normalised model values; for log_seasonal, value i belongs to month i + 12."""
        return self._to_model(series).astype("float32")

    @property
    def offset(self) -> int:
        """How many leading months have no model value (the first year for log_seasonal)."""
        return OFFSETS[self.transform]

    def to_series(self, value: float, history: np.ndarray) -> float:
        """Undo the transform for the month right after `history` (in the series' unit)."""
        value = value * self.std + self.mean
        if self.transform == "log_seasonal":
            return float(np.exp(np.log(history[-SEASON]) + value))
        if self.transform == "log_seasonal_change":  # last month's yearly growth, changed
            growth = np.log(history[-1]) - np.log(history[-SEASON - 1])
            return float(np.exp(np.log(history[-SEASON]) + growth + value))
        if self.transform == "log_deseasonal":
            n = len(history)
            return float(np.exp(np.log(history[-1]) - self.season[(n - 1) % SEASON] + value
                                + self.season[n % SEASON]))
        if self.transform == "seasonal":
            return float(history[-SEASON] + value)
        return float(value)


def transform_names(text: str) -> str:
    """--transform: one of OFFSETS, or several joined by "+"."""
    unknown = [name for name in text.split("+") if name not in OFFSETS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown transform {unknown[0]!r}; choose from "
                                         f"{', '.join(OFFSETS)}, or two joined by +")
    return text


def member_scalers(config: dict, train: np.ndarray) -> list:
    """Each ensemble member's Scaler, fitted on the training months."""
    return [Scaler(transform, train) for transform in member_transforms(config)]
