"""Rolling-origin evaluation splits for forecasters: each origin's model sees only the
months before it and is scored on the `horizon` months after it."""

from __future__ import annotations


def rolling_origins(length: int, horizon: int, count: int, min_train: int) -> list[int]:
    """`count` forecast origins (the number of months a model may see), the last one's
    horizon ending with the series, each `horizon` months after the previous; origins that
    would leave fewer than `min_train` months to train on are dropped."""
    origins = [length - horizon * k for k in range(count, 0, -1)]
    return [origin for origin in origins if origin >= min_train]


def split_at(series, origin: int, horizon: int):
    """The months a model at `origin` may see, and the `horizon` months it forecasts."""
    if not 0 < origin < len(series):
        raise ValueError(f"origin {origin} outside a series of {len(series)} months")
    return series[:origin], series[origin:origin + horizon]
