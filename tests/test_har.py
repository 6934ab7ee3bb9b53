"""har_lstm.py: loader on tiny generated archives and folders, cache, errors, model, dry run."""

import json
import math
import warnings
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

import har_lstm
from common import data, training
from common.errors import UserError
from conftest import run_main_expecting_error

N_TRAIN, N_TEST = 60, 24


def signal_value(split, channel, row, step):
    """Each value tells where it came from, so the loader's order can be checked."""
    return (1 if split == "train" else 2) * 1000 + channel * 100 + row + step / 1000


def write_tiny_har(root: Path) -> Path:
    """A 'UCI HAR Dataset/' folder in the original layout, with original-style number text."""
    folder = root / data.UCI_HAR_FOLDER
    for split, count in (("train", N_TRAIN), ("test", N_TEST)):
        signals = folder / split / "Inertial Signals"
        signals.mkdir(parents=True)
        for channel, name in enumerate(har_lstm.INPUT_SIGNAL_TYPES):
            rows = ["  " + " ".join(f"{signal_value(split, channel, r, s):.7e}" for s in range(128))
                    for r in range(count)]
            (signals / f"{name}{split}.txt").write_text("\n".join(rows) + "\n")
        labels = [(r % 6) + 1 for r in range(count)]
        (folder / split / f"y_{split}.txt").write_text("\n".join(map(str, labels)) + "\n")
        subjects = [(r % 6) + 1 if split == "train" else 10 + r % 3 for r in range(count)]
        (folder / split / f"subject_{split}.txt").write_text("\n".join(map(str, subjects)) + "\n")
    (folder / "activity_labels.txt").write_text(
        "\n".join(f"{i + 1} {name}" for i, name in enumerate(har_lstm.LABELS)) + "\n")
    return folder


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder.parent).as_posix())
    return archive


@pytest.fixture
def tiny_folder(tmp_path):
    return write_tiny_har(tmp_path / "extracted")


def check_arrays(arrays):
    assert arrays["x_train"].shape == (N_TRAIN, 128, 9) and arrays["x_test"].shape == (N_TEST, 128, 9)
    assert arrays["y_train"].tolist() == [r % 6 for r in range(N_TRAIN)]  # 1..6 -> 0..5
    assert arrays["subject_test"][:3].tolist() == [10, 11, 12]
    for channel in (0, 4, 8):  # body_acc_x, body_gyro_y, total_acc_z in the chapter's order
        assert arrays["x_train"][7, 3, channel] == pytest.approx(signal_value("train", channel, 7, 3))
        assert arrays["x_test"][2, 127, channel] == pytest.approx(signal_value("test", channel, 2, 127))


def test_loader_on_a_folder(tiny_folder, tmp_path):
    check_arrays(har_lstm.load_har(tiny_folder.parent, tmp_path))


def test_loader_on_an_archive_and_a_zip_inside_a_zip(tiny_folder, tmp_path):
    inner = zip_folder(tiny_folder, tmp_path / data.UCI_HAR_INNER_ZIP)
    check_arrays(har_lstm.load_har(inner, tmp_path / "c1"))
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as out:
        out.write(inner, data.UCI_HAR_INNER_ZIP)
    (tmp_path / "c2").mkdir()
    check_arrays(har_lstm.load_har(outer, tmp_path / "c2"))


@pytest.fixture
def cache_setup(tiny_folder, tmp_path):
    archive = zip_folder(tiny_folder, tmp_path / "tiny.zip")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    return archive, cache_dir


def test_cache_is_built_then_reused(cache_setup, monkeypatch):
    archive, cache_dir = cache_setup
    har_lstm.load_har(archive, cache_dir)
    [cache] = cache_dir.glob("uci_har_*.npz")
    monkeypatch.setattr(har_lstm, "load_X", lambda *a: pytest.fail("cache not used"))
    check_arrays(har_lstm.load_har(archive, cache_dir))


def test_damaged_cache_is_rebuilt(cache_setup, capsys):
    archive, cache_dir = cache_setup
    har_lstm.load_har(archive, cache_dir)
    [cache] = cache_dir.glob("uci_har_*.npz")
    cache.write_bytes(cache.read_bytes()[:200])  # truncated
    check_arrays(har_lstm.load_har(archive, cache_dir))
    assert "damaged" in capsys.readouterr().out
    np.load(cache)["x_train"]  # the rebuilt cache is whole again


def test_stale_cache_is_rebuilt(cache_setup, capsys):
    archive, cache_dir = cache_setup
    har_lstm.load_har(archive, cache_dir)
    [cache] = cache_dir.glob("uci_har_*.npz")
    with np.load(cache) as stored:
        arrays = {k: stored[k] for k in stored.files}
    arrays["key"] = np.array("0:an-older-source")
    arrays["y_train"] = arrays["y_train"] * 0
    np.savez_compressed(cache, **arrays)
    check_arrays(har_lstm.load_har(archive, cache_dir))
    assert "stale" in capsys.readouterr().out


def test_missing_signal_file_is_named(tiny_folder, tmp_path):
    (tiny_folder / "test" / "Inertial Signals" / "body_gyro_z_test.txt").unlink()
    with pytest.raises(UserError, match="missing UCI HAR Dataset/test/Inertial Signals/body_gyro_z_test.txt"):
        har_lstm.load_har(tiny_folder.parent, tmp_path)


def test_checksum_failure_of_the_archive(tmp_path):
    (tmp_path / "UCI HAR Dataset.zip").write_bytes(b"not the real archive")
    with pytest.raises(UserError, match="UCI HAR Dataset.zip has sha256 .* expected 2045e435"):
        data.locate_uci_har(tmp_path, True, har_lstm.data_files())


def test_rebuilt_archive_only_when_data_dir_is_explicit(tmp_path, monkeypatch):
    (tmp_path / "UCI_HAR_rebuilt.zip").write_bytes(b"wrong bytes")
    with pytest.raises(UserError, match="UCI_HAR_rebuilt.zip is damaged or incomplete .*"
                                        "rebuild it with build_uci_har_rebuilt.py"):
        data.locate_uci_har(tmp_path, True, har_lstm.data_files())
    monkeypatch.setattr(data, "download", lambda *a, **k: (_ for _ in ()).throw(UserError("no network")))
    with pytest.raises(UserError, match="no network"):  # not used silently: it looks for the original
        data.locate_uci_har(tmp_path, False, har_lstm.data_files())


def test_rebuild_with_other_bytes_is_used_with_a_note_when_whole(tiny_folder, tmp_path, capsys):
    """A rebuild whose floating-point digits differ on another machine (the build keeps it
    with a warning) is read, says so, and is keyed by its own sha256."""
    rebuilt = zip_folder(tiny_folder, tmp_path / data.UCI_HAR_REBUILT.file_name)
    source, name, key = data.locate_uci_har(tmp_path, True, har_lstm.data_files())
    assert source == rebuilt and key == data.sha256_of(rebuilt)
    assert "not the reference bytes" in name
    assert "not byte-identical to the reference rebuild" in capsys.readouterr().out
    check_arrays(har_lstm.load_har(source, tmp_path / "cache", key))


def test_rebuild_damaged_or_missing_a_file_is_refused(tiny_folder, tmp_path):
    rebuilt = zip_folder(tiny_folder, tmp_path / data.UCI_HAR_REBUILT.file_name)
    contents = bytearray(rebuilt.read_bytes())
    contents[200:260] = bytes(60)  # inside the first member's compressed data
    rebuilt.write_bytes(bytes(contents))
    with pytest.raises(UserError, match="is damaged or incomplete"):
        data.locate_uci_har(tmp_path, True, har_lstm.data_files())
    (tiny_folder / "test" / "y_test.txt").unlink()
    rebuilt.unlink()
    zip_folder(tiny_folder, rebuilt)  # whole, but without one file
    with pytest.raises(UserError, match="is damaged or incomplete"):
        data.locate_uci_har(tmp_path, True, har_lstm.data_files())


@pytest.mark.parametrize("preset", ["chapter", "best"])
def test_model_output_shape(preset):
    config = dict(har_lstm.PRESETS[preset])
    model = har_lstm.build_model(config, mean=np.zeros(9), std=np.ones(9))
    assert model(np.zeros((3, 128, 9), dtype="float32")).shape == (3, 6)


@pytest.mark.parametrize("preset", ["chapter", "best"])
def test_dry_run_writes_plots_and_metrics(tiny_folder, tmp_path, preset):
    run_dir = tmp_path / "run"
    result = har_lstm.main(["--preset", preset, "--dry-run", "--data-dir", str(tiny_folder.parent),
                            "--output-dir", str(run_dir)])
    for name in ["training_progress.png", "confusion_matrix.png", "metrics.json", "history.csv",
                 "config.json", "model.keras"]:
        assert (run_dir / name).is_file(), name
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ["test_accuracy", "precision_weighted", "recall_weighted", "f1_weighted",
                "train_seconds", "seconds_per_epoch"]:
        assert math.isfinite(metrics[key]), key
    assert np.array(metrics["confusion_matrix"]).sum() == N_TEST
    assert set(metrics["per_class"]) == set(har_lstm.LABELS)
    networks = min(har_lstm.PRESETS[preset]["ensemble"], 2)  # a dry run's: 2 epochs each
    assert metrics["epochs"] == 2 * networks and result["run_dir"] == run_dir
    # Reloaded, model.keras gives the run's figures on the same test windows.
    arrays = har_lstm.dry_run_subset(har_lstm.load_har(tiny_folder.parent, tmp_path / "c"), 42)
    reloaded = keras.models.load_model(run_dir / "model.keras")
    predicted = reloaded.predict(arrays["x_test"], verbose=0).argmax(axis=1)
    assert (predicted == arrays["y_test"]).mean() == pytest.approx(metrics["test_accuracy"], abs=1e-6)
    assert confusion_matrix(arrays["y_test"], predicted, labels=range(6)).tolist() \
        == metrics["confusion_matrix"]


def test_dry_run_subset_keeps_windows_labels_and_subjects_together(tiny_folder, tmp_path):
    arrays = har_lstm.load_har(tiny_folder.parent, tmp_path)
    subset = har_lstm.dry_run_subset(arrays, seed=3)
    for split in ("train", "test"):
        rows = subset[f"x_{split}"][:, 0, 0]  # signal_value encodes the row it came from
        source_rows = np.round(rows - rows // 100 * 100).astype(int)
        np.testing.assert_array_equal(subset[f"y_{split}"], arrays[f"y_{split}"][source_rows])
        np.testing.assert_array_equal(subset[f"subject_{split}"],
                                      arrays[f"subject_{split}"][source_rows])


def test_patience_0_means_no_early_stopping():
    args = har_lstm.build_parser().parse_args(["--patience", "0"])
    assert args.patience == 0 and training.early_stopping({"patience": 0}) == []


def test_missing_data_dir_exits_2(tmp_path, capsys):
    line = run_main_expecting_error(har_lstm.main, ["--data-dir", str(tmp_path / "nope")], capsys)
    assert "--data-dir" in line and "is not a folder" in line


def test_cache_is_keyed_by_content_not_by_the_archive_name(tmp_path):
    """Two different archives that share the original's file name get their own caches."""
    first = write_tiny_har(tmp_path / "a")
    archive = zip_folder(first, tmp_path / "a" / data.UCI_HAR_INNER_ZIP)
    check_arrays(har_lstm.load_har(archive, tmp_path / "cache"))
    labels = first / "train" / "y_train.txt"
    labels.write_text(labels.read_text().replace("1\n", "2\n"))
    archive.unlink()
    zip_folder(first, archive)
    changed = har_lstm.load_har(archive, tmp_path / "cache")
    assert (changed["y_train"] == 0).sum() == 0  # the new labels, not the cached ones


def test_sensor_magnitudes_are_each_3_axis_length():
    from common.layers import SensorMagnitudes

    x = np.random.default_rng(0).normal(size=(2, 128, 9)).astype("float32")
    out = np.asarray(SensorMagnitudes()(x))
    assert out.shape == (2, 128, 12)
    np.testing.assert_array_equal(out[..., :9], x)
    for sensor in range(3):
        np.testing.assert_allclose(out[..., 9 + sensor],
                                   np.linalg.norm(x[..., 3 * sensor:3 * sensor + 3], axis=-1),
                                   rtol=1e-5)
    # A rotated phone: the axes change, the lengths do not.
    turn = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]], dtype="float32")
    rotated = np.concatenate([x[..., 3 * s:3 * s + 3] @ turn for s in range(3)], axis=-1)
    np.testing.assert_allclose(np.asarray(SensorMagnitudes()(rotated))[..., 9:], out[..., 9:],
                               rtol=1e-5)


def test_magnitudes_model_standardises_twelve_channels():
    config = dict(har_lstm.PRESETS["best"], magnitudes=True)
    x = np.random.default_rng(1).normal(2.0, 3.0, size=(40, 128, 9)).astype("float32")
    mean, std = har_lstm.channel_statistics(x, config)
    assert mean.shape == std.shape == (12,)
    model = har_lstm.build_model(config, mean=mean, std=std)
    normalised = keras.Model(model.input, model.get_layer(index=2).output)(x).numpy()
    assert normalised.shape == (40, 128, 12)
    np.testing.assert_allclose(normalised.mean(axis=(0, 1)), 0, atol=1e-3)
    np.testing.assert_allclose(normalised.std(axis=(0, 1)), 1, atol=1e-3)


def test_every_training_subject_trained_on_when_none_is_held_out(tiny_folder, tmp_path,
                                                                  monkeypatch, capsys):
    monkeypatch.setitem(har_lstm.PRESETS, "best", dict(har_lstm.PRESETS["best"],
                                                       validation_subjects=0, patience=0))
    run_dir = tmp_path / "run"
    har_lstm.main(["--preset", "best", "--dry-run", "--data-dir", str(tiny_folder.parent),
                   "--output-dir", str(run_dir)])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["train_windows"] == N_TRAIN and metrics["validation_windows"] == 0
    assert "validation_accuracy" not in metrics
    assert (run_dir / "history.csv").read_text().splitlines()[0] == \
        "epoch,train_loss,train_accuracy,epoch_seconds"
    assert (run_dir / "training_progress.png").is_file()
    assert "of all 6 training subjects" in capsys.readouterr().out


def test_early_stopping_without_held_out_subjects_exits_2(tiny_folder, monkeypatch, capsys):
    monkeypatch.setitem(har_lstm.PRESETS, "best", dict(har_lstm.PRESETS["best"],
                                                       validation_subjects=0))
    line = run_main_expecting_error(har_lstm.main, ["--preset", "best", "--patience", "5",
                                                    "--data-dir", str(tiny_folder.parent)], capsys)
    assert "--patience 5" in line and "--patience 0" in line


def test_an_ensemble_run_saves_one_model_averaging_its_networks(tiny_folder, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setitem(har_lstm.PRESETS, "best", dict(har_lstm.PRESETS["best"], ensemble=2))
    run_dir = tmp_path / "run"
    har_lstm.main(["--preset", "best", "--dry-run", "--data-dir", str(tiny_folder.parent),
                   "--output-dir", str(run_dir)])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["member_epochs"] == [2, 2] and metrics["epochs"] == 4
    with warnings.catch_warnings():  # e.g. "Skipping variable loading for optimizer"
        warnings.simplefilter("error")
        reloaded = keras.models.load_model(run_dir / "model.keras")
    members = [layer for layer in reloaded.layers if isinstance(layer, keras.Model)]
    assert len(members) == 2
    x = har_lstm.dry_run_subset(har_lstm.load_har(tiny_folder.parent, tmp_path / "c"), 42)["x_test"]
    scores = reloaded.predict(x, verbose=0)
    np.testing.assert_allclose(scores, np.mean([m.predict(x, verbose=0) for m in members], axis=0),
                               rtol=1e-5, atol=1e-5)
    assert not np.allclose(members[0].predict(x, verbose=0), members[1].predict(x, verbose=0))
