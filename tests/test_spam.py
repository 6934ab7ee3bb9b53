"""spam_rnn.py: data loading, split, model, end-to-end dry runs, predict, bad input."""

import io
import json
import math
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.metrics import confusion_matrix

import spam_rnn
from conftest import run_main_expecting_error
from common.errors import UserError


# --- data ---------------------------------------------------------------------------------

def test_load_messages_counts_and_label_mapping(spam_zip):
    texts, labels = spam_rnn.load_messages(spam_zip)
    assert len(texts) == 5574
    assert (labels == spam_rnn.HAM).sum() == 4827 and (labels == spam_rnn.SPAM).sum() == 747
    assert texts[0].startswith("Go until jurong point") and labels[0] == 1  # first row is ham
    assert texts[2].startswith("Free entry in 2 a wkly comp") and labels[2] == 0  # spam


def test_split_sizes_are_the_chapters(spam_zip):
    texts, labels = spam_rnn.load_messages(spam_zip)
    (x_train, y_train), (x_test, y_test) = spam_rnn.split_data(texts, labels, seed=3)
    assert (len(x_train), len(y_train), len(x_test), len(y_test)) == (4180, 4180, 1394, 1394)
    assert sorted(x_train.tolist() + x_test.tolist()) == sorted(texts)


def test_split_depends_on_the_seed(spam_zip):
    texts, labels = spam_rnn.load_messages(spam_zip)
    first = spam_rnn.split_data(texts, labels, seed=1)[1][0]
    again = spam_rnn.split_data(texts, labels, seed=1)[1][0]
    other = spam_rnn.split_data(texts, labels, seed=2)[1][0]
    assert first.tolist() == again.tolist() and first.tolist() != other.tolist()


def test_vocabulary_is_built_from_the_training_split_only():
    config = dict(spam_rnn.PRESETS["chapter"], min_word_frequency=1)
    train = ["alpha beta", "alpha beta", "alpha"]
    vectorizer = spam_rnn.build_vectorizer(train, config)
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and set(vocabulary[2:]) == {"alpha", "beta"}
    ids = vectorizer(["alpha gamma"]).numpy()[0]
    assert ids.shape == (25,) and ids[1] == 1  # an unseen test word maps to [UNK]


def _zip_with(tmp_path, member, payload: bytes):
    path = tmp_path / "smsspamcollection.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, payload)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: (p / "x.zip").write_bytes(b"not a zip") and p / "x.zip", "is not a zip archive"),
    (lambda p: _zip_with(p, "readme", b"hello"), "has no member SMSSpamCollection"),
    (lambda p: _zip_with(p, "SMSSpamCollection", b"\n\n"), "holds no messages"),
    (lambda p: _zip_with(p, "SMSSpamCollection", b"ham\thi\nspamm no tab\n"), "line 2: expected 'ham' or 'spam'"),
    (lambda p: _zip_with(p, "SMSSpamCollection", b"ham\t\xff\xfe"), "is not UTF-8 text"),
])
def test_bad_data_files_give_one_clear_error(tmp_path, make, message):
    with pytest.raises(UserError, match=message):
        spam_rnn.load_messages(make(tmp_path))


# --- model --------------------------------------------------------------------------------

def _model_inputs(config, n=3, seed=0):
    rng = np.random.default_rng(seed)
    inputs = {"word_ids": rng.integers(1, 50, size=(n, config["sequence_length"]))}
    if config["char_sequence_length"]:
        inputs["char_ids"] = rng.integers(1, 30, size=(n, config["char_sequence_length"]))
    return inputs


@pytest.mark.parametrize("preset", ["chapter", "best"])
def test_model_outputs_two_logits(preset):
    config = dict(spam_rnn.PRESETS[preset], seed=0)
    model = spam_rnn.build_model(vocab_size=50, config=config, char_vocab_size=30)
    logits = model(_model_inputs(config))
    assert logits.shape == (3, 2)
    # logits, not probabilities: the chapter's double softmax is fixed
    assert model.get_layer("logits").activation is keras.activations.linear
    assert sorted(model.input) == (["char_ids", "word_ids"] if preset == "best" else ["word_ids"])


def test_best_model_reads_the_characters_and_masks_word_padding():
    config = dict(spam_rnn.PRESETS["best"], seed=0)
    keras.utils.set_random_seed(0)
    model = spam_rnn.build_model(vocab_size=50, config=config, char_vocab_size=30)
    inputs = _model_inputs(config)
    inputs["word_ids"][:, 5:] = 0  # five words, then padding
    before = model(inputs).numpy()
    changed = dict(inputs, char_ids=inputs["char_ids"].copy())
    changed["char_ids"][0, 3] = (changed["char_ids"][0, 3] % 29) + 1  # one character
    after = model(changed).numpy()
    assert not np.allclose(before[0], after[0]) and np.allclose(before[1:], after[1:])
    # the word GRU skips the padding: the padding id's embedding does not matter
    word_embedding = next(layer for layer in model.layers
                          if isinstance(layer, keras.layers.Embedding) and layer.input_dim == 50)
    weights = word_embedding.get_weights()[0]
    weights[0] = 100.0
    word_embedding.set_weights([weights])
    np.testing.assert_allclose(model(inputs).numpy(), before, atol=1e-5)


def test_character_ids_come_from_the_training_split_keep_case_and_pad():
    config = dict(spam_rnn.PRESETS["best"], char_sequence_length=8)
    vectorizer = spam_rnn.build_char_vectorizer(["Ab", "ab!"], config)
    assert sorted(vectorizer.get_vocabulary()[2:]) == ["!", "A", "a", "b"]
    ids = vectorizer(["aB£ A long text"]).numpy()[0]
    vocabulary = vectorizer.get_vocabulary()
    assert ids.shape == (8,) and vocabulary[ids[0]] == "a" and vocabulary[ids[4]] == "A"
    assert ids[1] == 1 and ids[2] == 1  # "B" and "£" never seen in training: unknown
    assert vectorizer(["ab"]).numpy()[0].tolist() == [vocabulary.index("a"),
                                                     vocabulary.index("b"), 0, 0, 0, 0, 0, 0]


# --- end to end ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("spam") / "run"
    result = spam_rnn.main(["--dry-run", "--output-dir", str(run_dir), "--seed", "1"])
    return run_dir, result


def test_dry_run_writes_every_output(dry_run):
    run_dir, result = dry_run
    for name in ["loss.png", "accuracy.png", "history.csv", "metrics.json", "config.json",
                 "model.keras"]:
        assert (run_dir / name).is_file() and (run_dir / name).stat().st_size > 0, name
    assert (run_dir / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((run_dir / "logs").rglob("events.out.tfevents.*"))
    assert result["run_dir"] == run_dir


def test_dry_run_metrics_are_finite_and_complete(dry_run):
    run_dir, _ = dry_run
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ["test_accuracy", "spam_precision", "spam_recall", "spam_f1", "train_seconds"]:
        assert math.isfinite(metrics[key]), key
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert metrics["epochs"] == 2 and metrics["device"]
    assert np.array(metrics["confusion_matrix"]).sum() == metrics["test_size"] == 100
    config = json.loads((run_dir / "config.json").read_text())
    assert config["preset"] == "chapter" and config["rnn_size"] == 10
    assert config["versions"]["keras"].startswith("3.")
    history = (run_dir / "history.csv").read_text().splitlines()
    assert history[0] == "epoch,train_loss,train_accuracy,test_loss,test_accuracy,epoch_seconds"
    assert len(history) == 3


def test_saved_model_takes_raw_strings_and_reproduces_the_runs_figures(dry_run, spam_zip):
    """Reloaded, model.keras (vectorizer inside) classifies the raw test messages exactly as
    the trained model did in the run."""
    run_dir, result = dry_run
    model = keras.models.load_model(run_dir / "model.keras")
    texts, labels = spam_rnn.load_messages(spam_zip)
    texts, labels = texts[:spam_rnn.DRY_RUN_SAMPLES], labels[:spam_rnn.DRY_RUN_SAMPLES]
    _, (x_test, y_test) = spam_rnn.split_data(texts, labels, seed=1)
    probabilities = model.predict(tf.constant([[t] for t in x_test]), verbose=0)
    assert probabilities.shape == (len(y_test), 2)
    predicted = probabilities.argmax(axis=1)
    assert (predicted == y_test).mean() == pytest.approx(result["test_accuracy"], abs=1e-9)
    assert confusion_matrix(y_test, predicted, labels=[spam_rnn.SPAM, spam_rnn.HAM]).tolist() \
        == result["confusion_matrix"]


def test_predict_prints_one_line_per_text(dry_run, capsys):
    run_dir, _ = dry_run
    results = spam_rnn.main(["predict", "--model", str(run_dir), "WIN cash now", "lunch at 1?"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and len(results) == 2
    for line, text in zip(lines, ["WIN cash now", "lunch at 1?"]):
        label, probability, shown = line.split("\t")
        assert label in ("spam", "ham") and 0.0 <= float(probability) <= 1.0 and shown == text
        assert (label == "spam") == (float(probability) >= 0.5)


def test_predict_takes_the_run_folder_as_run_too(dry_run, capsys):
    run_dir, _ = dry_run
    by_model = spam_rnn.main(["predict", "--model", str(run_dir), "WIN cash now"])
    assert spam_rnn.main(["predict", "--run", str(run_dir), "WIN cash now"]) == by_model


def test_predict_reads_standard_input(dry_run, capsys, monkeypatch):
    run_dir, _ = dry_run
    monkeypatch.setattr("sys.stdin", io.StringIO("first message\n\nsecond message\n"))
    results = spam_rnn.main(["predict", "--model", str(run_dir / "model.keras")])
    assert [r["text"] for r in results] == ["first message", "second message"]


def test_best_preset_dry_run_uses_a_validation_split_and_its_model_takes_raw_text(tmp_path, capsys):
    result = spam_rnn.main(["train", "--preset", "best", "--dry-run",  # train: the default
                            "--output-dir", str(tmp_path / "b")])
    header = (tmp_path / "b" / "history.csv").read_text().splitlines()[0]
    assert header == "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,epoch_seconds"
    assert math.isfinite(result["test_accuracy"])
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert last_line == f"Run folder: {tmp_path / 'b'} (preset best, seed 42)"  # the default seed
    results = spam_rnn.main(["predict", "--model", str(tmp_path / "b"), "FREE £1000 txt 80082"])
    assert len(results) == 1 and 0.0 <= results[0]["spam_probability"] <= 1.0
    model = keras.models.load_model(tmp_path / "b" / "model.keras")
    assert [layer.name for layer in model.inputs] == ["text"]


def test_training_loss_decreases_on_real_data(tmp_path):
    result = spam_rnn.main(["--dry-run", "--epochs", "6", "--learning-rate", "0.01",
                            "--output-dir", str(tmp_path / "r")])
    history = (tmp_path / "r" / "history.csv").read_text().splitlines()[1:]
    losses = [float(row.split(",")[1]) for row in history]
    assert losses[-1] < losses[0] and result["epochs"] == 6


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    (["--epochs", "0"], "argument --epochs: must be a positive whole number"),
    (["--epochs", "-3"], "argument --epochs: must be a positive whole number"),
    (["--batch-size", "0"], "argument --batch-size: must be a positive whole number"),
    (["--batch-size", "ten"], "argument --batch-size: expected a whole number"),
    (["--learning-rate", "-1"], "argument --learning-rate: must be a positive finite number"),
    (["--preset", "fast"], "argument --preset: invalid choice"),
    (["--data-dir", "/no/such/folder"], "--data-dir /no/such/folder is not a folder"),
])
def test_bad_flags_exit_2_with_one_line(argv, expected, capsys):
    line = run_main_expecting_error(spam_rnn.main, argv, capsys)
    assert expected in line


def test_non_empty_output_dir_is_refused_and_untouched(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    line = run_main_expecting_error(spam_rnn.main, ["--dry-run", "--output-dir", str(tmp_path)], capsys)
    assert "--output-dir" in line and "not empty" in line
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_checksum_mismatch_in_data_dir(tmp_path, spam_zip, capsys):
    (tmp_path / spam_zip.name).write_bytes(spam_zip.read_bytes() + b"extra")
    line = run_main_expecting_error(
        spam_rnn.main, ["--dry-run", "--data-dir", str(tmp_path), "--output-dir", str(tmp_path / "r")], capsys)
    assert "smsspamcollection.zip has sha256" in line and not (tmp_path / "r").exists()


def test_gpu_requested_without_gpu(tmp_path, capsys):
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    line = run_main_expecting_error(
        spam_rnn.main, ["--dry-run", "--device", "gpu", "--output-dir", str(tmp_path / "r")], capsys)
    assert "--device gpu" in line and not (tmp_path / "r").exists()


@pytest.mark.parametrize("flag", ["--model", "--run"])
@pytest.mark.parametrize("make_path, expected", [
    (lambda p: p / "missing", "no model.keras there"),
    (lambda p: (p / "model.keras").write_bytes(b"garbage") and p / "model.keras", "cannot load it"),
])
def test_predict_bad_model_path(tmp_path, capsys, make_path, expected, flag):
    """The error names the flag as typed: --run is the other examples' spelling."""
    path = make_path(tmp_path)
    line = run_main_expecting_error(spam_rnn.main, ["predict", flag, str(path), "hi"], capsys)
    assert expected in line and line.startswith(f"error: {flag} {path}")


def test_predict_with_a_model_of_another_example(tmp_path, capsys):
    inputs = keras.Input(shape=(3,))
    keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(tmp_path / "model.keras")
    line = run_main_expecting_error(spam_rnn.main, ["predict", "--model", str(tmp_path), "hi"], capsys)
    assert "does not take raw text" in line


def test_predict_empty_text_is_refused(dry_run, capsys):
    run_dir, _ = dry_run
    line = run_main_expecting_error(spam_rnn.main, ["predict", "--model", str(run_dir), "  "], capsys)
    assert "TEXT 1 is empty" in line


ODD_TEXTS = ["?!?! ...", "win cash " * 3000, "Gewinne jetzt! 免费 iPhone 📱 ¡ya!", "日本語だけ"]


def test_predict_classifies_punctuation_long_and_non_ascii_texts(dry_run, capsys):
    run_dir, _ = dry_run
    results = spam_rnn.main(["predict", "--model", str(run_dir), *ODD_TEXTS])
    assert [r["text"] for r in results] == ODD_TEXTS
    assert all(r["label"] in ("spam", "ham") and 0 <= r["spam_probability"] <= 1 for r in results)
