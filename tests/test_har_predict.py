"""har_lstm.py predict and export on dry-run models of the tiny generated data set."""

import csv
import json

import keras
import numpy as np
import pytest

import har_lstm
from common import signals, tflite
from conftest import run_main_expecting_error
from test_har import write_tiny_har


@pytest.fixture(scope="module", params=["chapter", "best"])
def har_run(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"har-{request.param}")
    data_dir = write_tiny_har(root / "data").parent
    run_dir = root / "run"
    result = har_lstm.main(["--preset", request.param, "--dry-run", "--data-dir", str(data_dir),
                            "--output-dir", str(run_dir)])
    return run_dir, result


def write_recording(path, seconds=8.0, extra_columns=True, activity=None):
    """A phone at the waist (x up, as in the data set) held still, then shaken: the columns a
    phone app writes, plus a timestamp."""
    t = np.arange(0, seconds, 1 / signals.SAMPLE_RATE)
    rows = [["timestamp", "acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
            + (["activity"] if activity else [])]
    for i, ti in enumerate(t):
        shake = 0.4 * np.sin(2 * np.pi * 2 * ti) if ti > seconds / 2 else 0.0
        row = [f"{ti:.2f}", "0.97", f"{0.1 + shake:.5f}", "0.2", f"{shake:.4f}", "0.01", "-0.02"]
        rows.append(row + ([activity(i)] if activity else []))
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_predict_on_the_test_split_gives_the_runs_accuracy(har_run, capsys):
    run_dir, result = har_run
    predicted = har_lstm.main(["predict", "--run", str(run_dir), "--samples", "4"])
    out = capsys.readouterr().out
    assert predicted["test_accuracy"] == pytest.approx(result["test_accuracy"], abs=1e-6)
    assert out.count("true ") == 4 and "Test accuracy" in out


def test_predict_on_a_recording_writes_predictions_and_timeline(har_run, tmp_path, capsys):
    run_dir, _ = har_run
    csv_path = write_recording(tmp_path / "phone.csv", seconds=8.0,
                               activity=lambda i: "STANDING" if i < 200 else "WALKING")
    result = har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(csv_path),
                            "--output-dir", str(tmp_path / "out")])
    n_windows = (400 - 128) // 64 + 1  # 8 s at 50 Hz
    with open(tmp_path / "out" / "predictions.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["start_s"]) for r in rows] == [i * 1.28 for i in range(n_windows)]
    assert all(r["activity"] in har_lstm.LABELS and 0 < float(r["probability"]) <= 1 for r in rows)
    assert result["activities"] == [r["activity"] for r in rows]
    assert (tmp_path / "out" / "activity_timeline.png").read_bytes()[:4] == b"\x89PNG"
    labels = ["STANDING" if s + 64 < 200 else "WALKING" for s in range(0, 64 * n_windows, 64)]
    agreement = np.mean([a == b for a, b in zip(result["activities"], labels)])
    assert result["agreement"] == pytest.approx(agreement)
    assert result["labels"] == labels
    out = capsys.readouterr().out
    assert out.count(" s  ") == n_windows and "Agreement with the recording's activity" in out


def test_predict_on_an_android_recording_at_100_hz(har_run, tmp_path, capsys):
    """m/s2 at 100 Hz without a time column: --acc-unit and --rate read it as g at 50 Hz."""
    run_dir, _ = har_run
    rows = ["acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z"]
    for i in range(1000):  # 10 s
        rows.append(f"{0.98 + 0.5 * np.sin(i / 10):.4f},1.96,9.61,{np.sin(i / 50):.4f},0,0.02")
    path = tmp_path / "android.csv"
    path.write_text("\n".join(rows) + "\n")
    result = har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(path), "--rate", "100",
                            "--acc-unit", "m/s2", "--output-dir", str(tmp_path / "out")])
    assert result["windows"] == (500 - 128) // 64 + 1
    with open(tmp_path / "out" / "predictions.csv") as handle:
        starts = [float(row["start_s"]) for row in csv.DictReader(handle)]
    assert starts == [i * 1.28 for i in range(result["windows"])]
    assert "1000 readings at 100.0 Hz, accelerometer in m/s2: read as g at 50 Hz" in \
        capsys.readouterr().out


def test_predict_on_a_recording_with_a_pause(har_run, tmp_path, capsys):
    """The app stopped for 20 s: the windows stop before the pause and start again after."""
    run_dir, _ = har_run
    path = write_recording(tmp_path / "paused.csv", seconds=8.0)
    lines = path.read_text().splitlines()
    rows = [line.split(",", 1)[1] for line in lines[1:]]
    times = [f"{i / 50 + (20 if i >= 200 else 0):.2f}" for i in range(len(rows))]
    path.write_text("\n".join(["t_s," + lines[0].split(",", 1)[1]]
                              + [f"{t},{row}" for t, row in zip(times, rows)]) + "\n")
    result = har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(path),
                            "--output-dir", str(tmp_path / "out")])
    with open(tmp_path / "out" / "predictions.csv") as handle:
        starts = [float(row["start_s"]) for row in csv.DictReader(handle)]
    assert starts == [0.0, 1.28, 24.0, 25.28] and result["windows"] == 4  # 4 s on each side
    assert "no readings from 3.98 to 24.00 s; no window spans the pause" in capsys.readouterr().out
    assert (tmp_path / "out" / "activity_timeline.png").read_bytes()[:4] == b"\x89PNG"


def test_predict_on_a_phone_worn_turned_notes_it_and_axes_turn_it_back(har_run, tmp_path,
                                                                        capsys):
    """The phone upside down in portrait (gravity along its -y): a note with the turn, and
    --axes=-y,x,z (after an equals sign: it starts with a minus) gives the predictions of the
    upright phone."""
    run_dir, _ = har_run
    upright = write_recording(tmp_path / "upright.csv")
    expected = har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(upright),
                              "--output-dir", str(tmp_path / "a")])
    assert "gravity lies along" not in capsys.readouterr().out
    rows = upright.read_text().splitlines()
    turned = tmp_path / "portrait.csv"  # the phone's -y is the data set's x, its x the y
    turned.write_text("\n".join([rows[0]] + [",".join([t, y, f"{-float(x):g}", z, gy,
                                                        f"{-float(gx):g}", gz])
                                             for t, x, y, z, gx, gy, gz in
                                             (row.split(",") for row in rows[1:])]) + "\n")
    har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(turned),
                   "--output-dir", str(tmp_path / "b")])
    assert "gravity lies along the phone's -y axis" in capsys.readouterr().out
    result = har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(turned),
                            "--axes=-y,x,z", "--output-dir", str(tmp_path / "c")])
    assert result["activities"] == expected["activities"]
    auto = har_lstm.main(["predict", "--run", str(run_dir), "--csv", str(turned), "--axes",
                          "auto", "--output-dir", str(tmp_path / "d")])
    out = capsys.readouterr().out
    chosen = out.split("--axes auto: ")[1].split()[0]
    assert chosen in ("-y,x,z", "-y,-x,-z") and "gravity lies along" not in out
    if chosen == "-y,x,z":  # the upright phone's side: its activities
        assert auto["activities"] == expected["activities"]
    for axes, message in [(["--axes", "-y,x,z"], "--axes: expected one argument; a value that "
                                                 "starts with - goes after an equals sign"),
                          (["--axes", "y,x,z"], "--axes y,x,z: a mirror image, not a turn")]:
        line = run_main_expecting_error(har_lstm.main, ["predict", "--run", str(run_dir),
                                                        "--csv", str(turned), *axes], capsys)
        assert message in line


@pytest.mark.parametrize("flag", [["--rate", "100"], ["--acc-unit", "m/s2"], ["--axes", "y,-x,z"]])
def test_recording_flags_without_a_recording_give_one_line(har_run, capsys, flag):
    line = run_main_expecting_error(har_lstm.main, ["predict", "--run", str(har_run[0]), *flag],
                                    capsys)
    assert "--rate, --acc-unit and --axes describe a phone recording; pass it with --csv" in line


def test_predict_default_output_folder_is_under_the_run(har_run, tmp_path, monkeypatch):
    run_dir, _ = har_run
    result = har_lstm.main(["predict", "--run", str(run_dir), "--csv",
                            str(write_recording(tmp_path / "r.csv", extra_columns=False))])
    assert result["output_dir"].parent == run_dir / "predict"
    assert (result["output_dir"] / "predictions.csv").is_file() and "agreement" not in result


@pytest.mark.parametrize("content, expected", [
    ("acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n" + "0,0,1,0,0,0\n" * 127,
     "127 readings, fewer than one window of 128"),
    ("acc_x,acc_y,acc_z,gyro_x,gyro_y\n" + "0,0,1,0,0\n" * 200, "no column 'gyro_z' in the header"),
    ("acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n" + "0,0,1,0,0,0\n" * 5 + "0,0,1,x,0,0\n",
     "row 7, column gyro_x: 'x' is not a number"),
    ("", "the file is empty"),
    ("acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n" + "0,0,9.81,0,0,0\n" * 200,
     "about 9.8 m/s2 rather than 1 g; pass --acc-unit m/s2"),
    ("t_s,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n" + "0,0,0,1,0,0,0\n" * 200,
     "row 3, column t_s: the time does not increase"),
])
def test_bad_recordings_give_one_line(har_run, tmp_path, capsys, content, expected):
    run_dir, _ = har_run
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = sorted((run_dir / "predict").glob("*")) if (run_dir / "predict").exists() else []
    line = run_main_expecting_error(har_lstm.main, ["predict", "--run", str(run_dir), "--csv",
                                                    str(path)], capsys)
    assert expected in line and "bad.csv" in line
    after = sorted((run_dir / "predict").glob("*")) if (run_dir / "predict").exists() else []
    assert after == before  # no output folder for a recording that was refused


def test_predict_and_export_refuse_a_run_of_another_example(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps({"example": "spam", "argv": []}))
    for command in ("predict", "export"):
        line = run_main_expecting_error(har_lstm.main, [command, "--run", str(tmp_path)], capsys)
        assert "a run of spam, not of har_lstm.py" in line


@pytest.mark.parametrize("quantize", [False, True])
def test_export_runs_on_the_interpreter_like_keras(har_run, capsys, quantize):
    run_dir, _ = har_run
    argv = ["export", "--run", str(run_dir)] + (["--quantize"] if quantize else [])
    result = har_lstm.main(argv)
    name = "model_quantized.tflite" if quantize else "model.tflite"
    content = (run_dir / name).read_bytes()
    assert result["bytes"] == len(content) and result["milliseconds_per_window"] > 0
    assert not any(op.startswith("Flex") for op in tflite.operators(content))
    x = np.random.default_rng(1).normal(size=(4, 128, 9)).astype("float32")
    outputs, _ = tflite.run(content, x)
    expected = keras.models.load_model(run_dir / "model.keras").predict(x, verbose=0)
    np.testing.assert_allclose(outputs, expected, atol=1e-4 if not quantize else 0.1)
    if not quantize:
        assert result["tflite_accuracy"] == pytest.approx(result["keras_accuracy"], abs=0.001)
    saved = json.loads((run_dir / name.replace(".tflite", ".json")).read_text())
    assert saved["tflite_accuracy"] == result["tflite_accuracy"]
    assert "builtin ops only" in capsys.readouterr().out


def test_predict_when_the_runs_data_set_moved(har_run, tmp_path, capsys):
    run_dir, _ = har_run
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "config.json").write_text((run_dir / "config.json").read_text().replace(
        json.loads((run_dir / "config.json").read_text())["data"], str(tmp_path / "gone")))
    (moved / "model.keras").write_bytes((run_dir / "model.keras").read_bytes())
    line = run_main_expecting_error(har_lstm.main, ["predict", "--run", str(moved)], capsys)
    assert "is not there any more; pass --data-dir" in line
