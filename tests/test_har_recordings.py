"""benchmarks/har_recordings.py: raw HAPT recordings written as phone CSVs and scored through
har_lstm.py predict --csv, on a dry-run model and a generated raw folder."""

import json

import numpy as np
import pytest

import har_lstm
from benchmarks import har_recordings
from conftest import run_main_expecting_error
from test_har import write_tiny_har

READINGS = 1500  # 30 s at 50 Hz


@pytest.fixture(scope="module")
def chapter_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("har-recordings")
    data_dir = write_tiny_har(root / "data").parent
    har_lstm.main(["--dry-run", "--data-dir", str(data_dir), "--output-dir", str(root / "run")])
    return root / "run"


def write_raw(folder):
    """Volunteer 2 (a test volunteer) in experiment 3, volunteer 1 (a training one) in
    experiment 1; HAPT's labels: standing, a transition (7), walking, then nothing."""
    folder.mkdir()
    t = np.arange(READINGS) / 50
    for experiment, user in ((1, 1), (3, 2)):
        acc = np.column_stack([0.97 + 0 * t, 0.1 + 0.3 * np.sin(2 * np.pi * 2 * t) * (t > 12),
                               0.2 + 0 * t])  # x up, as HAPT's phone
        gyro = np.column_stack([0.2 * np.sin(2 * np.pi * t), 0 * t, 0 * t])
        np.savetxt(folder / f"acc_exp{experiment:02d}_user{user:02d}.txt", acc)
        np.savetxt(folder / f"gyro_exp{experiment:02d}_user{user:02d}.txt", gyro)
    (folder / "labels.txt").write_text("1 1 5 1 600\n3 2 5 1 500\n3 2 7 501 600\n"
                                       "3 2 1 601 1200\n")
    return folder


def test_writes_the_recording_as_a_phone_csv(tmp_path):
    raw = write_raw(tmp_path / "raw")
    path = har_recordings.write_recording(raw, 3, 2, tmp_path / "r.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "t_s,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,activity"
    assert len(lines) == READINGS + 1 and lines[1].startswith("0.000000,0.970000,0.100000")
    activity = [line.rsplit(",", 1)[1] for line in lines[1:]]
    assert activity[499] == "STANDING" and activity[500] == "" and activity[600] == "WALKING"
    assert activity[1200] == ""
    android = har_recordings.write_recording(raw, 3, 2, tmp_path / "a.csv", android=True)
    rows = android.read_text().splitlines()
    assert rows[0] == "acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,activity"
    assert len(rows) == 2 * (READINGS - 1) + 1
    assert float(rows[1].split(",")[2]) == pytest.approx(0.2 * 9.80665, abs=1e-5)
    turned = har_recordings.write_recording(raw, 3, 2, tmp_path / "t.csv", turn="y,-x,z")
    assert turned.read_text().splitlines()[1].startswith("0.000000,-0.100000,0.970000,0.200000")


@pytest.mark.parametrize("android", [False, True])
def test_scores_only_the_test_volunteers_labelled_windows(chapter_run, tmp_path, android):
    raw = write_raw(tmp_path / "raw")
    output = tmp_path / "results.json"
    summary = har_recordings.main(["--raw", str(raw), "--run", str(chapter_run),
                                   "--output", str(output)] + (["--as-android"] if android else []))
    windows = (READINGS - 128) // 64 + 1
    middles = np.arange(windows) * 64 + 64  # labelled: 0-499 standing, 600-1199 walking
    labelled = int(((middles < 500) | ((middles >= 600) & (middles < 1200))).sum())
    assert [(r["experiment"], r["volunteer"]) for r in summary["recordings"]] == [(3, 2)]
    assert summary["recordings"][0]["windows"] == windows
    assert summary["labelled_windows"] == labelled
    confusion = np.array(summary["confusion (rows: true; columns: predicted, LABELS order)"])
    assert confusion.sum() == labelled and confusion[[0, 4]].sum() == labelled
    assert summary["agreement"] == pytest.approx(np.trace(confusion) / labelled)
    run_metrics = json.loads((chapter_run / "metrics.json").read_text())
    assert summary["run_test_accuracy"] == run_metrics["test_accuracy"]
    saved = json.loads(output.read_text())
    mode = "android_100hz_ms2" if android else "as_recorded_50hz_g"
    assert saved[str(chapter_run.resolve())][mode]["labelled_windows"] == labelled


def test_a_turned_phone_is_read_bare_with_the_suggested_axes_and_auto(chapter_run, tmp_path):
    raw = write_raw(tmp_path / "raw")
    output = tmp_path / "results.json"
    har_recordings.main(["--raw", str(raw), "--run", str(chapter_run), "--output", str(output)])
    har_recordings.main(["--raw", str(raw), "--run", str(chapter_run), "--output", str(output),
                         "--turn", "y,-x,z"])
    saved = json.loads(output.read_text())[str(chapter_run.resolve())]
    bare, suggested = saved["turned_y,-x,z"], saved["turned_y,-x,z_suggested_axes"]
    auto = saved["turned_y,-x,z_axes_auto"]
    assert [r["axes"] for r in bare["recordings"]] == ["x,y,z"]
    assert [r["axes"] for r in suggested["recordings"]] == ["y,-x,z"]
    assert [r["axes"] for r in auto["recordings"]] in (["y,-x,z"], ["y,x,-z"])
    assert suggested["agreement"] == saved["as_recorded_50hz_g"]["agreement"]
    assert suggested["labelled_windows"] == bare["labelled_windows"] == auto["labelled_windows"]


def test_a_folder_without_recordings_gives_one_line(chapter_run, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    line = run_main_expecting_error(har_recordings.main, ["--raw", str(tmp_path / "empty"),
                                                          "--run", str(chapter_run)], capsys)
    assert "no acc_expNN_userMM.txt of the test volunteers or no labels.txt" in line


def test_a_mirror_image_turn_gives_one_line_before_any_work(chapter_run, tmp_path, capsys):
    raw = write_raw(tmp_path / "raw")
    line = run_main_expecting_error(har_recordings.main, ["--raw", str(raw), "--run",
                                                          str(chapter_run), "--turn", "y,x,z",
                                                          "--output", str(tmp_path / "r.json")],
                                    capsys)
    assert "--turn y,x,z: a mirror image, not a turn of the phone" in line
    assert not (tmp_path / "r.json").exists()


def test_the_axes_check_reads_each_wearing_four_ways():
    """benchmarks.har_axes on a made-up model that knows activity 0 only from a phone worn as
    in the data set (gravity along x, the screen's z leaning forward): bare reads get it only
    as worn, the note's turn only when the screen faced the data set's way, auto and the right
    axes always."""
    from benchmarks import har_axes
    from common import signals

    assert len(har_axes.wearings()) == 24 and "x,y,z" in har_axes.wearings()
    t = np.arange(600) / 50
    acc = np.column_stack([0.97 + 0 * t, 0.1 * np.sin(2 * np.pi * t), 0.2 + 0 * t])
    windows = signals.sliding_windows(signals.uci_har_channels(acc, 0.1 * acc))[0]

    def probabilities(w):
        gravity = w[:, :, 6:9].mean(axis=1)
        sure = (gravity[:, 0] > 0.7) & (gravity[:, 2] > 0)
        return np.where(sure[:, None], [0.9, 0.02, 0.02, 0.02, 0.02, 0.02],
                        [0.1, 0.1, 0.1, 0.1, 0.1, 0.5])

    truth, known = np.zeros(len(windows), int), np.ones(len(windows), bool)
    for worn, note in [("x,y,z", 1.0), ("y,-x,z", 1.0), ("y,x,-z", 0.0), ("-z,y,x", 1.0)]:
        scored = har_axes.score_recording(windows, truth, known, probabilities, worn)
        assert scored == {"bare": 1.0 if worn == "x,y,z" else 0.0, "note": note, "auto": 1.0,
                          "right": 1.0}
