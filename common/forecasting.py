"""What every forecaster here is scored and continued with: RMSE, MAE and MAPE of a one-step
and a free-running forecast, the naive baselines, their printed table, and the months past the
end of a series with the forecast's table; the check that a dated series is monthly, and the
other series a global forecaster trains on."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from common.errors import UserError
from common.runs import write_csv_rows


def panel_series(paths, load, needs: int, exclude=None, months=None,
                 first_unseen: int | None = None) -> dict[str, np.ndarray]:
    """The other series a global forecaster trains on, by file stem: `load(path)` -> (values,
    months or None) for each path but `exclude` (the series being forecast). A series that
    overlaps the forecast one in time keeps only its months before `months[first_unseen]`, the
    first month the forecast may not see (an undated series cannot be compared: nothing is
    cut); one left with fewer than `needs` values is left out."""
    series = {}
    for path in paths:
        if exclude is not None and path.resolve() == Path(exclude).resolve():
            continue
        values, dates = load(path)
        if (months is not None and dates is not None and first_unseen is not None
                and dates[0] <= months[-1]):
            values = values[dates < months[first_unseen]]
        if len(values) >= needs:
            series[path.stem] = values
    return series


def in_month_order(values: np.ndarray, months, source: str):
    """A dated series (`months`: a DatetimeIndex) in date order, with one value for every
    calendar month: the forecasters read month after month with a 12-month season. A file
    listing the newest month first is put in date order (returned: whether it was); a month
    missing or given twice (daily or weekly dates), or dates several months apart (quarterly,
    yearly), is a one-line error naming it."""
    if months is None:
        return values, months, False
    order = np.argsort(months.to_numpy(), kind="stable")
    reordered = bool((order != np.arange(len(order))).any())
    values, months = values[order], months[order]
    periods = months.to_period("M")
    steps = np.diff(periods.asi8)
    if (steps == 0).any():
        i = int(np.argmax(steps == 0))
        raise UserError(f"{source}: two values for {periods[i]} ({months[i]:%Y-%m-%d} and "
                        f"{months[i + 1]:%Y-%m-%d}); the forecaster reads one value per month: "
                        "pass monthly totals")
    if len(steps) > 1 and (steps == steps[0]).all() and steps[0] > 1:
        raise UserError(f"{source}: the dates are {steps[0]} months apart; the forecaster reads "
                        "one value per month with a 12-month season: pass a monthly series")
    if (steps > 1).any():
        i = int(np.argmax(steps > 1))
        raise UserError(f"{source}: no value for {periods[i] + 1} (between {periods[i]} and "
                        f"{periods[i + 1]}); add that month's value")
    return values, months, reordered


def errors(actual: np.ndarray, predicted: np.ndarray) -> dict:
    """RMSE and MAE (in the series' unit) and MAPE (%, the published tables' figure)."""
    return {"rmse": float(np.sqrt(np.mean((actual - predicted) ** 2))),
            "mae": float(np.mean(np.abs(actual - predicted))),
            "mape": float(100 * np.mean(np.abs(actual - predicted) / np.abs(actual)))}


def scores(actual: np.ndarray, one_step: np.ndarray, free_running: np.ndarray) -> dict:
    """Every error of both forecasts: rmse_one_step, ..., mape_free_running."""
    return {f"{name}_{kind}": value
            for kind, forecast in (("one_step", one_step), ("free_running", free_running))
            for name, value in errors(actual, forecast).items()}


def naive_baselines(train: np.ndarray, test: np.ndarray, season: int) -> dict:
    """Naive (last month) and seasonal naive (same month last season), one-step and
    free-running, scored on the test months."""
    series = np.concatenate([train, test])
    first, n = len(train), len(test)
    forecasts = {"naive": (series[first - 1:-1], np.full(n, train[-1])),
                 "seasonal_naive": (series[first - season:len(series) - season],
                                    np.resize(train[-season:], n))}
    return {name: scores(test, one, free) for name, (one, free) in forecasts.items()}


def print_scores(rows: dict[str, dict]) -> None:
    """One line per forecaster: RMSE, MAE and MAPE (%), one-step and free-running."""
    columns = [f"{name}_{kind}" for kind in ("one_step", "free_running")
               for name in ("rmse", "mae", "mape")]
    print(f"\n{'test months':<16}" + "".join(
        f"{c.split('_')[0].upper() + (' 1-step' if 'one' in c else ' free'):>12}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<16}" + "".join(f"{row[c]:>12.2f}" for c in columns))


def future_months(months, observed: int, count: int):
    """The `count` months after the `observed` ones: dates continuing the CSV's (1961-01
    after 1960-12), or month numbers when it has none."""
    if months is None:
        return np.arange(observed, observed + count)
    import pandas as pd

    return pd.date_range(months[-1] + pd.offsets.MonthBegin(1), periods=count, freq="MS")


def save_forecast(out_dir, series, months, members: np.ndarray, title: str, ylabel: str):
    """An ensemble's forecasts past the end of `series` (members: one row of months per
    network) as out_dir/forecast.csv (month label or index, the members' mean, the lowest and
    the highest member), printed as a table, and out_dir/forecast.png (the observed series,
    the forecast and the members' band). Returns (labels, forecast)."""
    from common import plotting

    forecast, lowest, highest = members.mean(axis=0), members.min(axis=0), members.max(axis=0)
    future = future_months(months, len(series), members.shape[1])
    labels = [f"{m:%Y-%m}" if months is not None else str(m) for m in future]
    label = "month" if months is not None else "index"
    rows = [[label, "forecast", "lowest_member", "highest_member"]]
    print(f"{label:<10}{'forecast':>12}{'lowest':>12}{'highest':>12}")
    for month, value, low, high in zip(labels, forecast, lowest, highest):
        rows.append([month, f"{value:.2f}", f"{low:.2f}", f"{high:.2f}"])
        print(f"{month:<10}{value:>12.2f}{low:>12.2f}{high:>12.2f}")
    write_csv_rows(out_dir / "forecast.csv", rows)
    plotting.plot_forecast(out_dir / "forecast.png",
                           months if months is not None else np.arange(len(series)), series,
                           future, forecast, lowest, highest, title=title, ylabel=ylabel)
    return labels, forecast


def seasonal_indices(values: np.ndarray, period: int) -> np.ndarray:
    """Classical additive decomposition's seasonal index of each position modulo `period`:
    the mean gap between the values and their centred moving average (2 x `period` for an
    even period), the indices shifted to sum to zero. Position 0 is values[0]'s."""
    values = np.asarray(values, dtype="float64")
    weights = np.ones(period + 1 - period % 2)
    if period % 2 == 0:
        weights[[0, -1]] = 0.5
    half = len(weights) // 2
    if len(values) < len(weights) + period - 1:
        raise ValueError(f"{len(values)} values: too few for seasonal indices of period {period}")
    trend = np.convolve(values, weights / period, mode="valid")  # values[half:-half]'s
    gaps = values[half:len(values) - half] - trend
    positions = np.arange(half, len(values) - half) % period
    indices = np.array([gaps[positions == p].mean() for p in range(period)])
    return indices - indices.mean()
