"""airline_lstm.py: CSV loading, windows, normalisation, forecasts, baselines, dry runs."""

import csv
import json
import math
from pathlib import Path

import keras
import numpy as np
import pytest

import airline_lstm
from conftest import DATA_DIR, run_main_expecting_error
from common import forecasting, runs, training
from common.errors import UserError

BUNDLED = DATA_DIR / "airline-passengers.csv"
BOOK = Path(__file__).parent / "fixtures" / "international-airline-passengers.book.csv"


def test_make_windows_shapes_and_values():
    x, y = airline_lstm.make_windows(np.arange(10, dtype="float32"), seq_size=3)
    assert x.shape == (7, 3, 1) and y.shape == (7, 3, 1)
    assert x[0, :, 0].tolist() == [0, 1, 2] and y[0, :, 0].tolist() == [1, 2, 3]
    assert x[-1, :, 0].tolist() == [6, 7, 8] and y[-1, :, 0].tolist() == [7, 8, 9]


def test_split_is_chronological_75_25():
    train, test = airline_lstm.split_data(np.arange(144))
    assert len(train) == 108 and len(test) == 36 and train[-1] + 1 == test[0]


def test_scaler_statistics_are_those_of_the_series_it_is_given():
    train = np.array([1.0, 2.0, 3.0, 4.0])
    scaler = airline_lstm.Scaler("zscore", train)
    assert scaler.mean == pytest.approx(2.5) and scaler.std == pytest.approx(np.std(train))
    series = np.concatenate([train, [1000.0, 2000.0]])
    np.testing.assert_allclose(scaler.to_model(series)[:4], (train - 2.5) / np.std(train), rtol=1e-6)


def test_the_run_normalises_with_the_training_months_only(tmp_path):
    """Wild test months: a run whose scaler saw them would record another mean and std."""
    series = airline_lstm.load_series(BUNDLED).to_numpy()
    train, _ = airline_lstm.split_data(series)
    wild = np.concatenate([train, np.full(len(series) - len(train), 1e6)])
    path = tmp_path / "wild.csv"
    path.write_text("Month,Passengers\n" + "".join(f"m{i},{v}\n" for i, v in enumerate(wild)))
    airline_lstm.main(["--csv", str(path), "--dry-run", "--epochs", "1",
                       "--output-dir", str(tmp_path / "run")])
    recorded = json.loads((tmp_path / "run" / "config.json").read_text())["normalisation"]
    assert recorded["mean"] == pytest.approx(train.mean(), rel=1e-5)
    assert recorded["std"] == pytest.approx(train.std(), rel=1e-5)


@pytest.mark.parametrize("transform", ["zscore", "seasonal", "log_seasonal", "log_seasonal_change",
                                       "log_deseasonal"])
def test_transforms_round_trip(transform):
    series = airline_lstm.load_series(BUNDLED).to_numpy()
    scaler = airline_lstm.Scaler(transform, series[:108])
    values = scaler.to_model(series)
    for month in [scaler.offset, 60, 143]:
        restored = scaler.to_series(values[month - scaler.offset], series[:month])
        assert restored == pytest.approx(series[month], rel=1e-4)


def test_bundled_and_book_csv_give_the_same_144_dated_values():
    bundled = airline_lstm.load_series(BUNDLED)
    assert bundled.shape == (144,) and bundled.iloc[0] == 112 and bundled.iloc[-1] == 432
    assert [f"{d:%Y-%m}" for d in bundled.index[[0, 1, -1]]] == ["1949-01", "1949-02", "1960-12"]
    book = airline_lstm.load_series(BOOK)
    np.testing.assert_array_equal(book.to_numpy(), bundled.to_numpy())
    assert (book.index == bundled.index).all()  # header-less: the dates are found all the same
    np.testing.assert_array_equal(airline_lstm.load_series(BUNDLED, "Passengers"), bundled)


@pytest.mark.parametrize("labels", [["1", "2", "3"], ["m0", "m1", "m2"], ["Jan", "Feb", "Mar"]])
def test_a_csv_without_dates_is_indexed_by_month_number(tmp_path, labels):
    """Labels without a year (which pandas would read as times or dates of the year 1) are not
    dates."""
    path = tmp_path / "plain.csv"
    path.write_text("id,sales\n" + "".join(f"{label},{value}\n"
                                            for label, value in zip(labels, [10, 12.5, 11])))
    series = airline_lstm.load_series(path, "sales")
    assert series.tolist() == [10.0, 12.5, 11.0] and series.index.tolist() == [0, 1, 2]


def test_two_digit_years_are_read_in_the_past(tmp_path, capsys):
    """"Jan-49" (a common export of the airline series) parses as 2049: observations cannot lie
    in the future, so the century before is meant. A year spelled out in full is kept."""
    bundled = airline_lstm.load_series(BUNDLED)
    path = tmp_path / "short_years.csv"
    path.write_text("Month,Passengers\n" + "".join(f"{month:%b-%y},{value:g}\n"
                                                   for month, value in bundled.items()))
    series = airline_lstm.load_series(path, "Passengers")
    assert (series.index == bundled.index).all()
    assert "'Jan-49' have a two-digit year; read as 1949-01 to 1960-12" in capsys.readouterr().out
    future = tmp_path / "future.csv"
    future.write_text("Month,Sales\n2049-01,1\n2049-02,2\n")
    assert [f"{d:%Y}" for d in airline_lstm.load_series(future, "Sales").index] == ["2049"] * 2


def test_user_csv_by_name_and_index(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("date,region,sales\n2020-01,north,10\n2020-02,north,12.5\n")
    assert airline_lstm.load_series(path, "sales").tolist() == [10.0, 12.5]
    assert airline_lstm.load_series(path, "2").tolist() == [10.0, 12.5]


@pytest.mark.parametrize("content, column, message", [
    ("Month,Passengers\n1949-01,112\n1949-02,abc\n", "1", "row 3, column 1: 'abc' is not a number"),
    ("Month,Passengers\n1949-01,112\n1949-02,\n", "1", "row 3, column 1: 'an empty cell' is not a number"),
    ("Month,Passengers\n1949-01,112\n", "Sales", "no column named 'Sales'"),
    ("1949-01,112\n1949-02\n", "1", "row 2, column 1: 'an empty cell' is not a number"),
    ("Month,Passengers\n1949-01,112,9\n", "1", "not a readable CSV file"),
    ("", "1", "the file is empty"),
])
def test_bad_csv_gives_one_clear_error(tmp_path, content, column, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        airline_lstm.load_series(path, column)


def test_missing_csv_names_the_flag(tmp_path):
    with pytest.raises(UserError, match="--csv .*nothere.csv: no such file"):
        airline_lstm.load_series(tmp_path / "nothere.csv")


def test_a_newest_first_csv_is_read_in_date_order(tmp_path, capsys):
    rows = BUNDLED.read_text().splitlines()
    path = tmp_path / "newest_first.csv"
    path.write_text("\n".join([rows[0], *rows[:0:-1]]) + "\n")
    values, months = airline_lstm.series_and_months(path, "Passengers")
    bundled = airline_lstm.load_series(BUNDLED)
    np.testing.assert_array_equal(values, bundled.to_numpy())
    assert (months == bundled.index).all()
    assert "the rows put in date order (1949-01 to 1960-12)" in capsys.readouterr().out


def test_a_missing_month_exits_2(tmp_path, capsys):
    rows = BUNDLED.read_text().splitlines()
    path = tmp_path / "gap.csv"
    path.write_text("\n".join(rows[:31] + rows[32:]) + "\n")
    line = run_main_expecting_error(airline_lstm.main, ["--csv", str(path), "--dry-run",
                                                        "--output-dir", str(tmp_path / "r")], capsys)
    assert "gap.csv: no value for 1951-07 (between 1951-06 and 1951-08)" in line
    assert not (tmp_path / "r").exists()


def test_plots_label_a_users_series_by_its_column():
    assert airline_lstm.value_label(BUNDLED, "1") == "Passengers (thousands)"
    assert airline_lstm.value_label(Path("sales.csv"), "Sales") == "Sales"
    assert airline_lstm.value_label(Path("sales.csv"), "2") == "column 2"


def test_series_too_short_exits_2(tmp_path, capsys):
    path = tmp_path / "short.csv"
    path.write_text("".join(f"m{i},{100 + i}\n" for i in range(20)))
    line = run_main_expecting_error(airline_lstm.main, ["--csv", str(path), "--dry-run",
                                                        "--output-dir", str(tmp_path / "r")], capsys)
    assert "short.csv: 20 values are too few" in line and not (tmp_path / "r").exists()


def test_baselines_on_the_bundled_split():
    train, test = airline_lstm.split_data(airline_lstm.load_series(BUNDLED).to_numpy())
    result = forecasting.naive_baselines(train, test, 12)
    assert result["naive"]["rmse_one_step"] == pytest.approx(50.30, abs=0.01)
    assert result["seasonal_naive"]["rmse_one_step"] == pytest.approx(41.98, abs=0.01)


def persistence_model(seq_size: int):
    """A network whose output at every step is its input: it predicts 'next = this month'
    in the values it models."""
    return keras.Sequential([keras.Input((seq_size, 1)),
                             keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")])


@pytest.mark.parametrize("seq_size", [1, 5])
def test_one_step_forecast_of_persistence_is_the_previous_month(seq_size):
    """An off-by-one in the windows would predict from the month before last, or the month
    itself."""
    series = airline_lstm.load_series(BUNDLED).to_numpy()
    train, test = airline_lstm.split_data(series)
    scaler = airline_lstm.Scaler("zscore", train)
    one = airline_lstm.forecast_one_step([persistence_model(seq_size)], scaler, series,
                                         len(test), seq_size)
    np.testing.assert_allclose(one, series[len(train) - 1:-1], rtol=1e-4)
    free = airline_lstm.forecast_free_running([persistence_model(seq_size)], scaler, train,
                                              len(test), seq_size)
    np.testing.assert_allclose(free, np.full(len(test), train[-1]), rtol=1e-4)


def test_seasonal_forecast_undoes_the_differences_of_the_right_months():
    """Persistence of the 12-month growth: month t = month t-12 x (t-1) / (t-13)."""
    series = airline_lstm.load_series(BUNDLED).to_numpy().astype("float64")
    train, test = airline_lstm.split_data(series)
    scaler = airline_lstm.Scaler("log_seasonal", train)
    one = airline_lstm.forecast_one_step([persistence_model(3)], scaler, series, len(test), 3)
    t = np.arange(len(train), len(series))
    np.testing.assert_allclose(one, series[t - 12] * series[t - 1] / series[t - 13], rtol=1e-4)


def test_growth_change_forecast_uses_the_right_months():
    """Persistence of the change in yearly growth g: log y_t = log y_(t-12) + 2 g(t-1) - g(t-2)."""
    series = airline_lstm.load_series(BUNDLED).to_numpy().astype("float64")
    train, test = airline_lstm.split_data(series)
    scaler = airline_lstm.Scaler("log_seasonal_change", train)
    one = airline_lstm.forecast_one_step([persistence_model(4)], scaler, series, len(test), 4)
    logs, t = np.log(series), np.arange(len(train), len(series))
    growth = lambda m: logs[m] - logs[m - 12]  # noqa: E731
    np.testing.assert_allclose(np.log(one), logs[t - 12] + 2 * growth(t - 1) - growth(t - 2),
                               atol=1e-4)


def test_deseasonal_forecast_restores_the_season_of_the_right_months():
    """Persistence of the monthly growth z(t-1) - z(t-2) of the deseasonalised logs
    z = log y - s: log y_t = z(t-1) + (z(t-1) - z(t-2)) + s_t."""
    series = airline_lstm.load_series(BUNDLED).to_numpy().astype("float64")
    train, test = airline_lstm.split_data(series)
    scaler = airline_lstm.Scaler("log_deseasonal", train)
    np.testing.assert_allclose(scaler.season, forecasting.seasonal_indices(np.log(train), 12))
    one = airline_lstm.forecast_one_step([persistence_model(3)], scaler, series, len(test), 3)
    z = np.log(series) - np.resize(scaler.season, len(series))
    t = np.arange(len(train), len(series))
    np.testing.assert_allclose(np.log(one), 2 * z[t - 1] - z[t - 2] + scaler.season[t % 12],
                               atol=1e-4)


def test_members_alternate_the_transforms_of_a_combination():
    config = dict(airline_lstm.PRESETS["best"], transform="log_seasonal+log_deseasonal",
                  ensemble=5)
    assert airline_lstm.member_transforms(config) == [
        "log_seasonal", "log_deseasonal", "log_seasonal", "log_deseasonal", "log_seasonal"]
    assert airline_lstm.member_transforms(dict(config, transform="zscore", ensemble=2)) == [
        "zscore", "zscore"]
    assert airline_lstm.skipped_months(config) == 12


def test_a_combined_ensemble_forecasts_the_mean_of_its_members_in_passengers():
    """Persistence under z-scores (last month) and under yearly growth (the seasonal
    formula): the ensemble gives the mean of the two forecasts, one-step and free-running."""
    series = airline_lstm.load_series(BUNDLED).to_numpy().astype("float64")
    train, test = airline_lstm.split_data(series)
    members = [persistence_model(3), persistence_model(3)]
    scalers = [airline_lstm.Scaler("zscore", train), airline_lstm.Scaler("log_seasonal", train)]
    one = airline_lstm.forecast_one_step(members, scalers, series, len(test), 3)
    t = np.arange(len(train), len(series))
    seasonal = series[t - 12] * series[t - 1] / series[t - 13]
    np.testing.assert_allclose(one, (series[t - 1] + seasonal) / 2, rtol=1e-4)
    free = airline_lstm.forecast_free_running(members, scalers, train, 5, 3)
    each = [airline_lstm.member_free_running(m, s, train, 5, 3) for m, s in zip(members, scalers)]
    np.testing.assert_allclose(free, np.mean(each, axis=0))
    np.testing.assert_allclose(each[0], np.full(5, train[-1]), rtol=1e-4)


@pytest.mark.parametrize("value, expected", [
    ("log_seasonal+log_deseasonal", None),
    ("logs", "argument --transform: unknown transform 'logs'"),
    ("log_seasonal+", "argument --transform: unknown transform ''"),
])
def test_transform_flag_takes_names_joined_by_plus(value, expected, capsys):
    if expected is None:
        assert airline_lstm.build_parser().parse_args(["--transform", value]).transform == value
        return
    line = run_main_expecting_error(airline_lstm.main, ["--transform", value], capsys)
    assert expected in line


def test_an_ensemble_forecast_is_the_mean_of_its_members():
    windows = np.arange(12, dtype="float32").reshape(4, 3, 1)
    doubled = keras.Sequential([keras.Input((3, 1)), keras.layers.Dense(
        1, use_bias=False, kernel_initializer=keras.initializers.Constant(2.0))])
    mean = airline_lstm.predict_next([persistence_model(3), doubled], windows)
    np.testing.assert_allclose(mean, 1.5 * windows[:, -1, 0])


@pytest.mark.parametrize("preset", ["chapter", "best"])
def test_dry_run_writes_plots_and_metrics(tmp_path, preset):
    run_dir = tmp_path / "run"
    result = airline_lstm.main(["--preset", preset, "--dry-run", "--output-dir", str(run_dir)])
    for name in ["series.png", "prediction_ground_truth.png", "prediction_free_running.png",
                 "loss.png", "metrics.json", "config.json", "history.csv", "model.keras"]:
        assert (run_dir / name).is_file(), name
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ["rmse_one_step", "mae_one_step", "rmse_free_running", "mae_free_running"]:
        assert math.isfinite(metrics[key]) and metrics[key] > 0, key
    for baseline in ["naive", "seasonal_naive"]:
        assert set(metrics["baselines"][baseline]) >= {"rmse_one_step", "mae_one_step"}
    assert len(metrics["free_running_forecast"]) == len(metrics["one_step_forecast"]) == 36
    assert result["run_dir"] == run_dir
    losses = [float(row.split(",")[1]) for row in (run_dir / "history.csv").read_text().splitlines()[1:]]
    assert len(losses) == 2 and losses[1] < losses[0]  # 200 full-batch steps reduce the loss
    assert metrics["epochs"] == sum(metrics.get("member_epochs", [metrics["epochs"]]))
    if preset == "chapter":  # one network: the saved model is the one that forecast
        series = airline_lstm.load_series(BUNDLED).to_numpy()
        train, test = airline_lstm.split_data(series)
        [reloaded] = runs.load_members(run_dir, "airline_lstm.py")  # model.keras
        again = airline_lstm.forecast_one_step([reloaded], airline_lstm.Scaler("zscore", train),
                                               series, len(test), 5)
        np.testing.assert_allclose(again, metrics["one_step_forecast"], rtol=1e-4)


def test_mape_of_known_values():
    errors = forecasting.errors(np.array([100.0, 200.0]), np.array([110.0, 150.0]))
    assert errors["mape"] == pytest.approx((10 + 25) / 2)
    assert errors["mae"] == pytest.approx(30.0) and errors["rmse"] == pytest.approx(np.sqrt(1300))


def test_seasonal_naive_mape_matches_the_published_figure():
    """sktime's tutorial: seasonal naive on the same 36 months, MAPE 13.19%."""
    train, test = airline_lstm.split_data(airline_lstm.load_series(BUNDLED).to_numpy())
    assert forecasting.naive_baselines(train, test, 12)["seasonal_naive"]["mape_free_running"] \
        == pytest.approx(13.19, abs=0.005)


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("airline") / "run"
    airline_lstm.main(["--preset", "best", "--dry-run", "--output-dir", str(run_dir)])
    return run_dir


def test_forecast_continues_the_months_past_the_data(ensemble_run, tmp_path, capsys):
    result = airline_lstm.main(["forecast", "--run", str(ensemble_run), "--months", "14",
                                "--output-dir", str(tmp_path / "f")])
    with open(tmp_path / "f" / "forecast.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["month"] for r in rows[:2]] == ["1961-01", "1961-02"] and rows[-1]["month"] == "1962-02"
    assert len(rows) == 14 and result["labels"] == [r["month"] for r in rows]
    for row in rows:
        assert float(row["lowest_member"]) <= float(row["forecast"]) <= float(row["highest_member"])
    assert len(result["members"]) == 2  # both dry-run ensemble members
    assert (tmp_path / "f" / "forecast.png").read_bytes()[:4] == b"\x89PNG"
    assert "1961-01" in capsys.readouterr().out


def test_forecast_is_the_free_running_forecast_of_the_saved_networks(ensemble_run):
    """From the last observed window: the same numbers as forecast_free_running on the
    whole series with the reloaded members."""
    result = airline_lstm.main(["forecast", "--run", str(ensemble_run), "--months", "3"])
    series = airline_lstm.load_series(BUNDLED).to_numpy()
    members = runs.load_members(ensemble_run, "airline_lstm.py")  # ensemble/member-*.keras
    config = json.loads((ensemble_run / "config.json").read_text())
    scalers = [airline_lstm.Scaler(transform, airline_lstm.split_data(series)[0])
               for transform in airline_lstm.member_transforms(config)]
    expected = airline_lstm.forecast_free_running(members, scalers, series, 3, 24)
    np.testing.assert_allclose(result["forecast"], expected, rtol=1e-5)
    assert result["output_dir"].parent == ensemble_run / "forecast"


def test_forecast_continues_a_series_that_gained_months(ensemble_run, tmp_path, capsys):
    """The run's series with two more months appended: the forecast starts after them, from
    the last window of the longer series, with the run's training statistics."""
    longer = tmp_path / "longer.csv"
    longer.write_text(BUNDLED.read_text().rstrip("\n") + "\n1961-01,450\n1961-02,430\n")
    result = airline_lstm.main(["forecast", "--run", str(ensemble_run), "--months", "3",
                                "--csv", str(longer)])
    assert result["labels"] == ["1961-03", "1961-04", "1961-05"]
    series = airline_lstm.load_series(longer).to_numpy()
    members = runs.load_members(ensemble_run, "airline_lstm.py")  # ensemble/member-*.keras
    config = json.loads((ensemble_run / "config.json").read_text())
    assert config["train_months"] == 108
    scalers = [airline_lstm.Scaler(transform, series[:108])
               for transform in airline_lstm.member_transforms(config)]
    expected = airline_lstm.forecast_free_running(members, scalers, series, 3, 24)
    np.testing.assert_allclose(result["forecast"], expected, rtol=1e-5)
    assert "last of 146 months (1961-02)" in capsys.readouterr().out


def test_forecast_refuses_a_series_with_other_training_months(ensemble_run, tmp_path, capsys):
    other = tmp_path / "other.csv"
    other.write_text(BUNDLED.read_text().replace('"1949-01",112', '"1949-01",150'))
    line = run_main_expecting_error(airline_lstm.main, ["forecast", "--run", str(ensemble_run),
                                                        "--csv", str(other)], capsys)
    assert line.startswith(f"error: --csv {other}: its first 108 months are not the ones")
    short = tmp_path / "short.csv"
    short.write_text("\n".join(BUNDLED.read_text().splitlines()[:50]) + "\n")
    line = run_main_expecting_error(airline_lstm.main, ["forecast", "--run", str(ensemble_run),
                                                        "--csv", str(short)], capsys)
    assert "its first 108 months are not the ones" in line


def test_forecast_without_dates_counts_months_on(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("sales\n" + "".join(f"{100 + i + 10 * (i % 12 == 6)}\n" for i in range(60)))
    airline_lstm.main(["--csv", str(path), "--column", "sales", "--dry-run", "--epochs", "1",
                       "--output-dir", str(tmp_path / "run")])
    result = airline_lstm.main(["forecast", "--run", str(tmp_path / "run"), "--months", "2"])
    assert result["labels"] == ["60", "61"]


@pytest.mark.parametrize("argv, expected", [
    (["--months", "0"], "argument --months: must be a positive whole number"),
    (["--months", "x"], "argument --months: expected a whole number"),
])
def test_forecast_bad_months(ensemble_run, capsys, argv, expected):
    line = run_main_expecting_error(airline_lstm.main, ["forecast", "--run", str(ensemble_run), *argv],
                                    capsys)
    assert expected in line


def test_forecast_refuses_a_run_of_another_example(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps({"example": "har", "argv": []}))
    line = run_main_expecting_error(airline_lstm.main, ["forecast", "--run", str(tmp_path)], capsys)
    assert "a run of har, not of airline_lstm.py" in line


def test_direct_windows_target_the_months_after_the_window():
    x, y = airline_lstm.make_windows(np.arange(20, dtype="float32"), seq_size=4, horizon=3)
    assert x.shape == (14, 4, 1) and y.shape == (14, 3)
    assert x[0, :, 0].tolist() == [0, 1, 2, 3] and y[0].tolist() == [4, 5, 6]
    assert x[-1, :, 0].tolist() == [13, 14, 15, 16] and y[-1].tolist() == [17, 18, 19]


def test_a_direct_model_outputs_its_horizon():
    config = dict(airline_lstm.PRESETS["best"], horizon=12, seq_size=6)
    model = airline_lstm.build_model(config)
    assert model(np.zeros((2, 6, 1), dtype="float32")).shape == (2, 12)


@pytest.mark.parametrize("preset", ["chapter", "best"])
def test_100_steps_in_one_call_train_as_100_calls_would(preset):
    """build_model runs each check's 100 steps in one call into TensorFlow, for speed; the
    losses are those of one call a step, to the rounding."""
    horizon = airline_lstm.PRESETS[preset]["horizon"]
    config = dict(airline_lstm.PRESETS[preset], seq_size=6)
    x, y = airline_lstm.make_windows(np.sin(np.arange(60) / 3), 6, horizon)
    histories = []
    for steps_per_call in (airline_lstm.STEPS_PER_EPOCH, 1):
        keras.utils.set_random_seed(0)
        model = airline_lstm.build_model(config)
        assert model.steps_per_execution == airline_lstm.STEPS_PER_EPOCH
        if steps_per_call == 1:  # the same optimizer and loss, one step a call
            model.compile(optimizer=model.optimizer, loss=model.loss, steps_per_execution=1)
        histories.append(model.fit(
            training.make_dataset(x, y, 16, shuffle_seed=0, repeat=True),
            steps_per_epoch=airline_lstm.STEPS_PER_EPOCH, epochs=2, validation_data=(x, y),
            verbose=0, shuffle=False).history)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-5)
    assert histories[0]["loss"][1] < histories[0]["loss"][0]


def test_direct_free_running_forecast_feeds_back_blocks():
    """A direct model predicting 'the next 4 values = the window's last 4' repeats the last 4
    months (z-scored values) block after block, cut at the horizon asked for."""
    series = np.arange(1.0, 61.0)
    scaler = airline_lstm.Scaler("zscore", series)
    last_four = keras.Sequential([keras.Input((6, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(4, use_bias=False, kernel_initializer=
                                                     keras.initializers.Constant(np.eye(6)[:, 2:]))])
    free = airline_lstm.forecast_free_running([last_four], scaler, series, 10, seq_size=6)
    np.testing.assert_allclose(free, [57, 58, 59, 60] * 2 + [57, 58], rtol=1e-5)
    one = airline_lstm.forecast_one_step([last_four], scaler, series, 5, seq_size=6)
    np.testing.assert_allclose(one, series[-5 - 4:-4], rtol=1e-5)  # the first of each block


def test_direct_dry_run_and_forecast_past_the_data(tmp_path):
    run_dir = tmp_path / "run"
    airline_lstm.main(["--preset", "best", "--horizon", "12", "--dry-run",
                       "--output-dir", str(run_dir)])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert len(metrics["free_running_forecast"]) == 36
    assert all(math.isfinite(value) for value in metrics["free_running_forecast"])
    result = airline_lstm.main(["forecast", "--run", str(run_dir), "--months", "30",
                                "--output-dir", str(tmp_path / "future")])
    assert len(result["forecast"]) == 30 and result["labels"][0] == "1961-01"


def test_horizon_longer_than_the_validation_year_exits_2(tmp_path, capsys):
    line = run_main_expecting_error(airline_lstm.main, ["--horizon", "13", "--dry-run",
                                                        "--output-dir", str(tmp_path / "r")], capsys)
    assert "--horizon 13" in line and "at most 12" in line


def _write_monthly(path, start, values):
    import pandas as pd

    months = pd.date_range(start, periods=len(values), freq="MS")
    path.write_text("Month,Value\n" + "".join(f"{m:%Y-%m},{v}\n" for m, v in zip(months, values)))
    return months


def test_other_series_give_windows_with_their_own_statistics(tmp_path, monkeypatch):
    """A global network's extra windows: every other panel series, the forecast one
    excluded, each normalised by itself (a series 1000x larger gives the same values)."""
    monkeypatch.setattr(airline_lstm, "PANEL_DIR", tmp_path)
    noise = np.random.default_rng(0).uniform(0.9, 1.1, 60)  # the yearly growth varies
    growth = 100 * 1.01 ** np.arange(60) * (1 + 0.2 * np.sin(np.arange(60) * np.pi / 6)) * noise
    _write_monthly(tmp_path / "small.csv", "1990-01", growth)
    _write_monthly(tmp_path / "large.csv", "1990-01", 1000 * growth)
    config = dict(airline_lstm.PRESETS["best"], other_series="panel")
    x, y, names, validation = airline_lstm.other_series_windows(config)["log_seasonal"]
    assert validation is None  # early stopping watches the forecast series alone
    per_series = 60 - 12 - 24 - 12 + 1
    assert names == ["large", "small"] and x.shape == (2 * per_series, 24, 1)
    assert y.shape == (2 * per_series, 12)
    np.testing.assert_allclose(x[:per_series], x[per_series:], atol=1e-4)
    x, _, names, _ = airline_lstm.other_series_windows(config, exclude=tmp_path / "small.csv")[
        "log_seasonal"]
    assert names == ["large"] and len(x) == per_series
    assert airline_lstm.other_series_windows(dict(config, other_series="none")) is None


def test_validating_on_all_series_holds_out_each_series_last_year(tmp_path, monkeypatch):
    monkeypatch.setattr(airline_lstm, "PANEL_DIR", tmp_path)
    _write_monthly(tmp_path / "one.csv", "1990-01", np.linspace(100, 200, 80))
    _write_monthly(tmp_path / "two.csv", "1990-01", np.linspace(300, 900, 90))
    config = dict(airline_lstm.PRESETS["best"], other_series="panel", validate_on="all_series",
                  transform="log_seasonal")
    x, y, names, (val_x, val_y) = airline_lstm.other_series_windows(config)["log_seasonal"]
    # 12 months lost to the yearly differences, the last 12 held out of training
    assert names == ["one", "two"] and len(x) == (80 - 12 - 47) + (90 - 12 - 47)
    assert val_x.shape == (2, 24, 1) and val_y.shape == (2, 12)
    scaled = airline_lstm.Scaler("log_seasonal", np.linspace(300, 900, 90)).to_model(
        np.linspace(300, 900, 90))
    np.testing.assert_allclose(val_y[1], scaled[-12:], rtol=1e-5)  # its last year, unseen
    assert not any(np.allclose(target, scaled[-12:]) for target in y)
    seen = []
    monkeypatch.setattr(airline_lstm, "train_network", lambda train_xy, validation_xy, config,
                        run, member: seen.append(validation_xy[0].shape))
    airline_lstm.train_ensemble(np.linspace(100, 200, 96).astype("float32"),
                                dict(config, ensemble=1),
                                None, airline_lstm.other_series_windows(config))
    assert seen == [(3, 24, 1)]  # the forecast series' window and the two others'


def test_other_series_overlapping_in_time_stop_before_the_unseen_months(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setattr(airline_lstm, "PANEL_DIR", tmp_path)
    _write_monthly(tmp_path / "same_years.csv", "1990-01", np.linspace(100, 200, 100))
    _write_monthly(tmp_path / "later.csv", "2030-01", np.linspace(100, 200, 100))
    config = dict(airline_lstm.PRESETS["best"], other_series="panel")
    months = pd.date_range("1992-01", periods=60, freq="MS")  # unseen from month 48: 1996-01
    x, _, names, _ = airline_lstm.other_series_windows(config, months=months,
                                                    first_unseen=48)["log_seasonal"]
    # same_years keeps 1990-01..1995-12 (72 months); later lies after the series: all 100
    assert names == ["later", "same_years"]
    assert len(x) == (100 - 47) + (72 - 47)


def test_the_forecast_series_counts_series_weight_times_among_the_others(monkeypatch):
    seen = []
    monkeypatch.setattr(airline_lstm, "train_network",
                        lambda train_xy, validation_xy, config, run, member: seen.append(
                            (train_xy[0].shape, train_xy[1].shape, validation_xy[0].shape)))
    config = dict(airline_lstm.PRESETS["best"], ensemble=1, series_weight=3,
                  transform="log_seasonal")
    train = np.linspace(100, 200, 96).astype("float32")
    others = {"log_seasonal": (np.zeros((7, 24, 1), "float32"), np.zeros((7, 12), "float32"),
                               ["other"], None)}
    airline_lstm.train_ensemble(train, config, None, others)
    own = 96 - 12 - 12 - 24 - 12 + 1  # a year lost to the differences, the last validates
    assert seen == [((3 * own + 7, 24, 1), (3 * own + 7, 12), (1, 24, 1))]


def test_other_series_without_the_panel_folder_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(airline_lstm, "PANEL_DIR", tmp_path / "panel")
    line = run_main_expecting_error(airline_lstm.main, ["--preset", "best", "--dry-run",
                                                        "--output-dir", str(tmp_path / "run")],
                                    capsys)
    assert "panel" in line and "--other-series none" in line
    assert not (tmp_path / "run").exists()  # checked before the run folder is made


def test_an_undated_other_series_is_never_cut(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setattr(airline_lstm, "PANEL_DIR", tmp_path)
    (tmp_path / "undated.csv").write_text("Value\n" + "".join(
        f"{v}\n" for v in np.linspace(100, 200, 100)))
    config = dict(airline_lstm.PRESETS["best"], other_series="panel")
    months = pd.date_range("1992-01", periods=60, freq="MS")
    x, _, names, _ = airline_lstm.other_series_windows(config, months=months,
                                                    first_unseen=48)["log_seasonal"]
    assert names == ["undated"] and len(x) == 100 - 47


def test_a_series_too_short_for_seasonal_indices_exits_2(tmp_path, capsys):
    path = tmp_path / "short.csv"
    path.write_text("sales\n" + "".join(f"{100 + i}\n" for i in range(30)))
    line = run_main_expecting_error(airline_lstm.main, [
        "--csv", str(path), "--column", "sales", "--transform", "log_deseasonal", "--dry-run",
        "--output-dir", str(tmp_path / "r")], capsys)
    assert "needs at least 24 training months, the series gives 23" in line
    assert not (tmp_path / "r").exists()
