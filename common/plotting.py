"""PNG plots with matplotlib's Agg backend: no window ever opens, so scripts run headless."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

import numpy as np

from common.lazy import LazyModule

matplotlib.use("Agg")  # files only: no window ever opens
plt = LazyModule("matplotlib.pyplot")  # loaded on the first plot

# The chapter's line styles: training dashed black, evaluation solid red.
STYLES = ("k--", "r-", "b-.", "g:")


def plot_lines(path: Path, lines: dict[str, tuple[Sequence[float], Sequence[float]]],
               title: str, xlabel: str, ylabel: str, styles: Sequence[str] = STYLES) -> Path:
    """One line per entry of `lines` (label -> (x values, y values)), saved as a PNG."""
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for (label, (xs, ys)), style in zip(lines.items(), styles):
        axes.plot(list(xs), list(ys), style, label=label)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    return _save(figure, axes, path, title, legend="best")


def plot_curves(path: Path, series: dict[str, Sequence[float]], title: str, ylabel: str,
                xlabel: str = "Epochs", x: Sequence[float] | None = None) -> Path:
    """Curves sharing one x axis (default 1..n), e.g. training vs evaluation per epoch."""
    lines = {label: (list(x if x is not None else range(1, len(values) + 1))[:len(values)], values)
             for label, values in series.items()}
    return plot_lines(path, lines, title=title, xlabel=xlabel, ylabel=ylabel)


def plot_confusion_matrix(path: Path, matrix, labels: Sequence[str], title: str) -> Path:
    """Counts with row-normalised percentages in each cell; true classes down, predicted across."""
    import numpy as np

    matrix = np.asarray(matrix)
    percent = 100 * matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(8, 7))
    image = axes.imshow(percent, cmap="Blues", vmin=0, vmax=100)
    figure.colorbar(image, ax=axes, label="% of the true class")
    for row in range(matrix.shape[0]):
        for column in range(matrix.shape[1]):
            colour = "white" if percent[row, column] > 60 else "black"
            axes.text(column, row, f"{matrix[row, column]}\n{percent[row, column]:.1f}%",
                      ha="center", va="center", color=colour, fontsize=8)
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("Predicted label")
    axes.set_ylabel("True label")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)


def plot_timeline(path: Path, seconds: Sequence[float], lines: dict[str, Sequence[int]],
                  labels: Sequence[str], title: str,
                  gaps: Sequence[tuple[float, float]] = ()) -> Path:
    """Which of `labels` each window was, over time: one step line per entry of `lines`
    (e.g. predicted and true), label indices on the y axis; `gaps` (from, to) shaded grey,
    the lines broken there."""
    figure, axes = plt.subplots(figsize=(10, 4))
    # a step line holds each value until the next point: a NaN at each pause's start ends it,
    # and the last value is held for one usual step
    seconds = np.asarray(seconds, dtype="float64")
    step = float(np.median(np.diff(seconds))) if len(seconds) > 1 else 1.0
    starts = [start for start, _ in gaps]
    breaks = np.searchsorted(seconds, starts)
    times = np.append(np.insert(seconds, breaks, starts), seconds[-1] + step)
    for (name, values), style in zip(lines.items(), ("b-", "r--")):
        values = np.insert(np.asarray(values, dtype="float64"), breaks, np.nan)
        values = np.append(values, values[-1])
        axes.step(times, values, style, where="post", label=name, linewidth=1.5)
    for start, end in gaps:
        axes.axvspan(start, end, color="0.85", zorder=0, label="no readings" if start == starts[0]
                     else None)
    axes.set_yticks(range(len(labels)), labels)
    axes.set_ylim(-0.5, len(labels) - 0.5)
    axes.set_xlabel("Time (s)")
    return _save(figure, axes, path, title, legend="best")


def plot_forecast(path: Path, history_x, history, future_x, forecast, low, high, title: str,
                  ylabel: str) -> Path:
    """The observed series, the forecast after it and the band between the lowest and the
    highest ensemble member."""
    figure, axes = plt.subplots(figsize=(9, 4.5))
    axes.plot(list(history_x), list(history), "b-", label="observed")
    axes.plot(list(future_x), list(forecast), "r-", label="forecast")
    if not np.allclose(low, high):
        axes.fill_between(list(future_x), list(low), list(high), color="r", alpha=0.2,
                          label="lowest to highest member")
    axes.set_ylabel(ylabel)
    return _save(figure, axes, path, title, legend="upper left")


def _save(figure, axes, path: Path, title: str, legend: str) -> Path:
    """Title, grid and legend, then the PNG; the figure is closed (no window, no leak)."""
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc=legend)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)
