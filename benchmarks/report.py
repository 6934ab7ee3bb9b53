"""Markdown tables from a results JSON: mean +- sample standard deviation over seeds, each
example's figure next to its baselines (same splits) and the chapter's published figure."""

from __future__ import annotations

import statistics

from benchmarks.baselines import CHAPTER_FIGURES, PER_SEED

# Per example: (metric key, column title, format) - the first is the headline figure.
METRICS = {
    "spam": [("test_accuracy", "test accuracy", "pct"), ("spam_f1", "spam F1", "f3")],
    "airline": [("rmse_one_step", "RMSE one-step", "f2"),
                ("rmse_free_running", "RMSE free-running", "f2"),
                ("mae_one_step", "MAE one-step", "f2"), ("mae_free_running", "MAE free-running", "f2"),
                ("mape_one_step", "MAPE % one-step", "f2"),
                ("mape_free_running", "MAPE % free-running", "f2")],
    "sentiment": [("test_accuracy", "test accuracy", "pct")],
    "har": [("test_accuracy", "test accuracy", "pct"), ("f1_weighted", "weighted F1", "pct")],
}
TITLES = {"spam": "spam_rnn.py (SMS Spam Collection, 25% test split)",
          "airline": "airline_lstm.py (36 test months, thousands of passengers)",
          "sentiment": "sentiment_lstm.py (UMICH SI650, 20% stratified test split)",
          "har": "har_lstm.py (UCI HAR, 2947 test windows of 9 unseen subjects)"}
HEADLINE = {"spam": ["test_accuracy"], "airline": ["rmse_one_step", "rmse_free_running"],
            "sentiment": ["test_accuracy"], "har": ["test_accuracy"]}
LOWER_IS_BETTER = ("rmse", "mae", "mape")


def lower_is_better(key: str) -> bool:
    return key.startswith(LOWER_IS_BETTER)


# Per kind of figure: (scale, unit, digits).
FORMATS = {"pct": (100, "%", 2), "f3": (1, "", 3), "f2": (1, "", 2), "f1": (1, "", 1),
           "f0": (1, "", 0)}


def mean_std(values: list[float], kind: str) -> str:
    scale, unit, digits = FORMATS[kind]
    values = [v * scale for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit}"
    return f"{statistics.mean(values):.{digits}f} +- {statistics.stdev(values):.{digits}f}{unit}"


def spread(values: list[float], kind: str) -> str:
    """What a single run may show: the lowest and the highest value over the seeds."""
    scale, unit, digits = FORMATS[kind]
    values = [v * scale for v in values if v is not None]
    if len(values) < 2:
        return "-"
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}{unit}"


def seed_ranges(seeds: list[int]) -> str:
    """[0, 1, 2, 3, 42, 100] -> "0-3, 42, 100"."""
    parts, ordered = [], sorted(set(seeds))
    for seed in ordered:
        if parts and seed == parts[-1][1] + 1:
            parts[-1][1] = seed
        else:
            parts.append([seed, seed])
    return ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in parts)


def _kind(example: str, key: str) -> str:
    return next(kind for name, _, kind in METRICS[example] if name == key)


def _headline(example: str, rows: list[dict], describe=mean_std) -> str:
    return " / ".join(describe([r[key] for r in rows if key in r], _kind(example, key))
                      for key in HEADLINE[example])


def _runs_cell(runs: list[dict]) -> str:
    ok = [r for r in runs if r["status"] == "ok"]
    cell = f"{len(ok)}/{len(runs)}"
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        cell += " (FAILED: " + ", ".join(f"seed {r['seed']}: {r.get('error', '?')}" for r in failed) + ")"
    return cell


def _group(results: dict, example: str):
    runs = [r for r in results.get("runs", []) if r["example"] == example]
    presets = list(dict.fromkeys(r["preset"] for r in runs))
    baselines: dict[str, list[dict]] = {}
    for row in results.get("baselines", []):
        if row["example"] == example:
            baselines.setdefault(row["name"], []).append(row)
    return runs, presets, baselines


def _baseline_cell(example: str, rows: list[dict]) -> str:
    if rows[0]["name"] == "failed":
        return "baselines FAILED: " + "; ".join(r.get("error", "?") for r in rows)
    return f"{rows[0].get('short', rows[0]['label'])}: {_headline(example, [r['metrics'] for r in rows])}"


def steady_speed(run: dict) -> tuple[float | None, float | None]:
    """(seconds per epoch, training samples per second) in the steady state: the median
    epoch after the first, which also traces the graph. Falls back to the plain mean."""
    metrics, epochs = run.get("metrics", {}), run.get("epochs")
    steady = metrics.get("steady_seconds_per_epoch")
    if steady and metrics.get("samples_seen") and epochs:
        return steady, metrics["samples_seen"] / epochs / steady
    return run.get("seconds_per_epoch"), run.get("samples_per_second")


def summary_table(results: dict) -> list[str]:
    lines = ["| example | preset | runs ok | headline figure | single runs (min-max) | "
             "baselines, same splits | chapter's figure | s/epoch (steady) | "
             "train samples/s (steady) | wall s/run | peak RSS MB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for example in METRICS:
        runs, presets, baselines = _group(results, example)
        base = "; ".join(_baseline_cell(example, rows) for rows in baselines.values()) or "-"
        for preset in presets:
            mine = [r for r in runs if r["preset"] == preset]
            ok = [r for r in mine if r["status"] == "ok"]
            lines.append(
                f"| {example} | {preset} | {_runs_cell(mine)} | "
                f"{_headline(example, [r['metrics'] for r in ok])} | "
                f"{_headline(example, [r['metrics'] for r in ok], spread)} | {base} | "
                f"{CHAPTER_FIGURES[example]} | "
                f"{mean_std([steady_speed(r)[0] for r in ok], 'f3')} | "
                f"{mean_std([steady_speed(r)[1] for r in ok], 'f0')} | "
                f"{mean_std([r['wall_seconds'] for r in ok], 'f1')} | "
                f"{mean_std([r.get('peak_rss_mb') for r in ok], 'f0')} |")
    return lines


def _best_baselines(example: str, baselines: dict[str, list[dict]], seeds: set[int]) -> str:
    """The strongest baseline on each headline figure (by its mean over `seeds`, the best
    preset's), with that figure."""
    best = []
    for key in HEADLINE[example]:
        scored = [(statistics.mean(values), rows[0].get("short", rows[0]["label"]), values)
                  for rows in baselines.values() if rows[0]["name"] != "failed"
                  if (values := [r["metrics"][key] for r in rows if key in r["metrics"]
                                 and (r["seed"] in seeds or not PER_SEED[example])])]
        if scored:
            _, name, values = (min if lower_is_better(key) else max)(scored)
            best.append((name, mean_std(values, _kind(example, key))))
    if len({name for name, _ in best}) == 1:
        return f"{best[0][0]}: " + " / ".join(cell for _, cell in best)
    return " / ".join(f"{name}: {cell}" for name, cell in best) or "-"


def compact_table(results: dict) -> list[str]:
    """One row per example: each preset's headline figure (mean +- std, the range single runs
    show, the seeds), the strongest baseline on the best preset's splits, the wall time per
    run."""
    lines = ["| example | the book | chapter preset | best preset | strongest baseline, the best "
             "preset's splits | wall time per run |", "| --- | --- | --- | --- | --- | --- |"]
    for example in METRICS:
        runs, presets, baselines = _group(results, example)
        if not runs:
            continue
        cells, walls = {}, []
        for preset in ("chapter", "best"):
            ok = [r for r in runs if r["preset"] == preset and r["status"] == "ok"]
            if not ok:
                cells[preset] = "-"
                continue
            metrics = [r["metrics"] for r in ok]
            seeds = seed_ranges([r["seed"] for r in ok])
            cells[preset] = (f"{_headline(example, metrics)} (single runs "
                             f"{_headline(example, metrics, spread)}; seeds {seeds})")
            seconds = [r["wall_seconds"] for r in ok]
            walls.append(f"{preset} {min(seconds):.0f}-{max(seconds):.0f} s")
        compared = {r["seed"] for r in runs if r["preset"] == "best"} or {r["seed"] for r in runs}
        lines.append(f"| {example} | {CHAPTER_FIGURES[example]} | {cells['chapter']} | "
                     f"{cells['best']} | {_best_baselines(example, baselines, compared)} | "
                     f"{', '.join(walls)} |")
    return lines


def example_table(results: dict, example: str) -> list[str]:
    runs, presets, baselines = _group(results, example)
    if not runs and not baselines:
        return []
    columns = METRICS[example]
    lines = [f"### {TITLES[example]}", "",
             "| model | seeds | " + " | ".join(title for _, title, _ in columns) + " | epochs |",
             "| --- | --- | " + " | ".join("---" for _ in columns) + " | --- |"]
    for preset in presets:
        mine = [r for r in runs if r["preset"] == preset]
        ok = [r["metrics"] for r in mine if r["status"] == "ok"]
        epochs = [r.get("epochs") for r in mine if r["status"] == "ok"]
        lines.append(f"| {preset} preset | {', '.join(str(r['seed']) for r in mine)} "
                     f"({_runs_cell(mine)} ok) | "
                     + " | ".join(mean_std([m.get(key) for m in ok], kind) for key, _, kind in columns)
                     + f" | {mean_std(epochs, 'f1')} |")
    for rows in baselines.values():
        seeds = ", ".join(str(r["seed"]) for r in rows) if PER_SEED[example] else "any"
        lines.append(f"| {rows[0]['label']} | {seeds} | "
                     + " | ".join(mean_std([r["metrics"].get(key) for r in rows], kind)
                                  for key, _, kind in columns) + " | - |")
    lines.append(f"| the chapter (book) | - | {CHAPTER_FIGURES[example]} |"
                 + " |" * len(columns))
    return lines + [""]


def _libraries(machine: dict) -> str:
    """The header's list of baseline library versions (" Libraries: numpy 2.4.6, ..."), empty
    for results written before they were recorded."""
    versions = machine.get("libraries") or {}
    listed = ", ".join(f"{name} {version}" for name, version in versions.items())
    return f" Libraries: {listed}." if listed else ""


def render(results: dict) -> str:
    machine = results["machine"]
    lines = ["# Benchmark results", "",
             f"Machine: {machine['description']}; Python {machine['python']}, TensorFlow "
             f"{machine['tensorflow']}, Keras {machine['keras']}; commit {machine['commit']}."
             + _libraries(machine),
             f"Commands: {'; '.join(f'`{c}`' for c in results.get('commands', []))}.",
             f"Total harness time: {results.get('total_seconds', 0) / 60:.1f} min. Figures are "
             "mean +- sample standard deviation over the seeds; a seed draws the data split "
             "(spam, sentiment) and the initialisation. Wall time is the whole script, start-up "
             "included; s/epoch and samples/s count training only (validation included), steady "
             "state: the median epoch after the first, which also traces the graph. Airline "
             "epochs are 100 full-batch steps, sentiment epochs 100 steps of 100 sentences.", "",
             *compact_table(results), "", *summary_table(results), ""]
    for example in METRICS:
        lines += example_table(results, example)
    return "\n".join(lines) + "\n"


def main(argv=None):
    """`python -m benchmarks.report RESULTS.json`: write RESULTS.md again from the JSON."""
    import json
    import sys
    from pathlib import Path

    for name in (argv if argv is not None else sys.argv[1:]):
        path = Path(name)
        path.with_suffix(".md").write_text(render(json.loads(path.read_text())))
        print(f"wrote {path.with_suffix('.md')}")


if __name__ == "__main__":
    main()
