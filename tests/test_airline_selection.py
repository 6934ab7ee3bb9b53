"""benchmarks/airline_selection.py: the panel loads, and a candidate is scored on the months
after each origin having seen only the months before it."""

import json

import numpy as np
import pytest

import airline_lstm
from benchmarks import airline_selection


def test_the_panel_series_load_with_their_months():
    cases = airline_selection.series_and_origins()
    assert [c[1] for c in cases][0] == "airline 1949-1957" and len(cases) == 6
    for group, name, series, origins, horizon, path, months in cases:
        assert series.dtype == np.float32 and np.isfinite(series).all() and (series > 0).all()
        assert len(series) >= 100 and origins and origins[-1] + horizon == len(series)
        assert len(months) == len(series) and path.is_file()
    airline = cases[0][2]
    assert len(airline) == 108  # the airline test months are never read
    assert f"{cases[0][6][-1]:%Y-%m}" == "1957-12"


def test_a_candidate_is_trained_on_the_months_before_the_origin_only(monkeypatch):
    seen_lengths = []
    original = airline_lstm.train_ensemble

    def spy(values, config, run, others=None):
        seen_lengths.append(len(values))
        return original(values, config, run, others)

    monkeypatch.setattr(airline_lstm, "train_ensemble", spy)
    config = dict(airline_lstm.PRESETS["chapter"], epochs=1)
    series = np.linspace(100, 300, 80).astype("float32") * (1 + 0.1 * np.sin(np.arange(80) / 2))
    scored = airline_selection.evaluate(config, series, origin=60, horizon=12, seed=0)
    assert seen_lengths == [60]  # z-scored values of the 60 months before the origin
    for key in ("mape_one_step", "mape_free_running", "rmse_one_step"):
        assert np.isfinite(scored[key]) and scored[key] > 0


def test_the_loss_and_the_variant_models_input_noise():
    config = dict(airline_lstm.PRESETS["best"], seed=0)
    windows = np.ones((4, config["seq_size"], 1), dtype="float32")

    def loss_three_off(model):  # squared: 9; Huber (linear past 1): 3 - 0.5
        return model.evaluate(windows, model.predict(windows, verbose=0) + 3, verbose=0)

    assert loss_three_off(airline_lstm.build_model(dict(config, loss="mse"))) == pytest.approx(9)
    assert loss_three_off(airline_lstm.build_model(config)) == pytest.approx(2.5)  # the preset's
    build = airline_selection.variant_model(airline_lstm.build_model)
    assert loss_three_off(build(dict(config, huber_delta=0.5))) == pytest.approx(3 * 0.5 - 0.125)
    noisy = build(dict(config, input_noise=0.5))
    np.testing.assert_allclose(noisy(windows, training=False), noisy(windows, training=False))
    assert not np.allclose(noisy(windows, training=True), noisy(windows, training=False))
    assert noisy.output_shape == (None, config["horizon"])
    assert loss_three_off(noisy) == pytest.approx(2.5)  # the candidate's own loss
    candidates = airline_selection.candidates()  # earlier candidates keep the squared error
    assert candidates["combined_panel_b256_patience10"]["loss"] == "mse"
    assert candidates["combined_huber_patience5"] == airline_lstm.PRESETS["best"]
    assert candidates["combined_huber"] == dict(airline_lstm.PRESETS["best"], patience=10)


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_candidates_scored_earlier_stay_in_the_results(tmp_path, monkeypatch):
    output = tmp_path / "selection.json"
    output.write_text('{"candidates": {"earlier": {"summary": {}, "rows": []}}}')
    monkeypatch.setattr(airline_selection, "series_and_origins", lambda: [])
    monkeypatch.setattr(airline_selection, "evaluate", lambda *a, **k: {})
    airline_selection.main(["--candidates", "direct12", "--output", str(output)])
    assert list(json.loads(output.read_text())["candidates"]) == ["earlier", "direct12"]


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_first_seed_scores_the_later_seeds_only(tmp_path, monkeypatch):
    monkeypatch.setattr(airline_selection, "CLASSICAL", ())
    seeds = []
    monkeypatch.setattr(airline_selection, "series_and_origins", lambda: [
        ("backtest", "toy", np.ones(96, dtype="float32"), [72, 84], 12, None, None)])
    monkeypatch.setattr(airline_selection, "evaluate", lambda config, *a, **k: seeds.append(
        a[3]) or {"mape_one_step": 1.0, "mape_free_running": 2.0, "seconds": 0.0})
    airline_selection.main(["--candidates", "direct12", "--first-seed", "1", "--seeds", "2",
                            "--output", str(tmp_path / "s.json")])
    assert seeds == [1, 2, 1, 2]  # two origins, seeds 1 and 2
    rows = json.loads((tmp_path / "s.json").read_text())["candidates"]["direct12"]["rows"]
    assert [row["seed"] for row in rows] == [1, 2, 1, 2]


def few_orders(monkeypatch):
    """auto_arima searches 3 orders instead of 36 (its search: tests/test_benchmarks.py)."""
    from benchmarks import baselines

    monkeypatch.setattr(baselines, "AUTO_ARIMA_ORDERS", baselines.AUTO_ARIMA_ORDERS[:3])


def toy_origins(monkeypatch):
    """The selection's cases replaced by one toy series (1% growth a month, a 12-month season)
    as a backtest from months 72 and 84 and as a panel series from 84: each group scored, so
    no group's mean is taken over nothing."""
    months = np.arange(96)
    series = (100 * 1.01 ** months * (1 + 0.2 * np.sin(2 * np.pi * months / 12))).astype("float32")
    monkeypatch.setattr(airline_selection, "series_and_origins", lambda: [
        ("backtest", "toy", series, [72, 84], 12, None, None),
        ("panel", "toy", series, [84], 12, None, None)])


def test_classical_forecasters_are_scored_on_the_same_origins(tmp_path, monkeypatch):
    few_orders(monkeypatch)
    toy_origins(monkeypatch)
    monkeypatch.setattr(airline_selection, "evaluate", lambda *a, **k: {
        "mape_one_step": 1.0, "mape_free_running": 2.0, "seconds": 0.0})
    airline_selection.main(["--candidates", "direct12", "--output", str(tmp_path / "s.json")])
    classical = json.loads((tmp_path / "s.json").read_text())["classical"]
    assert list(classical) == ["seasonal_naive", "holt_winters", "sarima", "auto_arima"]
    for name, scored in classical.items():
        assert [(row["group"], row["origin"]) for row in scored["rows"]] == [
            ("backtest", 72), ("backtest", 84), ("panel", 84)]
        assert np.isfinite(scored["summary"]["backtest_mape_free_running"])
    # Growth of 1% a month: last year's months are about 11% too low; the others follow it.
    assert 10 < classical["seasonal_naive"]["rows"][0]["mape_one_step"] < 12
    assert classical["sarima"]["summary"]["backtest_mape_one_step"] < 2


def test_the_long_backtest_forecasts_36_months_inside_the_training_years(tmp_path, monkeypatch):
    few_orders(monkeypatch)
    calls = []

    def spy(config, series, origin, horizon, seed, path=None, months=None):
        calls.append((len(series), origin, horizon, seed, f"{months[origin - 1]:%Y-%m}"))
        return {"rmse_one_step": 1.0, "rmse_free_running": 2.0, "mape_one_step": 3.0,
                "mape_free_running": 4.0, "seconds": 0.0}

    monkeypatch.setattr(airline_selection, "evaluate", spy)
    output = tmp_path / "selection.json"
    output.write_text('{"candidates": {"earlier": {}}}')
    airline_selection.main(["--long-backtest", "--seeds", "2", "--output", str(output)])
    # Seen: up to 1953-12 and 1954-12; forecast to 1956-12 and 1957-12, never the test years.
    assert calls == [(108, 60, 36, 0, "1953-12"), (108, 60, 36, 1, "1953-12"),
                     (108, 72, 36, 0, "1954-12"), (108, 72, 36, 1, "1954-12")]
    results = json.loads(output.read_text())
    assert "earlier" in results["candidates"]
    summary = results["long_backtest"]["summary"]
    assert summary["best@60"]["mape_free_running"] == 4.0
    for name in ("seasonal_naive", "holt_winters", "sarima", "auto_arima"):
        assert np.isfinite(summary[f"{name}@72"]["rmse_free_running"])
    assert summary["sarima@60"]["mape_free_running"] < summary["seasonal_naive@60"]["mape_free_running"]


def test_classical_only_trains_no_network(tmp_path, monkeypatch):
    few_orders(monkeypatch)

    def no_network(*args, **kwargs):
        raise AssertionError("a network was trained")

    monkeypatch.setattr(airline_selection, "evaluate", no_network)
    output = tmp_path / "selection.json"
    airline_selection.main(["--classical-only", "--long-backtest", "--output", str(output)])
    summary = json.loads(output.read_text())["long_backtest"]["summary"]
    assert sorted(summary) == sorted(f"{name}@{origin}" for name in airline_selection.CLASSICAL
                                     for origin in airline_selection.LONG_ORIGINS)
    toy_origins(monkeypatch)
    airline_selection.main(["--classical-only", "--output", str(output)])
    results = json.loads(output.read_text())
    assert list(results["classical"]) == list(airline_selection.CLASSICAL)
    assert results["candidates"] == {}


def test_the_weight_averaging_candidate_checks_the_averaged_weights(monkeypatch):
    import keras

    config = dict(airline_lstm.PRESETS["chapter"], epochs=2, ema_momentum=0.9)
    averaging = airline_selection.variant_model(airline_lstm.build_model)(dict(config, seed=0))
    assert averaging.optimizer.use_ema and averaging.loss == "mse"  # the candidate's own loss
    made = []

    class Recorded(keras.callbacks.SwapEMAWeights):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(keras.callbacks, "SwapEMAWeights", Recorded)
    series = np.linspace(100, 300, 80).astype("float32") * (1 + 0.1 * np.sin(np.arange(80) / 2))
    airline_selection.evaluate(config, series, origin=60, horizon=12, seed=0)
    assert len(made) == 1 and made[0].swap_on_epoch  # the one network's checks
    config.pop("ema_momentum")
    airline_selection.evaluate(config, series, origin=60, horizon=12, seed=0)
    assert len(made) == 1  # none without the candidate's option
