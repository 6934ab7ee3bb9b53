"""PNG plots with matplotlib's Agg backend: no window ever opens, so scripts run headless."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# The chapter's line styles: training dashed black, evaluation solid red.
STYLES = ("k--", "r-", "b-.", "g:")


def plot_lines(path: Path, lines: dict[str, tuple[Sequence[float], Sequence[float]]],
               title: str, xlabel: str, ylabel: str, styles: Sequence[str] = STYLES) -> Path:
    """One line per entry of `lines` (label -> (x values, y values)), saved as a PNG."""
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for (label, (xs, ys)), style in zip(lines.items(), styles):
        axes.plot(list(xs), list(ys), style, label=label)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.legend(loc="best")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)


def plot_curves(path: Path, series: dict[str, Sequence[float]], title: str, ylabel: str,
                xlabel: str = "Epochs", x: Sequence[float] | None = None) -> Path:
    """Curves sharing one x axis (default 1..n), e.g. training vs evaluation per epoch."""
    lines = {label: (list(x if x is not None else range(1, len(values) + 1))[:len(values)], values)
             for label, values in series.items()}
    return plot_lines(path, lines, title=title, xlabel=xlabel, ylabel=ylabel)
