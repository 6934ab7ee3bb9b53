"""One PNG per example from a results JSON: the chapter's printed figure, the chapter preset,
the best preset and each baseline on one axis per headline metric, every seed a dot and the
mean a bar, with the better direction written on the axis."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from benchmarks.baselines import CHAPTER_FIGURES
from benchmarks.report import HEADLINE, METRICS, TITLES, lower_is_better
from common.plotting import plt


def direction(key: str) -> str:
    return "lower is better" if lower_is_better(key) else "higher is better"


def chapter_value(example: str) -> float | None:
    """The chapter's printed figure as a fraction ("96.2% accuracy" -> 0.962), or None."""
    found = re.match(r"\s*([0-9.]+)%", CHAPTER_FIGURES.get(example, ""))
    return float(found.group(1)) / 100 if found else None


def rows_for(results: dict, example: str, key: str) -> list[tuple[str, list[float]]]:
    """(label, values over seeds) for the presets, then each baseline on the best preset's
    seeds (its splits; all of the baseline's seeds when there is no best preset run)."""
    rows, best_seeds = [], set()
    for preset in ("chapter", "best"):
        runs = [r for r in results.get("runs", [])
                if r["example"] == example and r["preset"] == preset and r["status"] == "ok"
                and r["metrics"].get(key) is not None]
        if runs:
            rows.append((f"{preset} preset", [r["metrics"][key] for r in runs]))
        if preset == "best":
            best_seeds = {r["seed"] for r in runs}
    baselines: dict[str, list[float]] = {}
    for row in results.get("baselines", []):
        if (row["example"] == example and row["metrics"].get(key) is not None
                and (not best_seeds or row["seed"] in best_seeds)):
            baselines.setdefault(row.get("short", row["label"]), []).append(row["metrics"][key])
    return rows + list(baselines.items())


def render_example(results: dict, example: str, path: Path) -> Path | None:
    panels_rows = {key: rows for key in HEADLINE[example]
                   if (rows := rows_for(results, example, key))}
    if not panels_rows:
        return None
    chapter = chapter_value(example)
    figure, panels = plt.subplots(1, len(panels_rows), figsize=(7 * len(panels_rows), 4.4),
                                  squeeze=False)
    for axes, (key, rows) in zip(panels[0], panels_rows.items()):
        title, kind = next((title, kind) for name, title, kind in METRICS[example] if name == key)
        scale = 100 if kind == "pct" else 1
        if chapter is not None and key == "test_accuracy":
            rows.insert(0, ("the chapter (book)", [chapter]))
        for y, (label, values) in enumerate(rows):
            values = [v * scale for v in values]
            axes.barh(y, statistics.mean(values), color="tab:red" if "best" in label else
                      "tab:gray" if "preset" in label or "chapter" in label else "tab:blue",
                      alpha=0.35)
            axes.plot(values, [y] * len(values), "ko", markersize=4)
        axes.set_yticks(range(len(rows)), [label for label, _ in rows])
        axes.invert_yaxis()
        low = min(v * scale for _, values in rows for v in values)
        high = max(v * scale for _, values in rows for v in values)
        margin = (high - low) * 0.15 or 1
        axes.set_xlim(max(0, low - margin) if kind == "pct" else 0, high + margin)
        axes.set_xlabel(f"{title}{' (%)' if kind == 'pct' else ''}: {direction(key)}")
        axes.grid(alpha=0.3, axis="x")
    figure.suptitle(f"{TITLES[example]}\nbars: means over the seeds, dots: one seed each "
                    "(baselines: the best preset's seeds)", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)


def render(results: dict, results_dir: Path, name: str) -> list[Path]:
    """results_dir/<name>-<example>.png for every example in the results."""
    examples = dict.fromkeys(r["example"] for r in [*results.get("runs", []),
                                                    *results.get("baselines", [])])
    written = [render_example(results, example, Path(results_dir) / f"{name}-{example}.png")
               for example in examples]
    return [path for path in written if path is not None]
