"""How airline_lstm.py's best preset is chosen, without the airline test months: rolling-origin
backtests inside the airline training months (1949-1957) and on a panel of other monthly
series with trend and seasonality (data/panel/, see data/README.md), scored by MAPE so that
series of any scale average.

    python -m benchmarks.airline_selection                      # every candidate, seed 0
    python -m benchmarks.airline_selection --candidates one_month,direct12 --seeds 2
    python -m benchmarks.airline_selection --long-backtest --seeds 5   # 36 months ahead
    python -m benchmarks.airline_selection --classical-only [--long-backtest]  # references
    python -m benchmarks.airline_selection --candidates direct12 --first-seed 1 \
        --output benchmarks/results/<date>-airline-selection-seed1.json

Writes benchmarks/results/<date>-airline-selection.json (after each candidate; candidates
scored before stay in it) and prints one row per candidate: mean MAPE one-step and
free-running over the backtest and over the panel, and seconds per fit. The preset is the candidate with the lowest mean of those four. Seasonal naive, Holt-Winters and SARIMA
(benchmarks/baselines.py) are scored on the same origins first, for reference.

--long-backtest scores the best preset and the classical forecasters 36 months ahead (the
test's horizon) from two origins inside the training months instead: not a way to choose, a
check of how far the test years' free-running figures speak for the preset."""

from __future__ import annotations

import argparse
import contextlib
import time
from unittest import mock
from pathlib import Path
from typing import Sequence

import numpy as np

from benchmarks.harness import (candidate_config, checks_on_averaged_weights, load_selection,
                                quiet_run, save_selection, selection_parser)
from common import cli, forecasting
from common.rolling import rolling_origins, split_at

ROOT = Path(__file__).resolve().parent.parent
PANEL = sorted((ROOT / "data" / "panel").glob("*.csv"))
AIRLINE_TRAIN_MONTHS = 108  # the script's 75%: the test months are never read here
LONG_ORIGINS, LONG_HORIZON = (60, 72), 36  # 1954-1956 and 1955-1957, each from the years before


def candidates() -> dict[str, dict]:
    import airline_lstm

    # The first best preset (one month at a time, full batches, patience 3, this series
    # only, yearly growth of the logs); "direct12" was the next one, then
    # "direct12_panel_b256_patience10", then "combined_panel_b256_patience10";
    # "combined_huber", then "combined_huber_patience5" (the preset now).
    best = dict(airline_lstm.PRESETS["best"], horizon=1, batch_size="full", patience=3,
                other_series="none", transform="log_seasonal", loss="mse")
    panel = dict(best, horizon=12, other_series="panel", batch_size=256)
    combined = dict(panel, patience=10, transform="log_seasonal+log_deseasonal")
    return {
        "one_month": dict(best),
        "patience10": dict(best, patience=10),
        "fixed10": dict(best, epochs=10, patience=0, restore_best_weights=False),
        "fixed10_lr1e-3": dict(best, epochs=10, patience=0, restore_best_weights=False,
                               learning_rate=0.001),
        "fixed10_seq13": dict(best, epochs=10, patience=0, restore_best_weights=False,
                              seq_size=13),
        "fixed20_h32": dict(best, epochs=20, patience=0, restore_best_weights=False,
                            hidden_dim=32, learning_rate=0.001),
        "change": dict(best, transform="log_seasonal_change"),
        "change_fixed10": dict(best, transform="log_seasonal_change", epochs=10, patience=0,
                               restore_best_weights=False),
        "change_seq13": dict(best, transform="log_seasonal_change", seq_size=13),
        # Direct multi-horizon: each network forecasts the next months at once.
        "direct12": dict(best, horizon=12),
        "direct12_patience10": dict(best, horizon=12, patience=10),
        "direct6": dict(best, horizon=6),
        "direct12_seq12": dict(best, horizon=12, seq_size=12),
        # One global network: also trained on the other panel series (cut at the origin
        # where they overlap it in time).
        "direct12_panel": dict(best, horizon=12, other_series="panel"),
        "direct12_panel_b256": dict(panel),
        "direct12_panel_b256_h32": dict(panel, hidden_dim=32),
        "direct12_panel_b256_patience10": dict(panel, patience=10),
        "direct12_panel_b256_weight10": dict(panel, series_weight=10),
        # A fixed budget instead of early stopping on the one validation window.
        "direct12_panel_b256_fixed3": dict(panel, epochs=3, patience=0,
                                           restore_best_weights=False),
        "direct12_panel_b256_fixed6": dict(panel, epochs=6, patience=0,
                                           restore_best_weights=False),
        "direct12_panel_b256_patience10_lr1e-3": dict(panel, patience=10, learning_rate=0.001),
        # The season taken out first (classical decomposition of the seen months' logs),
        # the network modelling the monthly growth that remains.
        "deseasonal_panel_b256_patience10": dict(panel, patience=10, transform="log_deseasonal"),
        # A combination of the two kinds: members alternate the transforms (3 + 2 of 5),
        # the forecast is the mean of the members' forecasts.
        "combined_panel_b256_patience10": dict(combined),
        # Drawn up after the combined preset's test figures were known (tainted, said so in
        # the README): more deseasonal members, one more member, a three-year window.
        # Seed 0: 3.58, 3.55, 3.57 against 3.56; the 0.01 of six members, on one seed and
        # for a third more time, did not change the preset.
        "combined_deseasonal_first": dict(combined, transform="log_deseasonal+log_seasonal"),
        "combined_x6": dict(combined, ensemble=6),
        "combined_seq36": dict(combined, seq_size=36),
        # Also after the test figures: early stopping on every series' last training year
        # (6 windows instead of the forecast series' one), so that members stop on more
        # than one window; a third kind of member on the passengers' scale rather than the
        # logs (the yearly differences themselves), 2 of each kind. Seed 0: 3.62 and 3.77.
        "combined_validate_all_series": dict(combined, validate_on="all_series"),
        "combined3_x6": dict(combined, transform="log_seasonal+log_deseasonal+seasonal",
                             ensemble=6),
        # Also after the test figures, a diagnostic of "the members stop at the first check":
        # a check every 20 steps instead of 100 (the same 1000 steps of patience), to see
        # whether the best weights come before step 100, at it, or after it.
        "combined_checks20": dict(combined, steps_per_check=20, epochs=300, patience=50),
        # 2026-11-29 (later session), also after the test figures: the preset's networks
        # trained with a Huber loss (robust to the panel's odd months), or with Gaussian
        # noise on their input windows (a regulariser for ~1300 short windows). Seeds 0-1:
        # the Huber loss was adopted (--loss huber); the noise lives here (variant_model).
        "combined_huber": dict(combined, loss="huber"),
        "combined_noise0.1": dict(combined, input_noise=0.1),
        # 2026-11-29 (second session), after the test figures: the Huber preset at a third of
        # the learning rate, for members that settle more slowly. Seed 0: 3.65 against 3.52.
        "combined_huber_lr1e-3": dict(combined, loss="huber", learning_rate=0.001),
        # 2026-11-29 (third session), after the test figures: further along the direction that
        # helped, the Huber loss linear from 0.5 instead of 1 (variant_model). Seed 0: 3.56.
        "combined_huber_delta0.5": dict(combined, loss="huber", huber_delta=0.5),
        # 2026-12-07 (after the test figures): Adam keeps a moving average of the weights over
        # about the last 100 steps (use_ema), and early stopping checks and restores the
        # averaged weights, against the noise of validating on one window (variant_model).
        # Seed 0: 3.60 against 3.52.
        "combined_huber_ema0.99": dict(combined, loss="huber", ema_momentum=0.99),
        # 2026-12-07 (sixth session, after the test figures), for the minute a run:
        # the yearly-growth members stop at their first check and then wait out 10 more; the
        # preset with a patience of 5 checks. Rule set first: adopt at 3.54 or less on seed 0
        # (the preset + 0.02) in at most 0.85 times its seconds a fit, then 3.64 or less on
        # seed 1. Seed 0: 3.50 in 40 s a fit (the preset that day 3.59, 62 s); seed 1: 3.60
        # (3.63). Adopted: now the preset.
        "combined_huber_patience5": dict(combined, loss="huber", patience=5),
    }


def variant_model(build_model):
    """build_model, with a candidate's "input_noise" (the standard deviation of Gaussian
    noise added to the input windows while training), "huber_delta" (where the Huber loss
    turns from squared to linear; Keras' default 1) or "ema_momentum" (Adam keeps a moving
    average of the weights) applied."""
    from common.lazy import keras, layers

    def build(config: dict):
        model = build_model(config)
        if config.get("huber_delta"):
            model.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]),
                          loss=keras.losses.Huber(delta=config["huber_delta"]))
        if config.get("ema_momentum"):  # checked on the averaged weights (evaluate)
            model.compile(optimizer=keras.optimizers.Adam(
                config["learning_rate"], use_ema=True, ema_momentum=config["ema_momentum"]),
                loss=model.loss)
        if not config.get("input_noise"):
            return model
        inputs = keras.Input(shape=model.input_shape[1:], name="window")
        noisy = layers.GaussianNoise(config["input_noise"])(inputs)
        wrapped = keras.Model(inputs, model(noisy), name="airline_lstm_noisy")
        wrapped.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]),
                        loss=model.loss)  # the candidate's own loss
        return wrapped

    return build


def airline_training_months():
    """The airline months 1949-1957 (values, months, path): the script's training part."""
    import airline_lstm

    path = ROOT / "data" / "airline-passengers.csv"
    values, months = airline_lstm.series_and_months(path, "1")
    return values[:AIRLINE_TRAIN_MONTHS], months[:AIRLINE_TRAIN_MONTHS], path


def series_and_origins() -> list[tuple]:
    """(group, name, series, origins, horizon, path, months): two yearly origins inside the
    airline training months; two 24-month origins at the end of each panel series."""
    import airline_lstm

    values, months, path = airline_training_months()
    cases = [("backtest", "airline 1949-1957", values,
              rolling_origins(len(values), 12, 2, min_train=60), 12, path, months)]
    for path in PANEL:
        values, months = airline_lstm.series_and_months(path, "Value")
        cases.append(("panel", path.stem, values, rolling_origins(len(values), 24, 2, 60), 24,
                      path, months))
    return cases


def evaluate(config: dict, series: np.ndarray, origin: int, horizon: int, seed: int,
             path: Path | None = None, months=None) -> dict:
    """Train on the months before `origin` only (and, for a candidate with other series,
    the other panel series, those overlapping in time cut at the origin's month), then
    forecast the next `horizon` months one step ahead (from the true months) and
    free-running (from the last seen window)."""
    import airline_lstm

    seen, future = split_at(series, origin, horizon)
    config = candidate_config(config, seed)
    scalers = airline_lstm.member_scalers(config, seen)
    others = airline_lstm.other_series_windows(config, path, months, first_unseen=origin)
    start = time.perf_counter()
    steps = config.get("steps_per_check", airline_lstm.STEPS_PER_EPOCH)
    averaged = (checks_on_averaged_weights() if config.get("ema_momentum")
                else contextlib.nullcontext())
    with quiet_run("airline", config) as run, averaged, \
            mock.patch.object(airline_lstm, "STEPS_PER_EPOCH", steps), \
            mock.patch.object(airline_lstm, "build_model", variant_model(airline_lstm.build_model)):
        models = airline_lstm.train_ensemble(seen, config, run, others)
        # Each member's check with the lowest validation loss, and its training step.
        checks = [int(np.argmin(state.history["val_loss"])) + 1 for state in run.states]
    seconds = time.perf_counter() - start
    upto = series[:origin + horizon]
    one = airline_lstm.forecast_one_step(models, scalers, upto, horizon, config["seq_size"])
    free = airline_lstm.forecast_free_running(models, scalers, seen, horizon, config["seq_size"])
    return {**forecasting.scores(future, one, free), "seconds": seconds, "checks": checks,
            "best_steps": [check * steps for check in checks]}


def classical(name: str, seen: np.ndarray, future: np.ndarray) -> dict:
    """A classical forecaster on the same origin, for reference (never a candidate)."""
    import warnings

    import airline_lstm
    from benchmarks import baselines

    start = time.perf_counter()
    with warnings.catch_warnings():  # statsmodels' convergence chatter on short series
        warnings.simplefilter("ignore")
        if name == "seasonal_naive":
            scored = forecasting.naive_baselines(seen, future,
                                                 airline_lstm.SEASON)["seasonal_naive"]
        else:
            scored = {"holt_winters": baselines.holt_winters, "sarima": baselines.sarima,
                      "auto_arima": baselines.auto_arima}[name](seen, future)
    return {**scored, "seconds": time.perf_counter() - start}


CLASSICAL = ("seasonal_naive", "holt_winters", "sarima", "auto_arima")


def summarise(name: str, rows: list[dict]) -> dict:
    """Mean MAPE one-step and free-running over the backtest and over the panel, their mean
    (the rule: lowest wins), seconds per fit; printed as one row."""
    summary = {}
    for group in ("backtest", "panel"):
        mine = [r for r in rows if r["group"] == group]
        for key in ("mape_one_step", "mape_free_running"):
            summary[f"{group}_{key}"] = float(np.mean([r[key] for r in mine]))
    summary["overall_mape"] = float(np.mean([summary[k] for k in summary]))
    summary["seconds_per_fit"] = float(np.mean([r["seconds"] for r in rows]))
    print(f"{name:<16} backtest MAPE 1-step {summary['backtest_mape_one_step']:6.2f} free "
          f"{summary['backtest_mape_free_running']:6.2f} | panel 1-step "
          f"{summary['panel_mape_one_step']:6.2f} free {summary['panel_mape_free_running']:6.2f}"
          f" | mean {summary['overall_mape']:6.2f} | {summary['seconds_per_fit']:5.1f} s/fit",
          flush=True)
    return summary


def long_backtest(args: argparse.Namespace) -> dict:
    """The best preset (seeds 0..N-1) and the classical forecasters, 36 months ahead from
    each of LONG_ORIGINS; one printed row per forecaster and origin (means over seeds), all
    rows under "long_backtest" in the selection JSON."""
    import airline_lstm

    values, months, path = airline_training_months()
    rows = []
    for origin in LONG_ORIGINS:
        seen, future = split_at(values, origin, LONG_HORIZON)
        rows += [{"name": name, "origin": origin, **classical(name, seen, future)}
                 for name in CLASSICAL]
        rows += [{"name": "best", "origin": origin, "seed": seed,
                  **evaluate(airline_lstm.PRESETS["best"], values, origin, LONG_HORIZON, seed,
                             path, months)}
                 for seed in ([] if args.classical_only else range(args.seeds))]
    keys = ("rmse_one_step", "rmse_free_running", "mape_one_step", "mape_free_running")
    print(f"{'36 months ahead':<16}{'origin':>8}" + "".join(f"{k:>19}" for k in keys))
    summary = {}
    for name in CLASSICAL if args.classical_only else ("best", *CLASSICAL):
        for origin in LONG_ORIGINS:
            mine = [r for r in rows if r["name"] == name and r["origin"] == origin]
            means = {k: float(np.mean([r[k] for r in mine])) for k in keys}
            summary[f"{name}@{origin}"] = means
            print(f"{name:<16}{origin:>8}" + "".join(f"{means[k]:>19.2f}" for k in keys))
    results = load_selection(args.output)
    results["long_backtest"] = {"origins": list(LONG_ORIGINS), "horizon": LONG_HORIZON,
                                "config": airline_lstm.PRESETS["best"], "summary": summary,
                                "rows": rows}
    save_selection(args.output, results)
    return results


def run(args: argparse.Namespace) -> dict:
    if args.long_backtest:
        return long_backtest(args)
    chosen = candidates()
    names = [] if args.classical_only else args.candidates or list(chosen)
    results = {"candidates": load_selection(args.output).get("candidates", {}), "cases": []}
    cases = series_and_origins()
    # The classical forecasters on the same origins first: where the candidates stand.
    results["classical"] = {}
    for name in CLASSICAL:
        rows = [{"group": group, "series": series_name, "origin": origin,
                 **classical(name, *split_at(series, origin, horizon))}
                for group, series_name, series, origins, horizon, _, _ in cases
                for origin in origins]
        results["classical"][name] = {"summary": summarise(name, rows), "rows": rows}
    save_selection(args.output, results)
    for name in names:
        rows = []
        for group, series_name, series, origins, horizon, path, months in cases:
            for origin in origins:
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    scored = evaluate(chosen[name], series, origin, horizon, seed, path, months)
                    rows.append({"group": group, "series": series_name, "origin": origin,
                                 "seed": seed, **scored})
        results["candidates"][name] = {"config": chosen[name], "summary": summarise(name, rows),
                                       "rows": rows}
        save_selection(args.output, results)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = selection_parser("airline", __doc__)
    parser.add_argument("--seeds", type=cli.positive_int, default=1,
                        help="seeds 0..N-1 per fit (default: 1)")
    parser.add_argument("--first-seed", type=cli.non_negative_int, default=0,
                        help="seeds FIRST..FIRST+N-1 instead (default: 0); pair it with its own "
                             "--output, since a candidate's rows are replaced")
    parser.add_argument("--long-backtest", action="store_true",
                        help="score the best preset and the classical forecasters 36 months "
                             "ahead from two origins inside the training months instead")
    parser.add_argument("--classical-only", action="store_true",
                        help="score only the classical forecasters (seconds, no network)")
    return parser


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, train=run)


if __name__ == "__main__":
    main()
