"""
Title: Forecasting airline passengers with an LSTM
Chapter section: "Developing a predictive model for time series data" (开发时间序列数据的预测模型)
Description: the chapter's LSTM forecaster (window of 5 months, per-step linear output, full-batch
Adam, early stopping) on the monthly international airline passengers 1949-1960, rewritten
with Keras 3, with naive and seasonal-naive baselines computed on the same split.

    python airline_lstm.py                        # the chapter's configuration (default)
    python airline_lstm.py --preset best          # 12 months at once, 5 LSTMs of two kinds
                                                  # trained on this and 5 other series
    python airline_lstm.py --csv my.csv --column Sales   # your own monthly series
    python airline_lstm.py forecast --run RUN_DIR --months 24  # past the end of the data
    python airline_lstm.py forecast --run RUN_DIR --csv my_with_new_months.csv

Each run writes series.png, prediction_ground_truth.png, prediction_free_running.png, loss.png,
history.csv, metrics.json, config.json and model.keras (and ensemble/, every member) to a new
run folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

import numpy as np

from common import cli, data, plotting, runs, training
from common.cli import DEFAULT_DATA_DIR
from common.errors import UserError
from common.forecasting import (in_month_order, naive_baselines, panel_series, print_scores,
                                 save_forecast, scores)
from common.series_transforms import (OFFSETS, SEASON, Scaler, fit_months, member_scalers,
                                      member_transforms, skipped_months, transform_names)
from common.lazy import keras, layers

EXAMPLE = "airline"
BUNDLED_CSV = DEFAULT_DATA_DIR / "airline-passengers.csv"
PANEL_DIR = DEFAULT_DATA_DIR / "panel"  # other monthly series (data/README.md)
STEPS_PER_EPOCH = 100  # the chapter records losses and checks patience every 100 steps

"""## Setup: the LSTM's hyperparameters"""

PRESETS = {
    # The chapter: seq_size 5, hidden_dim 5, Adam 0.003, full-batch steps, patience 3 checks
    # of 100 steps each. An "epoch" here is those 100 steps.
    "chapter": dict(epochs=200, batch_size="full", learning_rate=0.003, transform="zscore",
                    seq_size=5, hidden_dim=5, patience=3, restore_best_weights=False, ensemble=1,
                    horizon=1, other_series="none", loss="mse"),
    # Ours: a two-year window, a wider LSTM whose last state forecasts the next 12 months at
    # once (fed back a year at a time), one "global" network trained on this series and the
    # five other monthly series of data/panel/ in batches of 256 windows; the mean of 5
    # independently initialised LSTMs of two kinds (a combination of forecasters): 3 model
    # the yearly growth of the logs (12-month differences), 2 the monthly growth of the logs
    # once the season is taken out. Restores the best validation weights. Chosen by rolling
    # origins inside the training months and on other series (python -m
    # benchmarks.airline_selection), never on the test months. Then a Huber loss (squared
    # below 1, linear above: the panel's odd months pull less) and a patience of 5 checks
    # instead of 10 (two-thirds of the time), each chosen on the same origins after the
    # earlier preset's test figures were known.
    "best": dict(epochs=60, batch_size=256, learning_rate=0.003,
                 transform="log_seasonal+log_deseasonal",
                 seq_size=24, hidden_dim=16, patience=5, restore_best_weights=True, ensemble=5,
                 horizon=12, other_series="panel", loss="huber"),
}

"""## Description of the dataset"""


def load_series(path: Path, column: str = "1"):
    """One numeric column of a CSV file as a pandas Series, with or without a header row (the
    chapter's `load_series`, which reads column 1 of the header-less book file), indexed by
    month when another column holds dates. Normalising happens later, with training
    statistics only."""
    return data.read_csv_column(path, column, flag="--csv")


def series_and_months(path: Path, column: str):
    """The series' values, and the months they belong to when the CSV dates them (else
    None)."""
    loaded = load_series(path, column)
    values, months, reordered = in_month_order(
        loaded.to_numpy(), loaded.index if loaded.index.name == "month" else None, f"--csv {path}")
    if reordered:
        print(f"{path}: the rows put in date order ({months[0]:%Y-%m} to {months[-1]:%Y-%m})")
    return values, months


"""## Pre-processing and exploratory analysis"""


def split_data(series: np.ndarray, percent_train: float = 0.75):
    """The chapter's `split_data`: the first 75% of the months to train, the rest to test."""
    cut = int(np.ceil(len(series) * percent_train))
    return series[:cut], series[cut:]


# What the network sees of the months (the chapter: z-scores; fitted on the training months
# only): Scaler and the transforms' names, in common/series_transforms.py.


def make_windows(values: np.ndarray, seq_size: int, horizon: int = 1):
    """The chapter's windows: input values[i:i+seq], target values[i+1:i+seq+1] (each step's
    next value). With a horizon of several months (direct multi-horizon): target the
    `horizon` values after the window, values[i+seq:i+seq+horizon]."""
    count = len(values) - seq_size - horizon + 1  # the chapter's "- 1" more drops a window: fixed
    if count < 1:
        raise UserError(f"the series is too short for windows of {seq_size} months; "
                        "use a longer series")
    x = np.stack([values[i:i + seq_size] for i in range(count)])[..., None]
    if horizon == 1:
        y = np.stack([values[i + 1:i + seq_size + 1] for i in range(count)])[..., None]
    else:
        y = np.stack([values[i + seq_size:i + seq_size + horizon] for i in range(count)])
    return x.astype("float32"), y.astype("float32")


def last_year_split(values: np.ndarray, seq_size: int, horizon: int):
    """(training windows, validation windows) of one series: the windows whose targets end
    before its last year, and those whose targets end in it."""
    return (make_windows(values[:len(values) - SEASON], seq_size, horizon),
            make_windows(values[len(values) - SEASON - seq_size:], seq_size, horizon))


def other_series_windows(config: dict, exclude: Path | None = None, months=None,
                         first_unseen: int | None = None):
    """Windows of the other monthly series in data/panel/, each transformed with its own
    statistics, to train one "global" network on many series (the airline's training
    months give only 49 windows of the best preset). `exclude`: the series being
    forecast. A series that overlaps the forecast one in time keeps only its months before
    `months[first_unseen]`, the first month the forecast may not see (an undated series
    cannot be compared: nothing is cut). With config["validate_on"] == "all_series", each
    series' last year is held out of training, as the forecast series' is, and its window
    joins early stopping's validation windows. Returns {transform: (x, y, names, validation)}
    for each of the members' transforms (validation: (x, y) or None), or None when
    config["other_series"] is "none"."""
    if config.get("other_series", "none") == "none":
        return None
    paths = sorted(PANEL_DIR.glob("*.csv"))
    if not paths:
        raise UserError(f"{PANEL_DIR} holds no series for --other-series panel; restore it "
                        "from the repository or pass --other-series none")
    held_out = SEASON if config.get("validate_on", "series") == "all_series" else 0
    needs = held_out + max([skipped_months(config) + config["seq_size"] + config["horizon"],
                            *map(fit_months, member_transforms(config))])
    series = panel_series(paths, lambda path: series_and_months(path, "Value"), needs, exclude,
                          months, first_unseen)  # those with enough months before the cut
    if not series:
        return None
    seq_size, horizon = config["seq_size"], config["horizon"]
    windows = {}
    for transform in dict.fromkeys(member_transforms(config)):
        scaled = [Scaler(transform, values).to_model(values) for values in series.values()]
        validation = None
        if held_out:  # each series' last year validates, as the forecast series' does
            pairs, last = zip(*[last_year_split(values, seq_size, horizon) for values in scaled])
            validation = tuple(np.concatenate(part) for part in zip(*last))
        else:
            pairs = [make_windows(values, seq_size, horizon) for values in scaled]
        windows[transform] = (np.concatenate([x for x, _ in pairs]),
                              np.concatenate([y for _, y in pairs]), list(series), validation)
    return windows


"""## LSTM predictive model"""


def build_model(config: dict) -> keras.Model:
    """The chapter's LSTM_Model: BasicLSTMCell(hidden_dim) over the window, then the same
    linear output (W_out, b_out) applied at every step. With a `horizon` of several months:
    the last state -> the next `horizon` values at once (direct multi-horizon)."""
    inputs = keras.Input(shape=(config["seq_size"], 1), name="window")
    horizon = config.get("horizon", 1)
    x = layers.LSTM(config["hidden_dim"], return_sequences=horizon == 1)(inputs)
    # Dense on a sequence acts per step; float32 under mixed precision.
    outputs = layers.Dense(horizon, name="next_value" if horizon == 1 else "next_values",
                           dtype="float32")(x)
    model = keras.Model(inputs, outputs, name="airline_lstm")
    model.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]),
                  loss=config.get("loss", "mse"),  # the chapter's MSE, or Huber
                  steps_per_execution=STEPS_PER_EPOCH)  # 100 steps a call: same numbers, faster
    return model


def chapter_step_log(member: int):
    """Print 'step: N  train err: x  validation err: y' every 100 steps, like the chapter."""
    prefix = f"[model {member + 1}] " if member else ""
    return keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
        f"{prefix}step: {(epoch + 1) * STEPS_PER_EPOCH}\t\ttrain err: {logs['loss']:.6f}\t\t"
        f"validation err: {logs['val_loss']:.6f}", flush=True))


def batch_size(config: dict, n_windows: int) -> int:
    """Windows per step: all of them ("full", the chapter's) or the --batch-size given."""
    return n_windows if config["batch_size"] == "full" else min(int(config["batch_size"]), n_windows)


def train_network(train_xy, validation_xy, config: dict, run: training.Run, member: int = 0):
    """Full-batch Adam steps; every 100 steps record the losses and check patience on the
    validation months (the chapter early-stops on the test set: fixed)."""
    seed = config["seed"] + member
    keras.utils.set_random_seed(seed)  # each member's own start, the same after a resume
    with run.strategy.scope():  # variables and optimizer on every replica
        model = build_model(config)
    x, y = train_xy
    name = f"member-{member}" if config["ensemble"] > 1 else ""
    model.fit(training.make_dataset(x, y, batch_size(config, len(x)), shuffle_seed=seed,
                                    repeat=True),
              steps_per_epoch=STEPS_PER_EPOCH, epochs=config["epochs"],
              validation_data=validation_xy, verbose=0, shuffle=False,
              callbacks=[chapter_step_log(member), *training.early_stopping(config),
                         *run.backup(on_interrupt=lambda history: save_history(history, run.dir,
                                                                             config),
                                     name=name)])
    return model


def train_ensemble(train: np.ndarray, config: dict, run: training.Run, others=None) -> list:
    """`config["ensemble"]` networks on the training months, each seeing them through its
    own transform (member_transforms), with the windows of other series in that transform
    (`others`, from other_series_windows; this series counted `series_weight` times);
    seeds seed, seed + 1, ...; early stopping watches this series' windows whose targets
    end in its last training year (and the other series' last years, with
    config["validate_on"] == "all_series"). Each network's training is backed up under
    backup/member-K until the run is finished, so --resume retrains none of them."""
    seq_size, horizon = config["seq_size"], config.get("horizon", 1)
    models = []
    for member, scaler in enumerate(member_scalers(config, train)):
        train_xy, validation_xy = last_year_split(scaler.to_model(train), seq_size, horizon)
        if others is not None:  # this series' windows repeated, so the others don't drown it
            other_x, other_y, _, other_validation = others[scaler.transform]
            repeats = config.get("series_weight", 1)
            train_xy = tuple(np.concatenate([np.repeat(own, repeats, axis=0), other])
                             for own, other in zip(train_xy, (other_x, other_y)))
            if other_validation is not None:
                validation_xy = tuple(np.concatenate(pair)
                                      for pair in zip(validation_xy, other_validation))
        models.append(train_network(train_xy, validation_xy, config, run, member))
    return models


"""## Model evaluation"""


def predict_ahead(models: list[keras.Model], windows: np.ndarray) -> np.ndarray:
    """Each window's predictions for the months after it, (windows, horizon): the last
    step's output (horizon 1) or the direct outputs, averaged over the ensemble."""
    outputs = [model(windows, training=False).numpy() for model in models]
    return np.mean([out[:, -1, :] if out.ndim == 3 else out for out in outputs], axis=0)


def predict_next(models: list[keras.Model], windows: np.ndarray) -> np.ndarray:
    """Each window's prediction for the month right after it."""
    return predict_ahead(models, windows)[:, 0]


def per_member(scalers, models: list) -> list:
    """One Scaler per member: the list given, or the one Scaler every member shares."""
    return list(scalers) if isinstance(scalers, (list, tuple)) else [scalers] * len(models)


def forecast_one_step(models, scalers, series: np.ndarray, n_test: int, seq_size: int):
    """Each test month predicted from the true months before it (chapter Figure 17); an
    ensemble's forecast is the mean of its members' (each through its own Scaler)."""
    first = len(series) - n_test
    forecasts = []
    for model, scaler in zip(models, per_member(scalers, models)):
        values = scaler.to_model(series)
        windows = np.stack([values[t - scaler.offset - seq_size:t - scaler.offset]
                            for t in range(first, len(series))])[..., None]
        forecasts.append([scaler.to_series(p, series[:t]) for p, t in
                          zip(predict_next([model], windows), range(first, len(series)))])
    return np.mean(forecasts, axis=0)


def forecast_free_running(models, scalers, train: np.ndarray, n_test: int,
                          seq_size: int) -> np.ndarray:
    """Start from the last training window and feed back the predictions for the whole test
    horizon (chapter Figure 18; the chapter runs 1000 steps for 36 test months: fixed): one
    month at a time, or a direct model's block of months at a time. An ensemble's forecast
    is the mean of its members' own free-running forecasts."""
    return np.mean([member_free_running(model, scaler, train, n_test, seq_size)
                    for model, scaler in zip(models, per_member(scalers, models))], axis=0)


def member_free_running(model, scaler: Scaler, train: np.ndarray, n_test: int,
                        seq_size: int) -> np.ndarray:
    """One network's free-running forecast, fed back through its own Scaler."""
    history = list(train)
    window = list(scaler.to_model(train)[-seq_size:])
    forecast = []
    while len(forecast) < n_test:
        block = predict_ahead([model], np.array(window, dtype="float32")[None, :, None])[0]
        for value in block[:n_test - len(forecast)]:
            month = scaler.to_series(float(value), np.array(history))
            forecast.append(month)
            history.append(month)
            window = window[1:] + [float(value)]
    return np.array(forecast)


def save_history(history: dict, run_dir: Path, config: dict) -> None:
    """history.csv and loss.png of the first network: after training, or what there is on
    Ctrl-C."""
    runs.write_history_csv(run_dir / "history.csv", {
        "train_loss": history["loss"], "validation_loss": history["val_loss"],
        "epoch_seconds": history["epoch_seconds"]})
    iterations = [STEPS_PER_EPOCH * (i + 1) for i in range(len(history["loss"]))]
    plotting.plot_curves(run_dir / "loss.png", {"LSTM training loss": history["loss"],
                                                "LSTM validation loss": history["val_loss"]},
                         title="LSTM loss per iteration",
                         ylabel=f"Loss ({'Huber' if config.get('loss') == 'huber' else 'MSE'}, "
                                "normalised)",
                         xlabel="Iteration", x=iterations)


def value_label(csv_path: Path, column: str) -> str:
    """The plots' y axis: the bundled series' unit, else the user's column."""
    if Path(csv_path).name == BUNDLED_CSV.name:
        return "Passengers (thousands)"
    return f"column {column}" if column.lstrip("-").isdigit() else column


def plot_results(train, predictions, actual, path: Path, title: str, months,
                 ylabel: str) -> Path:
    """The chapter's plot_results: training data, predictions and test data, against the
    months when the CSV dates them."""
    n = len(train)
    x = months if months is not None else np.arange(n + len(actual))
    return plotting.plot_lines(path, {
        "training data": (x[:n], train),
        "predicted": (x[n:n + len(predictions)], predictions),
        "test data": (x[n:n + len(actual)], actual)},
        title=title, xlabel="Month" if months is not None else "Month index",
        ylabel=ylabel, styles=("b-", "r-", "g-"))


"""## Putting it together"""


def run_training(args: argparse.Namespace) -> dict:
    config = cli.resolve_config(args, PRESETS)
    csv_path = args.csv or data.check_data_dir(args.data_dir) / BUNDLED_CSV.name
    series, months = series_and_months(csv_path, args.column)
    train, test = split_data(series)
    seq_size, n_validation, horizon = config["seq_size"], SEASON, config["horizon"]
    skipped = skipped_months(config)  # months lost to differencing
    if horizon > SEASON:  # early stopping validates on the last training year
        raise UserError(f"--horizon {horizon}: at most {SEASON} months (the validation year); "
                        "longer forecasts are built from blocks of it")
    min_train = skipped + n_validation + seq_size + horizon
    if len(train) < min_train or len(test) < 1:
        raise UserError(f"{csv_path}: {len(series)} values are too few for windows of {seq_size} "
                        f"months, a validation year and a test part; use at least "
                        f"{int(np.ceil(min_train / 0.75)) + 1} values or a smaller --seq-size")
    scalers = member_scalers(config, train)
    scaler = scalers[0]  # the first member's: recorded, and the series plot
    others = other_series_windows(config, csv_path, months, first_unseen=len(train))
    # The other series' windows and names (the same series for every transform).
    other_x, _, other_names, _ = next(iter(others.values())) if others else ([], None, [], None)
    with training.start_run(EXAMPLE, args, config, csv=str(csv_path), column=args.column,
                            normalisation={"mean": scaler.mean, "std": scaler.std},
                            train_months=len(train)) as run:
        values = scaler.to_model(train)
        print(f"{len(series)} months: {len(train)} to train (the last {n_validation} of them "
              f"to validate), {len(test)} to test")
        normalised = scaler.to_model(series)
        plotting.plot_lines(run.dir / "series.png", {"normalised series": (
            months[scaler.offset:] if months is not None else range(len(normalised)),
            normalised)}, title="Normalized time series", xlabel="Month" if months is not None
            else "ID", ylabel="Normalized value")
        if others is not None:
            print(f"Also {len(other_x)} training windows of {len(other_names)} other series "
                  f"({', '.join(other_names)}), each normalised by its own statistics")
        models = train_ensemble(train, config, run, others)

        one_step = forecast_one_step(models, scalers, series, len(test), seq_size)
        free_running = forecast_free_running(models, scalers, train, len(test), seq_size)
        metrics = {**scores(test, one_step, free_running),
                   "baselines": naive_baselines(train, test, SEASON)}
        print_scores({"LSTM": metrics, **metrics["baselines"]})

        save_history(run.history, run.dir, config)
        label = value_label(csv_path, args.column)
        plot_results(train, one_step, test, run.dir / "prediction_ground_truth.png",
                     "Predictions given the true previous months", months, label)
        plot_results(train, free_running, test, run.dir / "prediction_free_running.png",
                     "Free-running forecast from the training data only", months, label)
        models[0].save(run.dir / "model.keras")
        if len(models) > 1:  # every member, for `forecast`
            (run.dir / "ensemble").mkdir(exist_ok=True)
            for number, model in enumerate(models, start=1):
                model.save(run.dir / "ensemble" / f"member-{number}.keras")
        steps = sum(state.epochs for state in run.states) * STEPS_PER_EPOCH
        windows = len(values) - SEASON - seq_size - horizon + 1 + len(other_x)
        return run.finish(metrics, steps=steps, samples_seen=steps * batch_size(config, windows),
                          other_series=other_names,
                          train_months=len(train), test_months=len(test),
                          one_step_forecast=one_step.tolist(),
                          free_running_forecast=free_running.tolist())


"""## Forecast: past the end of the data"""


def run_forecast(args: argparse.Namespace) -> dict:
    """Continue the run's series (or --csv, the same series with months added since) with its
    network(s) from the last observed window, feeding back each month's forecast (no
    retraining: the run's training statistics); an ensemble's members give the band."""
    config = runs.read_run_config(args.run, EXAMPLE, "airline_lstm.py", "--run",
                                  needs=("csv", "column", "transform", "seq_size", "normalisation"))
    models = runs.load_members(args.run, "airline_lstm.py")  # ensemble/ or model.keras
    csv_path, column = args.csv or config["csv"], args.column or config["column"]
    series, months = series_and_months(csv_path, column)
    # The training months: config.json records them (metrics.json for earlier versions' runs).
    train_months = int(config.get("train_months") or runs.read_metrics(args.run).get(
        "train_months") or len(split_data(series)[0]))
    scalers = (member_scalers(dict(config, ensemble=len(models)), series[:train_months])
               if len(series) >= train_months else None)
    recorded = config["normalisation"]
    if scalers is None or not np.allclose(
            [scalers[0].mean, scalers[0].std], [recorded["mean"], recorded["std"]], rtol=1e-4):
        source = f"--csv {csv_path}" if args.csv else f"{csv_path} (the run's series)"
        raise UserError(f"{source}: its first {train_months} months are not the ones the run "
                        "was trained on; pass the run's series with the new months added at its "
                        "end, or train a new run on it")
    print(f"Forecasting from the last of {len(series)} months"
          + (f" ({months[-1]:%Y-%m})" if months is not None else "")
          + f" with the statistics of the run's {train_months} training months")
    members = np.array([member_free_running(model, scaler, series, args.months,
                                            config["seq_size"])
                        for model, scaler in zip(models, scalers)])
    out_dir = runs.make_run_dir("forecast", args.output_dir, parent=Path(args.run) / "forecast")
    # The members' mean, as forecast_free_running's, and their band.
    labels, forecast = save_forecast(
        out_dir, series, months, members, ylabel=value_label(csv_path, column),
        title=f"{len(models)}-network forecast, {args.months} months ahead")
    print(f"Forecast: {out_dir / 'forecast.csv'}")
    return {"output_dir": out_dir, "labels": labels, "forecast": forecast.tolist(),
            "members": members.tolist()}


"""## Command line"""


def build_parser() -> argparse.ArgumentParser:
    parser = cli.build_parser("airline_lstm.py", __doc__, PRESETS,
                              epoch_help=f"most rounds of {STEPS_PER_EPOCH} full-batch steps")
    parser.add_argument("--csv", type=Path, default=None,
                        help=f"CSV file holding the series (default: {BUNDLED_CSV})")
    parser.add_argument("--column", default="1",
                        help="column of the series: a header name or a 0-based index "
                             "(default: 1, the chapter's series_idx)")
    parser.add_argument("--transform", type=transform_names, metavar="{" + ",".join(OFFSETS) + "}",
                        help="what the LSTM models: z-scored values, 12-month differences, "
                             "12-month differences of logs (yearly growth), the monthly "
                             "change of that growth, or the monthly growth of the logs once "
                             "their season is removed; A+B alternates two over the ensemble's "
                             "members " + cli.preset_default(PRESETS, "transform"))
    parser.add_argument("--hidden-dim", type=cli.positive_int,
                        help="LSTM units " + cli.preset_default(PRESETS, "hidden_dim"))
    parser.add_argument("--patience", type=cli.positive_int,
                        help="checks without improvement before stopping " + cli.preset_default(PRESETS, "patience"))
    parser.add_argument("--ensemble", type=cli.positive_int,
                        help="LSTMs trained and averaged " + cli.preset_default(PRESETS, "ensemble"))
    parser.add_argument("--seq-size", type=cli.positive_int,
                        help="months per input window " + cli.preset_default(PRESETS, "seq_size"))
    parser.add_argument("--other-series", choices=["none", "panel"],
                        help="also train on the monthly series in data/panel/ (one global "
                             "network for many series) " + cli.preset_default(PRESETS, "other_series"))
    parser.add_argument("--horizon", type=cli.positive_int,
                        help="months each network forecasts at once; above 1 the forecasts "
                             "are fed back in blocks (direct multi-horizon) "
                             + cli.preset_default(PRESETS, "horizon"))
    parser.add_argument("--loss", choices=["mse", "huber"],
                        help="training loss: squared error, or Huber (squared below 1, linear "
                             "above) " + cli.preset_default(PRESETS, "loss"))
    forecast = cli.add_command(parser, "forecast", "continue a trained run's series past its "
                                                   "last month (no retraining)")
    forecast.add_argument("--run", type=Path, required=True, metavar="RUN_DIR",
                          help="run folder of airline_lstm.py")
    forecast.add_argument("--months", type=cli.positive_int, default=24,
                          help="months to forecast (default: 24)")
    forecast.add_argument("--csv", type=Path, default=None,
                          help="the run's series with months added since training: forecast "
                               "from its last month (default: the run's CSV)")
    forecast.add_argument("--column", default=None,
                          help="column of the series in --csv (default: the run's)")
    forecast.add_argument("--output-dir", type=Path, default=None,
                          help="folder for forecast.csv and forecast.png, absent or empty "
                               "(default: RUN_DIR/forecast/<timestamp>)")
    return parser


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, EXAMPLE, train=run_training,
                       forecast=run_forecast)


if __name__ == "__main__":
    main()
