"""Reliability: real signals mid-training and --resume, bad input everywhere (one line, exit
2, no traceback), and nothing written outside the run, data and cache folders."""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

import airline_lstm
import har_lstm
import sentiment_lstm
import spam_rnn
from common import cli, environment, interrupts, resume, training
from common.errors import UserError
from conftest import DATA_DIR, ROOT, run_main_expecting_error
from test_har import write_tiny_har, zip_folder

MAINS = {"spam_rnn.py": spam_rnn.main, "airline_lstm.py": airline_lstm.main,
         "sentiment_lstm.py": sentiment_lstm.main, "har_lstm.py": har_lstm.main}


def start(args):
    # Ctrl-C as in a terminal even when pytest was started in the background (`cmd &` in a
    # script), which leaves SIGINT ignored, and ignored signals pass to children.
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, text=True,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.fixture
def terminal_ctrl_c():
    """Python's own Ctrl-C handler in this process, whatever started pytest (see start)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def finish(process, timeout=180):
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:  # never leave a training process behind
            process.kill()
            process.wait()
    return process.returncode, out, err


def wait_for_backup(backup: Path, epochs: int, process, timeout=120):
    """Block until BackupAndRestore has saved `epochs` finished epochs in `backup`."""
    deadline = time.monotonic() + timeout
    metadata = backup / "training_metadata.json"
    while time.monotonic() < deadline:
        assert process.poll() is None, "training ended before it could be interrupted"
        try:
            if json.loads(metadata.read_text())["epoch"] >= epochs:
                return
        except (FileNotFoundError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"no backup of {epochs} epochs in {backup} after {timeout} s")


def history_rows(run_dir: Path) -> list[dict]:
    with open(run_dir / "history.csv") as handle:
        return list(csv.DictReader(handle))


def files(run_dir: Path) -> list[str]:
    return sorted(p.name for p in run_dir.iterdir())


"""## Interrupt, then --resume"""


def test_ctrl_c_writes_partial_outputs_and_resume_finishes_the_run(tmp_path, capsys):
    run_dir, epochs = tmp_path / "run", 100  # seconds left to interrupt, even on busy cores
    process = start(["spam_rnn.py", "--dry-run", "--epochs", str(epochs), "--output-dir", str(run_dir)])
    wait_for_backup(run_dir / "backup", 3, process)
    process.send_signal(signal.SIGINT)
    code, out, err = finish(process)
    assert code == 130, err[-2000:]
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err
    assert f"continue with: python spam_rnn.py --resume {run_dir}" in last
    done = int(last.split("after ")[1].split(" ")[0])
    assert done >= 3
    assert len(history_rows(run_dir)) == done  # what it had, written on Ctrl-C
    assert (run_dir / "loss.png").is_file() and (run_dir / "accuracy.png").is_file()
    assert not (run_dir / "metrics.json").exists()

    # Only the interrupt needs a process of its own: the rest runs in this one.
    spam_rnn.main(["--resume", str(run_dir)])
    assert f"Resuming after epoch {done} " in capsys.readouterr().out  # no finished epoch lost
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epochs"] == epochs and metrics["resumed_at_epoch"] == done
    rows = history_rows(run_dir)
    assert [int(r["epoch"]) for r in rows] == list(range(1, epochs + 1))

    uninterrupted = tmp_path / "uninterrupted"
    spam_rnn.main(["--dry-run", "--epochs", "3", "--output-dir", str(uninterrupted)])
    assert files(run_dir) == files(uninterrupted)  # backup/ gone, nothing missing
    assert history_rows(uninterrupted)[0].keys() == rows[0].keys()


def sigterm_in_the_second_member_then_resume(script: str, flags: list[str], run_dir: Path,
                                             capsys) -> str:
    """Train `script` with `flags`, SIGTERM it during its second network, check that only the
    first one finished, resume; the resumed run's output."""
    process = start([script, *flags, "--output-dir", str(run_dir)])
    wait_for_backup(run_dir / "backup" / "member-1", 2, process)
    process.send_signal(signal.SIGTERM)
    code, out, err = finish(process)
    assert code == 130 and "--resume" in err.strip().splitlines()[-1], \
        f"exit status {code}\nstdout: {out[-1500:]}\nstderr: {err[-1500:]}"
    assert (run_dir / "backup" / "member-0" / resume.TRAINED).is_file()
    assert not (run_dir / "backup" / "member-1" / resume.TRAINED).exists()

    MAINS[script](["--resume", str(run_dir)])  # in this process: nothing to interrupt
    return capsys.readouterr().out


def test_sigterm_in_the_second_ensemble_member_resumes_without_retraining_the_first(tmp_path,
                                                                                   capsys):
    run_dir = tmp_path / "run"
    out = sigterm_in_the_second_member_then_resume(
        "airline_lstm.py", ["--preset", "best", "--dry-run", "--epochs", "12", "--patience", "12"],
        run_dir, capsys)
    assert "Training had finished (12 epochs): its weights are loaded" in out
    assert "Resuming after epoch" in out and "[model 2] step: 1200" in out
    assert "\nstep: " not in out  # the first member ran no step
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["member_epochs"] == [12, 12] and metrics["epochs"] == 24
    assert np.isfinite(metrics["rmse_one_step"])
    assert not (run_dir / "backup").exists()


def test_sigterm_in_the_second_har_network_resumes_without_retraining_the_first(tmp_path, capsys):
    data_dir = write_tiny_har(tmp_path / "data").parent
    run_dir = tmp_path / "run"
    out = sigterm_in_the_second_member_then_resume(
        "har_lstm.py", ["--preset", "best", "--dry-run", "--epochs", "30",
                        "--data-dir", str(data_dir)], run_dir, capsys)
    assert "Training had finished (30 epochs): its weights are loaded" in out
    assert "Resuming after epoch" in out and "Network 2 of 2" in out
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["member_epochs"] == [30, 30] and np.isfinite(metrics["test_accuracy"])
    assert not (run_dir / "backup").exists()


def test_ensemble_members_start_from_their_own_seed_whatever_ran_before(tmp_path):
    """Member k is initialised from seed + k, so a resumed ensemble matches an
    uninterrupted one."""
    config = dict(airline_lstm.PRESETS["best"], seed=7, preset="best", ensemble=2, epochs=1)
    x, y = airline_lstm.make_windows(np.linspace(-1, 1, 60, dtype="float32"), 24,
                                     config["horizon"])

    def member_1_weights(run_dir, member_0_built_first: bool):
        run = training.start_run("airline", argparse.Namespace(
            device="cpu", devices=None, mixed_precision=False, output_dir=run_dir, resume=None,
            argv=[], script="airline_lstm.py"), config)
        if member_0_built_first:  # an uninterrupted run; a resumed one may not build it
            airline_lstm.build_model(config)
        captured = []
        original = airline_lstm.build_model

        def build_and_capture(cfg):
            model = original(cfg)
            captured.append([w.copy() for w in model.get_weights()])
            return model

        airline_lstm.build_model = build_and_capture
        try:
            airline_lstm.train_network((x, y), (x, y), config, run, member=1)
        finally:
            airline_lstm.build_model = original
        return captured[0]

    uninterrupted = member_1_weights(tmp_path / "a", member_0_built_first=True)
    resumed = member_1_weights(tmp_path / "b", member_0_built_first=False)
    for a, b in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(a, b)


def test_ctrl_c_after_training_keeps_the_backup_and_resume_only_writes_the_outputs(
        tmp_path, capsys, monkeypatch):
    """Ctrl-C during the evaluation: the trained weights stay in backup/, and --resume
    evaluates and writes everything without training a single step."""
    run_dir = tmp_path / "run"
    monkeypatch.setattr(spam_rnn, "evaluate", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(SystemExit) as raised:
        spam_rnn.main(["--dry-run", "--epochs", "3", "--output-dir", str(run_dir)])
    assert raised.value.code == 130
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "interrupted after 3 finished epoch(s)" in err and f"--resume {run_dir}" in err
    assert (run_dir / "backup" / resume.TRAINED).is_file() and not (run_dir / "metrics.json").exists()
    assert len(history_rows(run_dir)) == 3  # the partial outputs: the whole history here
    monkeypatch.undo()

    result = spam_rnn.main(["--resume", str(run_dir)])
    out = capsys.readouterr().out
    assert "Training had finished (3 epochs)" in out and "Epoch: " not in out
    assert result["epochs"] == 3 and result["resumed_at_epoch"] == 3
    assert len(history_rows(run_dir)) == 3 and (run_dir / "model.keras").is_file()
    assert not (run_dir / "backup").exists()


def test_a_crash_while_saving_the_outputs_is_finished_by_resume(tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "run"
    data_dir = write_tiny_har(tmp_path / "har").parent

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(har_lstm.plotting, "plot_confusion_matrix", disk_full)
    with pytest.raises(OSError):
        har_lstm.main(["--dry-run", "--data-dir", str(data_dir), "--output-dir", str(run_dir)])
    assert (run_dir / "backup" / resume.TRAINED).is_file()
    monkeypatch.undo()
    result = har_lstm.main(["--resume", str(run_dir)])
    assert "Training had finished (2 epochs)" in capsys.readouterr().out
    assert (run_dir / "confusion_matrix.png").is_file() and result["epochs"] == 2
    assert json.loads((run_dir / "metrics.json").read_text())["resumed_at_epoch"] == 2


def test_ctrl_c_while_an_epoch_is_being_saved_waits_for_its_weights(tmp_path, monkeypatch,
                                                                     terminal_ctrl_c):
    """The race CI once met: Ctrl-C after an epoch's logs were saved but before its weights.
    The interruption must come after both, so logs and backup agree."""
    state = resume.TrainingState(tmp_path / "backup")
    save = resume.TrainingState.save

    def save_then_ctrl_c(self):
        if self.epochs == 2:
            os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of saving epoch 2
        save(self)

    monkeypatch.setattr(resume.TrainingState, "save", save_then_ctrl_c)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(KeyboardInterrupt):
        model.fit(np.ones((8, 3)), np.ones(8), epochs=5, verbose=0, callbacks=state.callbacks())
    saved = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())["epoch"]
    assert saved == state.epochs == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler put back


def test_a_held_sigterm_comes_at_the_end_of_the_block_and_handlers_are_put_back():
    before = signal.getsignal(signal.SIGTERM)
    steps = []
    with interrupts.handling_interrupts():
        assert signal.getsignal(signal.SIGTERM) is interrupts.interrupt
        with pytest.raises(KeyboardInterrupt):
            with interrupts.interruptions_held():
                signal.raise_signal(signal.SIGTERM)
                steps.append("the rest of the block")
    assert steps == ["the rest of the block"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_ctrl_c_the_shell_ignores_stays_ignored():
    """`python spam_rnn.py &` in a script: the shell has the run ignore Ctrl-C."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.handling_interrupts():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_sigterm_a_library_swallows_still_ends_the_run(tmp_path, monkeypatch, capsys):
    """Keras' .keras writer catches everything, KeyboardInterrupt too, while it opens its
    temporary file: a SIGTERM that lands there must still end the run as resumable (exit
    130), not let it finish as if nothing had happened."""
    run_dir = tmp_path / "run"
    evaluate = spam_rnn.evaluate

    def sigterm_swallowed(*args, **kwargs):
        try:
            signal.raise_signal(signal.SIGTERM)
        except BaseException:  # what such a library does with it
            pass
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(spam_rnn, "evaluate", sigterm_swallowed)
    with pytest.raises(SystemExit) as raised:
        spam_rnn.main(["--dry-run", "--epochs", "2", "--output-dir", str(run_dir)])
    assert raised.value.code == 130
    assert f"--resume {run_dir}" in capsys.readouterr().err.strip().splitlines()[-1]
    assert (run_dir / "backup" / resume.TRAINED).is_file() and not (run_dir / "metrics.json").exists()


def test_a_killed_process_loses_at_most_the_epoch_in_progress(tmp_path, capsys):
    """SIGKILL stands for a crash: nothing runs at exit, the backup alone carries the run."""
    run_dir = tmp_path / "run"
    process = start(["sentiment_lstm.py", "--dry-run", "--epochs", "12", "--output-dir", str(run_dir)])
    wait_for_backup(run_dir / "backup", 2, process)
    process.kill()
    finish(process)
    saved = json.loads((run_dir / "backup" / "training_metadata.json").read_text())["epoch"]
    sentiment_lstm.main(["--resume", str(run_dir)])  # in this process: nothing to kill
    assert f"Resuming after epoch {saved} " in capsys.readouterr().out
    assert len(history_rows(run_dir)) == 12
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["steps"] == 120 and metrics["resumed_at_epoch"] == saved


def write_run(folder: Path, **config) -> Path:
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "absent", "no config.json there; pass a run folder written by spam_rnn.py"),
    (lambda p: write_run(p / "a", example="airline", argv=[]), "a run of airline, not of spam_rnn.py"),
    (lambda p: write_run(p / "o", example="spam"), "written by an older version"),
    (lambda p: (write_run(p / "f", example="spam", argv=[]) / "metrics.json").write_text("{}")
     and p / "f", "that run finished already"),
])
def test_bad_resume_folders(tmp_path, capsys, make, expected):
    folder = make(tmp_path)
    before = files(folder) if folder.exists() else None
    line = run_main_expecting_error(spam_rnn.main, ["--resume", str(folder)], capsys)
    assert line.startswith("error: --resume") and expected in line
    assert (files(folder) if folder.exists() else None) == before  # untouched


def test_resume_refuses_new_training_flags(tmp_path, capsys):
    folder = write_run(tmp_path / "r", example="spam", argv=["--dry-run"])
    line = run_main_expecting_error(spam_rnn.main, ["--resume", str(folder), "--epochs", "5"], capsys)
    assert "drop --epochs" in line


def test_resume_keeps_the_runs_own_preset_values_after_the_preset_changed(tmp_path, capsys):
    """A run interrupted before a preset changed resumes with the values it started with (from
    its config.json); one started before the preset gained an option is refused in one line,
    its folder untouched."""
    best = airline_lstm.PRESETS["best"]
    folder = write_run(tmp_path / "r", example="airline", argv=["--preset", "best"],
                       **dict(best, patience=best["patience"] + 3, preset="best"))
    parser = airline_lstm.build_parser()
    args = cli.parse_training_args(parser, parser.parse_args(["--resume", str(folder)]),
                                   ["--resume", str(folder)], "airline")
    config = cli.resolve_config(args, airline_lstm.PRESETS)
    assert config["patience"] == best["patience"] + 3 and config["loss"] == best["loss"]
    new = cli.resolve_config(parser.parse_args(["--preset", "best"]), airline_lstm.PRESETS)
    assert new["patience"] == best["patience"]

    before_huber = {key: value for key, value in best.items() if key != "loss"}
    old = write_run(tmp_path / "old", example="airline", argv=["--preset", "best"],
                    **dict(before_huber, preset="best"))
    before = files(old)
    line = run_main_expecting_error(airline_lstm.main, ["--resume", str(old)], capsys)
    assert line.startswith(f"error: --resume {old}: the run was started before the best "
                           "preset gained loss") and "start a new run" in line
    assert files(old) == before


"""## Every script's flags"""


@pytest.mark.parametrize("script", list(MAINS))
@pytest.mark.parametrize("argv, expected", [
    (["--epochs", "0"], "argument --epochs: must be a positive whole number, got 0"),
    (["--epochs", "many"], "argument --epochs: expected a whole number, got 'many'"),
    (["--batch-size", "-4"], "argument --batch-size: must be a positive whole number"),
    (["--learning-rate", "nan"], "argument --learning-rate: must be a positive finite number"),
    (["--seed", "-1"], "argument --seed: must be 0 or more"),
    (["--devices", "0"], "argument --devices: must be a positive whole number"),
    (["--preset", "huge"], "argument --preset: invalid choice: 'huge'"),
    (["--device", "tpu"], "argument --device: invalid choice: 'tpu'"),
    (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    (["--data-dir", "/no/such/folder"], "--data-dir /no/such/folder is not a folder"),
])
def test_bad_flags_of_every_script(script, argv, expected, capsys, tmp_path):
    line = run_main_expecting_error(MAINS[script], [*argv, "--output-dir", str(tmp_path / "r")], capsys)
    assert expected in line, line
    assert "Traceback" not in line and not (tmp_path / "r").exists()


@pytest.mark.parametrize("script, commands", [
    ("spam_rnn.py", ["train", "predict"]), ("airline_lstm.py", ["train"]),
    ("sentiment_lstm.py", ["train", "predict"]), ("har_lstm.py", ["train"]),
])
def test_help_lists_the_commands_quietly_without_loading_tensorflow(script, commands):
    probe = (f"import sys, {script[:-3]} as s\ntry:\n    s.main(['--help'])\nexcept SystemExit:"
             "\n    pass\nprint(sorted(m for m in ('tensorflow', 'keras', 'sklearn') "
             "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={k: v for k, v in os.environ.items()
                                                        if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]
    assert result.stdout.strip().endswith("[]")  # no heavy library was imported
    listed = result.stdout.split("commands:")[1]
    for command in commands:
        assert f"\n    {command} " in listed, (command, listed)
    assert "--preset" in result.stdout and "(default: chapter)" in result.stdout


@pytest.mark.parametrize("script", list(MAINS))
def test_help_lists_every_value_of_every_preset(script, capsys):
    with pytest.raises(SystemExit):
        MAINS[script](["--help"])
    presets = capsys.readouterr().out.split("presets (every value")[1]
    module = {"spam_rnn.py": spam_rnn, "airline_lstm.py": airline_lstm,
              "sentiment_lstm.py": sentiment_lstm, "har_lstm.py": har_lstm}[script]
    sections = presets.split("\n  best:")
    for section, name in zip(sections, ["chapter", "best"]):
        words = section.split()
        for key, value in module.PRESETS[name].items():
            assert f"{key}={value}" in words, (name, key)


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(SystemExit) as raised:
        spam_rnn.main(["--data-dir", "/no/such/folder", "--debug"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("error: --data-dir")


@pytest.mark.parametrize("script", list(MAINS))
def test_a_keras_older_than_the_scripts_need_is_one_line_before_any_work(script, monkeypatch,
                                                                          tmp_path, capsys):
    installed = {"keras": "3.3.3", "tensorflow": "2.21.0", "pandas": "3.1.1"}
    monkeypatch.setattr(environment.metadata, "version", installed.__getitem__)
    line = run_main_expecting_error(MAINS[script], ["--dry-run", "--output-dir",
                                                    str(tmp_path / "run")], capsys)
    assert line == ("error: keras 3.3.3 is installed and these scripts need keras >= 3.10; "
                    "upgrade with: pip install -e . (or pip install -U 'keras>=3.10')")
    assert not (tmp_path / "run").exists()


def test_versions_at_or_above_the_minimum_or_installed_under_another_name_pass(monkeypatch):
    def version(package):
        if package == "tensorflow":  # e.g. tensorflow-cpu
            raise environment.metadata.PackageNotFoundError(package)
        return "3.10.0"
    monkeypatch.setattr(environment.metadata, "version", version)
    environment.check_versions()
    installed = {"tensorflow": "2.18.0rc1", "keras": "3.9.2", "pandas": "2.0.3"}  # 3.9 < 3.10
    monkeypatch.setattr(environment.metadata, "version", installed.__getitem__)
    with pytest.raises(UserError, match=r"keras 3\.9\.2 is installed"):
        environment.check_versions()
    installed.update(keras="3.10.0", pandas="1.5.3")  # no format="mixed": dates lost
    with pytest.raises(UserError, match=r"pandas 1\.5\.3 is installed and these scripts "
                                        r"need pandas >= 2\.0"):
        environment.check_versions()


"""## Data files"""


def test_airline_csv_in_another_encoding(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Month,Passagiere\n1949-01,112\n1949-02,118 \xe4\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8 text; save it as UTF-8 CSV"):
        airline_lstm.load_series(path)


@pytest.mark.parametrize("content, message", [
    (b"1\tgood \xff\xfe movie\n", "not UTF-8 text"),
    (b"", "holds no sentences"),
])
def test_sentiment_file_encoding_and_emptiness(tmp_path, content, message):
    path = tmp_path / "training.txt"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        sentiment_lstm.load_sentences(path)


def test_har_signal_file_of_the_wrong_shape(tmp_path):
    folder = write_tiny_har(tmp_path)
    path = folder / "train" / "Inertial Signals" / "total_acc_x_train.txt"
    path.write_text("1.0 2.0 3.0\n")  # 3 values, not 128 per window
    with pytest.raises(UserError, match="total_acc_x_train.txt does not have 128 values per row"):
        har_lstm.load_har(tmp_path, tmp_path / "cache")


def test_half_extracted_har_folder_is_not_trusted(tmp_path, capsys):
    folder = write_tiny_har(tmp_path)
    (folder / "test" / "y_test.txt").unlink()  # an unzip stopped half way
    line = run_main_expecting_error(har_lstm.main, ["--data-dir", str(tmp_path), "--dry-run"], capsys)
    assert "UCI HAR Dataset is incomplete (no test/y_test.txt)" in line


def test_half_extracted_har_folder_falls_back_to_the_archive(tmp_path, monkeypatch, capsys):
    complete = write_tiny_har(tmp_path / "complete")
    (tmp_path / "data").mkdir()
    archive = zip_folder(complete, tmp_path / "data" / "UCI HAR Dataset.zip")
    from common import data
    source = data.UCI_HAR.sources[1]
    monkeypatch.setattr(data, "UCI_HAR", data.DataSet(
        data.UCI_HAR.name, (data.Source(source.file_name, source.urls, data.sha256_of(archive),
                                        archive.stat().st_size),)))
    shutil.copytree(complete, tmp_path / "data" / data.UCI_HAR_FOLDER)
    (tmp_path / "data" / data.UCI_HAR_FOLDER / "train" / "y_train.txt").unlink()
    path, _, key = data.locate_uci_har(tmp_path / "data", True, har_lstm.data_files())
    assert key == data.sha256_of(archive)
    assert path == archive
    assert "incomplete (no train/y_train.txt); reading UCI HAR Dataset.zip instead" in capsys.readouterr().out


def test_truncated_har_cache_is_rebuilt(tmp_path, capsys):
    write_tiny_har(tmp_path)
    first = har_lstm.load_har(tmp_path, tmp_path / "cache")
    [cache] = (tmp_path / "cache").glob("*.npz")
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    again = har_lstm.load_har(tmp_path, tmp_path / "cache")
    assert "is damaged; rebuilding it" in capsys.readouterr().out
    np.testing.assert_array_equal(first["x_train"], again["x_train"])


"""## Predict inputs"""


def test_sentiment_predict_with_a_run_of_an_older_configuration(tmp_path, capsys):
    folder = write_run(tmp_path / "old", example="sentiment", vocabulary=["good"])
    (folder / "model.keras").write_bytes(b"")
    line = run_main_expecting_error(sentiment_lstm.main, ["predict", "--run", str(folder), "great"], capsys)
    assert "config.json lacks sequence_len" in line and "older version" in line


"""## Nothing written outside the run, data and cache folders"""


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


def test_a_run_writes_only_to_its_run_data_and_cache_folders(tmp_path):
    sandbox = {name: tmp_path / name for name in ("home", "cwd", "tmp", "cache", "data")}
    for folder in sandbox.values():
        folder.mkdir()
    shutil.copy(DATA_DIR / "smsspamcollection.zip", sandbox["data"])
    project = snapshot(ROOT)
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "KERAS_HOME",
                                                            "MPLCONFIGDIR")}
    env.update(HOME=str(sandbox["home"]), TMPDIR=str(sandbox["tmp"]), TF_CPP_MIN_LOG_LEVEL="3",
               RNN_EXAMPLES_CACHE=str(sandbox["cache"]), PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, str(ROOT / "spam_rnn.py"), "--dry-run", "--data-dir", str(sandbox["data"]),
         "--output-dir", str(tmp_path / "run")], cwd=sandbox["cwd"], env=env,
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "run" / "metrics.json").is_file()
    for name in ("home", "cwd", "tmp"):
        assert not any(sandbox[name].iterdir()), (name, list(sandbox[name].rglob("*")))
    assert snapshot(ROOT) == project


def test_sentiment_data_folder_without_the_training_file(tmp_path, capsys):
    line = run_main_expecting_error(sentiment_lstm.main, ["--data-dir", str(tmp_path), "--dry-run",
                                                          "--output-dir", str(tmp_path / "r")], capsys)
    assert "umich_si650_training.txt: no such file" in line and "--data-dir" in line
    assert not (tmp_path / "r").exists()
