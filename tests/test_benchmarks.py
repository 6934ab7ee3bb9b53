"""The benchmark harness in --quick mode (dry-run sizes): files written, every row present,
baselines computed, failures reported rather than dropped."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import harness, report

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_writes_json_and_markdown_with_every_row(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--examples", "spam,airline", "--seeds", "1",
         "--quick", "--results-dir", str(tmp_path / "results"), "--work-dir", str(tmp_path / "work")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    [json_path] = (tmp_path / "results").glob("*-quick.json")
    [md_path] = (tmp_path / "results").glob("*-quick.md")
    results = json.loads(json_path.read_text())

    runs = {(r["example"], r["preset"], r["seed"]): r for r in results["runs"]}
    assert set(runs) == {(e, p, 0) for e in ("spam", "airline") for p in ("chapter", "best")}
    for run in runs.values():
        assert run["status"] == "ok", run
        assert run["commit"] == results["machine"]["commit"] != ""
        assert run["wall_seconds"] > 0 and run["peak_rss_mb"] > 50
        assert run["seconds_per_epoch"] > 0 and run["samples_per_second"] > 0
        assert (tmp_path / "work" / f"{run['example']}-{run['preset']}-seed0" / "metrics.json").is_file()
    assert 0 <= runs["spam", "chapter", 0]["metrics"]["test_accuracy"] <= 1
    assert runs["airline", "best", 0]["metrics"]["rmse_one_step"] > 0

    baselines = {(b["example"], b["name"]): b["metrics"] for b in results["baselines"]}
    assert set(baselines) == {("spam", "tfidf_word_1_2_svm"), ("spam", "tfidf_char_2_5_svm"),
                              ("spam", "tfidf_word_char_svm"),
                              ("airline", "naive"), ("airline", "seasonal_naive"),
                              ("airline", "holt_winters"), ("airline", "sarima"),
                              ("airline", "auto_arima")}
    assert baselines["airline", "naive"]["rmse_one_step"] == pytest.approx(50.30, abs=0.01)
    assert baselines["airline", "sarima"]["rmse_one_step"] < baselines["airline", "naive"]["rmse_one_step"]
    assert results["machine"]["cpu_count"] == os.cpu_count()
    import statsmodels  # the baselines' libraries are recorded (and shown) with the machine
    assert results["machine"]["libraries"]["statsmodels"] == statsmodels.__version__

    for example in ("spam", "airline"):
        png = md_path.with_name(md_path.stem + f"-{example}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    markdown = md_path.read_text()
    for row in ("| spam | chapter |", "| spam | best |", "| airline | chapter |",
                "| airline | best |", "| SARIMA (0,1,1)(0,1,1)12 on logs |",
                "| TF-IDF char 2-5-grams + LinearSVC, C by 5-fold CV |", "96.2% accuracy",
                f"statsmodels {statsmodels.__version__}"):
        assert row in markdown


def test_a_failed_run_is_reported_not_dropped(tmp_path, monkeypatch):
    script = tmp_path / "broken.py"
    script.write_text("import sys\nprint('error: the data set is missing')\nsys.exit(2)\n")
    monkeypatch.setitem(harness.SCRIPTS, "spam", str(script))
    (tmp_path / "logs").mkdir()
    args = argparse.Namespace(quick=True, data_dir=None, timeout=60)
    record = harness.run_script("spam", "chapter", 3, args, tmp_path)
    assert record["status"] == "failed" and record["returncode"] == 2
    assert "the data set is missing" in record["error"]

    results = {"machine": {"description": "test", "python": "3", "tensorflow": "2",
                           "keras": "3", "commit": "x"}, "runs": [record], "baselines": []}
    assert "0/1 (FAILED: seed 3: exit 2: error: the data set is missing)" in report.render(results)


def test_a_failed_baseline_is_reported_not_dropped(monkeypatch, capsys):
    from benchmarks import baselines

    def broken(seed, quick=False):
        raise ValueError("no such column")

    monkeypatch.setitem(baselines.BASELINES, "airline", broken)
    rows = harness.run_baselines("airline", [0], argparse.Namespace(quick=True, debug=False))
    assert [(r["name"], r["error"]) for r in rows] == [("failed", "no such column")]
    assert "baselines for airline, seed 0 FAILED: no such column" in capsys.readouterr().err


def test_mean_and_sample_standard_deviation():
    assert report.mean_std([0.9, 0.92, 0.94], "pct") == "92.00 +- 2.00%"
    assert report.mean_std([15.0], "f2") == "15.00"
    assert report.mean_std([], "f2") == "-"


def test_unknown_example_is_a_one_line_error():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--examples", "spam,mnist"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--examples" in result.stderr and "mnist" in result.stderr
    assert "Traceback" not in result.stderr


def test_gpu_check_times_the_cpu_when_there_is_no_gpu(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.gpu_check", "--examples", "airline",
         "--results-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=240,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES=""))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "No GPU visible" in result.stdout
    [path] = tmp_path.glob("*-gpu-check.json")
    row = json.loads(path.read_text())["examples"]["airline"]
    assert row["cpu"]["status"] == "ok" and row["cpu"]["steady_seconds_per_epoch"] > 0


def test_cudnn_report_traces_every_preset():
    """On CPU no cuDNN op can appear: the report must say so rather than claim a kernel."""
    from benchmarks import gpu_check

    report = gpu_check.cudnn_report("spam", device="/CPU:0")
    assert report["chapter"].startswith("no: SimpleRNN has no cuDNN kernel")
    assert report["best"].startswith("NO (GRU)")


def test_steady_speed_leaves_out_the_first_epoch():
    run = {"epochs": 4, "seconds_per_epoch": 2.5,
           "metrics": {"steady_seconds_per_epoch": 1.0, "samples_seen": 400}}
    assert report.steady_speed(run) == (1.0, 100.0)
    assert report.steady_speed({"seconds_per_epoch": 2.0, "samples_per_second": 7.0}) == (2.0, 7.0)


def test_text_baselines_include_the_character_svm_and_the_word_char_union():
    from benchmarks import baselines

    rows = baselines.sentiment(0, quick=True)
    # the best preset reads the sentiment lexicon, so an SVM that reads it is on the table too
    assert set(rows) == {"tfidf_word_1_2_svm", "tfidf_char_2_5_svm", "tfidf_word_char_svm",
                         "tfidf_char_lexicon_svm"}
    assert all(0.0 <= row["metrics"]["test_accuracy"] <= 1.0 for row in rows.values())
    texts = ["good movie", "bad movie", "awesome film", "sucks"]
    union = baselines._svm_text_classifier("word+char", None).fit(texts, [1, 0, 1, 0])
    word = baselines._svm_text_classifier("word", (1, 2)).fit(texts, [1, 0, 1, 0])
    char = baselines._svm_text_classifier("char_wb", (2, 5)).fit(texts, [1, 0, 1, 0])
    width = lambda model: model[-1].coef_.shape[1]  # noqa: E731
    assert width(union) == width(word) + width(char)
    lexicon = {"loathe": -2.2, "adore": 2.5}
    read = baselines._svm_text_classifier("char+lexicon", None, lexicon).fit(texts, [1, 0, 1, 0])
    assert width(read) == width(char) + 3  # positive sum, negative sum, any word in it
    assert "tfidf_char_lexicon_svm" not in baselines.spam(0, quick=True)


def test_result_figures_show_every_seed_of_every_model_with_the_better_direction(tmp_path):
    from benchmarks import figures

    runs = [{"example": "spam", "preset": preset, "seed": seed, "status": "ok",
             "metrics": {"test_accuracy": 0.9 + seed / 100}}
            for preset in ("chapter", "best") for seed in range(3)]
    runs.append({"example": "spam", "preset": "best", "seed": 3, "status": "failed", "metrics": {}})
    baselines = [{"example": "spam", "name": "svm", "label": "an SVM", "short": "SVM", "seed": seed,
                  "metrics": {"test_accuracy": 0.95}} for seed in range(3)]
    results = {"runs": runs, "baselines": baselines}
    rows = dict(figures.rows_for(results, "spam", "test_accuracy"))
    assert rows == {"chapter preset": [0.9, 0.91, 0.92], "best preset": [0.9, 0.91, 0.92],
                    "SVM": [0.95, 0.95, 0.95]}
    assert figures.chapter_value("spam") == pytest.approx(0.962)
    assert figures.chapter_value("airline") is None
    assert figures.direction("rmse_one_step") == "lower is better"
    assert figures.direction("test_accuracy") == "higher is better"
    [path] = figures.render(results, tmp_path, "r")
    assert path.name == "r-spam.png" and path.read_bytes()[:4] == b"\x89PNG"


def test_result_figures_show_baselines_on_the_best_presets_seeds_only():
    from benchmarks import figures

    def run(preset, seed):
        return {"example": "spam", "preset": preset, "seed": seed, "status": "ok",
                "metrics": {"test_accuracy": 0.9}}

    baselines = [{"example": "spam", "name": "svm", "label": "an SVM", "short": "SVM",
                  "seed": seed, "metrics": {"test_accuracy": 0.9 + seed / 100}}
                 for seed in (0, 1, 5, 42)]
    chapter_only = {"runs": [run("chapter", seed) for seed in (0, 1, 5, 42)],
                    "baselines": baselines}
    assert dict(figures.rows_for(chapter_only, "spam", "test_accuracy"))["SVM"] == pytest.approx(
        [0.9, 0.91, 0.95, 1.32])
    both = dict(chapter_only, runs=chapter_only["runs"] + [run("best", 0), run("best", 1)])
    assert dict(figures.rows_for(both, "spam", "test_accuracy"))["SVM"] == pytest.approx([0.9, 0.91])


def test_seeds_are_a_count_or_a_list_with_ranges():
    assert harness.seed_list("3") == [0, 1, 2]
    assert harness.seed_list("0-7,42,100") == [0, 1, 2, 3, 4, 5, 6, 7, 42, 100]
    assert harness.seed_list("5,5,1") == [5, 1]
    for bad in ("0", "a", "3-1", "1,,2", "-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            harness.seed_list(bad)


def test_summary_table_shows_what_a_single_run_may_show():
    def run(seed, accuracy):
        return {"example": "spam", "preset": "chapter", "seed": seed, "status": "ok",
                "wall_seconds": 1.0, "metrics": {"test_accuracy": accuracy}}

    results = {"runs": [run(0, 0.95), run(42, 0.92), run(100, 0.97)], "baselines": []}
    [row] = [line for line in report.summary_table(results) if line.startswith("| spam |")]
    assert "| 92.00-97.00% |" in row and "94.67 +- 2.52%" in row


def test_compact_table_names_the_strongest_baseline_per_headline_figure(monkeypatch):
    def run(preset, seed, one, free):
        return {"example": "airline", "preset": preset, "seed": seed, "status": "ok",
                "wall_seconds": 10.0 + seed,
                "metrics": {"rmse_one_step": one, "rmse_free_running": free}}

    def baseline(name, one, free):
        return {"example": "airline", "name": name, "short": name, "label": name, "seed": 0,
                "metrics": {"rmse_one_step": one, "rmse_free_running": free}}

    results = {"runs": [run("chapter", s, 60.0 + s, 100.0) for s in (0, 1, 2, 42)]
               + [run("best", 0, 20.0, 30.0)],
               "baselines": [baseline("A", 15.0, 40.0), baseline("B", 18.0, 27.0),
                             baseline("C", 50.0, 120.0)]}
    monkeypatch.setitem(report.PER_SEED, "airline", True)  # only the best preset's seed 0 counts
    results["baselines"].append(dict(baseline("D", 1.0, 1.0), seed=1))
    [row] = report.compact_table(results)[2:]
    assert "single runs 60.00-102.00 / 100.00-100.00; seeds 0-2, 42)" in row
    assert "| A: 15.00 / B: 27.00 |" in row  # lower RMSE is better, per figure
    assert "chapter 10-52 s, best 10-10 s" in row


def test_baselines_only_keeps_the_runs_and_adds_the_baselines(tmp_path, monkeypatch):
    from benchmarks import baselines

    searched = []
    real_fit = baselines.fit_auto_arima
    monkeypatch.setattr(baselines, "fit_auto_arima",
                        lambda train, orders=None: searched.append(orders) or real_fit(train, orders))
    results_dir = tmp_path / "results"
    argv = ["--examples", "airline", "--seeds", "1", "--quick", "--baselines-only",
            "--results-dir", str(results_dir), "--work-dir", str(tmp_path / "work")]
    harness.main(argv)
    [json_path] = results_dir.glob("*-quick.json")
    results = json.loads(json_path.read_text())
    assert results["runs"] == [] and {b["name"] for b in results["baselines"]} >= {"sarima"}
    assert not list((tmp_path / "work").glob("airline-*"))  # no script ran
    assert searched == [baselines.AUTO_ARIMA_ORDERS[:baselines.QUICK_ORDERS]]  # --quick: 3 of 36


def test_results_name_adds_to_an_earlier_days_file(tmp_path, capsys):
    results_dir = tmp_path / "results"
    common = ["--seeds", "1", "--quick", "--baselines-only", "--results-dir", str(results_dir),
              "--work-dir", str(tmp_path / "work"), "--results-name", "2026-01-01-box.json"]
    harness.main(["--examples", "airline", *common])
    harness.main(["--examples", "spam", *common])
    assert sorted(p.name for p in results_dir.glob("*.json")) == ["2026-01-01-box.json"]
    results = json.loads((results_dir / "2026-01-01-box.json").read_text())
    assert {b["example"] for b in results["baselines"]} == {"airline", "spam"}
    assert (results_dir / "2026-01-01-box.md").is_file()
    with pytest.raises(SystemExit) as error:
        harness.main(["--results-name", "../elsewhere"])
    assert error.value.code == 2 and "--results-name" in capsys.readouterr().err


def test_har_cnn_baselines_on_held_out_and_on_every_subject(tmp_path):
    from benchmarks import baselines
    from test_har import write_tiny_har

    folder = write_tiny_har(tmp_path / "data")
    rows = baselines.har(0, quick=True, data_dir=folder.parent)
    assert set(rows) == {"cnn_1d", "cnn_1d_all_subjects"}
    for row in rows.values():
        assert 0 <= row["metrics"]["test_accuracy"] <= 1


def test_merge_replaces_rows_in_place_and_keeps_several_rows_per_key():
    from benchmarks.harness import merge

    def row(seed, name, value):
        return {"seed": seed, "name": name, "value": value}

    old = [row(5, "a", 1), row(5, "b", 1), row(0, "a", 1), row(0, "b", 1), row(1, "a", 1)]
    new = [row(0, "a", 2), row(0, "b", 2), row(7, "a", 2)]
    merged = merge(old, new, key=lambda r: r["seed"])
    assert [(r["seed"], r["name"], r["value"]) for r in merged] == [
        (5, "a", 1), (5, "b", 1), (0, "a", 2), (0, "b", 2), (1, "a", 1), (7, "a", 2)]


@pytest.mark.parametrize("wait4", [True, False])
def test_a_child_is_waited_for_and_killed_at_its_time_limit(monkeypatch, wait4):
    """With wait4 (Linux, macOS) the child's memory comes too; without it (Windows) only its
    exit status."""
    if not wait4:
        monkeypatch.delattr(os, "wait4", raising=False)
    elif not hasattr(os, "wait4"):
        pytest.skip("this system has no wait4")
    done = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    status, usage = harness._wait(done, timeout=60)
    assert status == 3 and (usage is not None) == wait4
    stuck = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    status, _ = harness._wait(stuck, timeout=0.5)
    assert status is None and stuck.returncode == -9 and stuck.poll() is not None


def test_a_selection_fits_run_folder_is_removed_afterwards():
    config = {"seed": 0, "preset": "candidate", "dry_run": True, "epochs": 1}
    with harness.quiet_run("sentiment", config) as run:
        folder = run.dir
        (folder / "weights.bin").write_bytes(b"0" * 10)
        assert folder.is_dir()
    assert not folder.exists() and not folder.parent.exists()


def test_holt_winters_keeps_the_fit_with_the_lowest_training_error():
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    from benchmarks import baselines

    months = np.loadtxt(ROOT / "data" / "airline-passengers.csv", delimiter=",", skiprows=1,
                        usecols=1)[:108]  # the script's training months
    spec = dict(trend="add", seasonal="mul", seasonal_periods=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = baselines.fit_holt_winters(months, **spec)
        each = [ExponentialSmoothing(months, initialization_method="estimated", **spec).fit(
            method=method).sse for method in baselines.HOLT_WINTERS_METHODS]
    assert kept.sse == pytest.approx(min(each))
    assert kept.sse <= each[0]  # never worse than statsmodels' default optimiser


def test_text_svms_choose_c_by_cross_validation_on_the_training_texts_only():
    from benchmarks import baselines

    rng = np.random.default_rng(0)
    words = ["good", "great", "fine", "bad", "awful", "poor", "movie", "book", "plot", "the"]

    def texts(n):
        labels = rng.integers(0, 2, n)
        return [" ".join([words[rng.integers(0 if y else 3, 3 if y else 6)],
                          *rng.choice(words[6:], 3)]) for y in labels], labels

    fit, held_out = texts(60), texts(40)
    rows = baselines.text_svms(fit, held_out, tune_c=True)
    for name, row in rows.items():
        c = row["metrics"]["svm_c"]
        assert c in baselines.SVM_C_GRID and "C by 5-fold CV" in row["label"]
        _, _, analyzer, ngrams = baselines.TEXT_SVMS[name]
        again = baselines._svm_text_classifier(analyzer, ngrams, c=c).fit(*fit)
        assert row["metrics"]["test_accuracy"] == (again.predict(held_out[0]) == held_out[1]).mean()
    fixed = baselines.text_svms(fit, held_out)  # C = 1, as the preset selections score them
    assert all("svm_c" not in row["metrics"] for row in fixed.values())


def test_auto_arima_keeps_the_orders_with_the_lowest_aic_on_the_training_months(monkeypatch):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    from benchmarks import baselines

    months = np.loadtxt(ROOT / "data" / "airline-passengers.csv", delimiter=",", skiprows=1,
                        usecols=1)
    train, test = months[:108], months[108:]
    orders = [((0, 1, 1), (0, 1, 1, 12)), ((1, 1, 0), (0, 1, 0, 12)), ((0, 1, 0), (0, 1, 0, 12))]
    monkeypatch.setattr(baselines, "AUTO_ARIMA_ORDERS", orders)
    aics = [SARIMAX(train, order=o, seasonal_order=so).fit(disp=False).aic for o, so in orders]
    scored = baselines.auto_arima(train, test)
    best = orders[int(np.argmin(aics))]
    assert scored["orders"] == [list(best[0]), list(best[1])]
    assert 0 < scored["mape_one_step"] < scored["mape_free_running"] < 100
