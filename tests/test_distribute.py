"""Devices, precision and tf.distribute on CPU: MirroredStrategy over 2 logical CPU devices,
two MultiWorkerMirroredStrategy workers on 127.0.0.1, mixed precision, and the recurrent
layers' cuDNN eligibility in every model the scripts build."""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import sentiment_lstm
import spam_rnn
from benchmarks import gpu_check
from conftest import ROOT
from test_har import write_tiny_har


def script_env(**extra):
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **extra)


def run_script(args, timeout=180, **env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=script_env(**env),
                          capture_output=True, text=True, timeout=timeout)


"""## MirroredStrategy over two logical CPU devices"""


def test_spam_dry_run_under_mirrored_strategy_on_two_logical_cpus(tmp_path):
    result = run_script(["spam_rnn.py", "--dry-run", "--devices", "2",
                         "--output-dir", str(tmp_path / "run")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Device: MirroredStrategy over 2 logical CPU devices" in result.stdout
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["replicas"] == 2 and metrics["epochs"] == 2
    assert 0 <= metrics["test_accuracy"] <= 1


def test_har_dry_run_under_mirrored_strategy_on_two_logical_cpus(tmp_path):
    write_tiny_har(tmp_path / "data")
    result = run_script(["har_lstm.py", "--dry-run", "--devices", "2", "--data-dir",
                         str(tmp_path / "data"), "--output-dir", str(tmp_path / "run")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "MirroredStrategy over 2 logical CPU devices" in result.stdout
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["replicas"] == 2 and np.isfinite(metrics["test_loss"])


def test_devices_with_device_gpu_is_a_one_line_error(tmp_path):
    result = run_script(["spam_rnn.py", "--dry-run", "--devices", "2", "--device", "gpu",
                         "--output-dir", str(tmp_path / "run")], timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: --device")
    assert not (tmp_path / "run").exists()


"""## Two workers on 127.0.0.1 with TF_CONFIG"""


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_train_spam_together_and_the_chief_writes_the_run(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    run_dir = tmp_path / "run"
    processes = []
    try:
        for index in range(2):
            tf_config = json.dumps({"cluster": {"worker": workers},
                                    "task": {"type": "worker", "index": index}})
            processes.append(subprocess.Popen(
                [sys.executable, "spam_rnn.py", "--dry-run", "--output-dir", str(run_dir)],
                cwd=ROOT, env=script_env(TF_CONFIG=tf_config), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True))
        outputs = [p.communicate(timeout=240) for p in processes]
    finally:
        for p in processes:  # never leave a worker waiting for its peer
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(processes, outputs):
        assert p.returncode == 0, err[-3000:]
    assert "worker 0 (chief) of 2" in outputs[0][0]
    assert "worker 1 of 2" in outputs[1][0]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["replicas"] == 2 and metrics["epochs"] == 2
    assert (run_dir / "model.keras").is_file() and (run_dir / "loss.png").is_file()
    assert not (run_dir / "backup").exists()


def test_a_bad_tf_config_is_a_one_line_error(tmp_path):
    result = run_script(["spam_rnn.py", "--dry-run", "--output-dir", str(tmp_path / "run")],
                        timeout=60, TF_CONFIG="{not json")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: TF_CONFIG")


"""## Mixed precision"""


@pytest.fixture
def float32_afterwards():
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_mixed_precision_keeps_the_output_layer_and_loss_in_float32(tmp_path, float32_afterwards):
    result = spam_rnn.main(["--dry-run", "--mixed-precision", "--output-dir", str(tmp_path / "run")])
    assert result["precision"] == "mixed_bfloat16"  # no GPU here: bfloat16 on CPU
    assert np.isfinite(result["test_accuracy"])
    model = keras.models.load_model(tmp_path / "run" / "model.keras")
    inner = model.get_layer("spam_simple")
    assert inner.get_layer("logits").dtype_policy.name == "float32"
    [rnn] = [layer for layer in inner.layers if isinstance(layer, keras.layers.SimpleRNN)]
    assert rnn.dtype_policy.name == "mixed_bfloat16"
    assert model.predict(tf.constant([["win a prize now"]]), verbose=0).dtype == np.float32


"""## cuDNN eligibility of every recurrent layer"""


def built_models():
    """Every model the scripts build, both presets (the GPU check builds the same ones)."""
    for example in ("spam", "airline", "sentiment", "har"):
        for preset, model, _ in gpu_check.sample_models(example):
            yield f"{example} {preset}", model


def test_every_lstm_and_gru_keeps_the_cudnn_configuration():
    """Keras uses the cuDNN kernel only with these settings (keras/src/backend/tensorflow/
    rnn.py: cudnn_ok); SimpleRNN, the chapter's spam cell, has no cuDNN kernel at all."""
    seen = set()
    for name, model in built_models():
        layers = list(gpu_check.recurrent_layers(model))
        assert layers, name
        for layer in layers:
            kind = type(layer).__name__
            seen.add(kind)
            if kind == "SimpleRNN":
                assert name == "spam chapter"  # the chapter's BasicRNNCell, kept faithfully
                continue
            assert kind in ("LSTM", "GRU"), (name, kind)
            assert layer.activation is keras.activations.tanh, name
            assert layer.recurrent_activation is keras.activations.sigmoid, name
            assert layer.recurrent_dropout == 0 and not layer.unroll and layer.use_bias, name
            assert layer.use_cudnn == "auto", name
            if kind == "GRU":
                assert layer.reset_after, name
    assert seen == {"SimpleRNN", "LSTM", "GRU"}


def test_masked_inputs_are_right_padded(spam_zip):
    """cuDNN takes masks only when the padding comes after the words: TextVectorization pads
    at the end, so every masked row is ones then zeros."""
    texts, labels = spam_rnn.load_messages(spam_zip)
    config = dict(spam_rnn.PRESETS["best"], preset="best", seed=0)
    ids = spam_rnn.build_vectorizer(texts[:500], config)(texts[:500]).numpy()
    vectorizer = sentiment_lstm.make_vectorizer(["good", "movie"], 6)
    ids = np.concatenate([ids[:, :6], vectorizer(["good movie", "movie", "bad"]).numpy()])
    mask = ids != 0
    first_pad = np.where(mask.all(axis=1), mask.shape[1], np.argmin(mask, axis=1))
    for row, start in zip(mask, first_pad):
        assert row[:start].all() and not row[start:].any()
