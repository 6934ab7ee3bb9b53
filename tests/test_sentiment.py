"""sentiment_lstm.py: cleaning, deduplication, vocabulary, masked mean, dry run, predict."""

import json
import math

import keras
import numpy as np
import pytest

import sentiment_lstm as sl
from conftest import DATA_DIR, run_main_expecting_error
from common.errors import UserError

STOPWORDS = sl.load_stopwords(DATA_DIR / sl.STOPWORDS_FILE)


@pytest.mark.parametrize("raw, cleaned", [
    ("Tom &amp; Jerry", "tom jerry"),                                  # html entity, then punctuation
    ("@john I loved http://t.co/x it", "loved"),                       # @user, link, stopwords
    ("loooove it!!!", "love"),                                         # runs of 3+ letters -> one
    ("I hate the Da Vinci Code..", "hate da vinci code"),              # stopwords i, the
    ("it's NOT bad", "bad"),                                           # "not" is a chapter stopword
])
def test_clean_sentence_chapter_cases(raw, cleaned):
    assert sl.clean_sentence(raw, STOPWORDS) == cleaned


def test_clean_sentence_without_stopwords_keeps_negations():
    assert sl.clean_sentence("it's NOT bad", []) == "it s not bad"


def test_deduplication_gives_the_chapters_1410_sentences():
    texts, labels = sl.load_sentences(DATA_DIR / sl.SENTENCES_FILE)
    assert len(texts) == 7086
    texts, labels = sl.deduplicate(texts, labels)
    assert len(texts) == 1410 and int(labels.sum()) == 772
    assert len(set(texts)) == 1410


def test_deduplicate_keeps_the_first_occurrence():
    texts, labels = sl.deduplicate(["a", "b", "a", "c"], np.array([1, 0, 0, 1]))
    assert texts == ["a", "b", "c"] and labels.tolist() == [1, 0, 1]


def test_split_sizes_and_stratification():
    _, labels = sl.deduplicate(*sl.load_sentences(DATA_DIR / sl.SENTENCES_FILE))
    train, val, test = sl.split_data(len(labels), labels, seed=100)
    assert (len(train), len(val), len(test)) == (1028, 100, 282)
    assert not set(train) & set(test) and not set(val) & set(test)
    assert abs(labels[test].mean() - labels.mean()) < 0.01


def test_vocabulary_comes_from_the_training_split_only():
    vocabulary = sl.build_vocabulary(["good movie", "good book"])
    assert set(vocabulary) == {"good", "movie", "book"} and vocabulary[0] == "good"
    vectorizer = sl.make_vectorizer(vocabulary, sequence_len=5)
    ids = vectorizer(["book good terrible"]).numpy()[0]
    # word order kept, an unseen test word maps to [UNK] (1), padding 0 at the end
    assert ids.tolist() == [vocabulary.index("book") + 2, 2, 1, 0, 0]


@pytest.mark.parametrize("preset", ["chapter", "best"])
def test_masked_pooling_ignores_padding(preset):
    config = dict(sl.PRESETS[preset], seed=0)
    keras.utils.set_random_seed(0)
    model = sl.build_model(vocab_size=30, config=config)
    sentence = np.array([[5, 9, 3]])
    padded = np.array([[5, 9, 3, 0, 0, 0, 0]])
    np.testing.assert_allclose(model(sentence, training=False).numpy(),
                               model(padded, training=False).numpy(), rtol=1e-5, atol=1e-6)
    assert model.output_shape == (None, 2)
    names = [layer.name for layer in model.layers]
    assert ("masked_max" in names) == (preset == "best")


def test_masked_max_takes_the_largest_real_step_even_when_all_are_negative():
    from common.layers import MaskedGlobalMaxPooling1D

    steps = np.array([[[-3.0, 1.0], [-2.0, -5.0], [9.0, 9.0]]], dtype="float32")
    mask = np.array([[True, True, False]])
    pooled = MaskedGlobalMaxPooling1D()(steps, mask=mask)
    np.testing.assert_allclose(pooled.numpy(), [[-2.0, 1.0]])
    np.testing.assert_allclose(MaskedGlobalMaxPooling1D()(steps).numpy(), [[9.0, 9.0]])


@pytest.mark.parametrize("content, message", [
    ("1\tgood\nx\tbad\n", "line 2: expected 0 or 1"),
    ("1 good\n", "line 1: expected 0 or 1, a tab"),
    ("\n\n", "holds no sentences"),
])
def test_bad_sentence_files(tmp_path, content, message):
    path = tmp_path / "training.txt"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        sl.load_sentences(path)


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("sentiment") / "run"
    return run_dir, sl.main(["--dry-run", "--output-dir", str(run_dir)])


def test_dry_run_writes_every_output(dry_run):
    run_dir, result = dry_run
    for name in ["loss.png", "accuracy.png", "history.csv", "metrics.json", "config.json",
                 "model.keras"]:
        assert (run_dir / name).is_file(), name
    assert list((run_dir / "logs" / "train").glob("events.out.tfevents.*"))
    assert list((run_dir / "logs" / "validation").glob("events.out.tfevents.*"))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert math.isfinite(metrics["test_accuracy"]) and 0 <= metrics["test_accuracy"] <= 1
    assert metrics["steps"] == 20  # a dry run's 2 rounds of 10 steps
    config = json.loads((run_dir / "config.json").read_text())
    assert config["example"] == "sentiment" and config["vocabulary"] and config["seed"] == 100


def test_best_preset_dry_run_keeps_stopwords_and_predict_restores_it(tmp_path, capsys):
    run_dir = tmp_path / "best"
    result = sl.main(["--preset", "best", "--dry-run", "--output-dir", str(run_dir)])
    printed = capsys.readouterr().out  # a dry run validates every 10 steps, not 100
    assert "10/20 train loss" in printed and "20/20 train loss" in printed
    config = json.loads((run_dir / "config.json").read_text())
    assert config["remove_stopwords"] is False and "not" in config["vocabulary"]
    assert result["epochs"] == 2 and math.isfinite(result["test_accuracy"])
    predicted = sl.main(["predict", "--run", str(run_dir), "--samples", "1"])
    assert predicted["test_accuracy"] == pytest.approx(result["test_accuracy"], abs=1e-6)
    # the lexicon's words have ids (after the training words) and their valences travel in
    # model.keras, so predict needs no lexicon file
    model, _ = sl.load_run(run_dir)
    valences = model.get_layer("word_valence").get_weights()[0][:, 0]
    loathe = config["vocabulary"].index("loathe") + 2  # after padding and [UNK]
    assert valences[loathe] == pytest.approx(-2.2 / 4)


def test_dry_run_vocabulary_holds_no_test_only_word(dry_run):
    run_dir, _ = dry_run
    config = json.loads((run_dir / "config.json").read_text())
    _, cleaned, _, _, (train, val, test) = sl.prepare(DATA_DIR, config, dry_run=True)
    train_words = {w for i in train for w in cleaned[i].split()}
    test_only = {w for i in test for w in cleaned[i].split()} - train_words
    assert test_only and not test_only & set(config["vocabulary"])
    assert set(config["vocabulary"]) == train_words


def test_predict_on_texts(dry_run, capsys):
    """One line per text with its [negative, positive] probabilities; a sentence and its
    shouting, repeated-letter twin are cleaned alike, so they get the same figures."""
    run_dir, _ = dry_run
    texts = ["I loved it", "awful movie", "I LOOOVED it!!!"]
    result = sl.main(["predict", "--run", str(run_dir), *texts])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == texts
    for line, p in zip(lines, result["probabilities"]):
        assert line.split("\t")[0] == f"[{p[0]:.4f}, {p[1]:.4f}]"
    np.testing.assert_allclose(result["probabilities"][2], result["probabilities"][0], rtol=1e-6)


def test_predict_reads_lines_from_standard_input(dry_run, capsys, monkeypatch):
    """TEXT "-": one sentence a line from standard input, blank lines skipped; the same
    figures as the sentences given as arguments."""
    import io

    run_dir, _ = dry_run
    texts = ["I loved it", "awful movie"]
    expected = sl.main(["predict", "--run", str(run_dir), *texts])["probabilities"]
    monkeypatch.setattr("sys.stdin", io.StringIO("I loved it\n\nawful movie\n"))
    assert sl.main(["predict", "--run", str(run_dir), "-"])["probabilities"] == expected
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    line = run_main_expecting_error(sl.main, ["predict", "--run", str(run_dir), "-"], capsys)
    assert "TEXT -: no lines on standard input" in line


def test_predict_on_the_test_split_reproduces_the_runs_accuracy(dry_run, capsys):
    run_dir, result = dry_run
    predicted = sl.main(["predict", "--run", str(run_dir), "--samples", "3"])
    out = capsys.readouterr().out
    assert predicted["test_accuracy"] == pytest.approx(result["test_accuracy"], abs=1e-6)
    assert out.count("Sample: ") == 3 and "Test accuracy" in out


def test_predict_bad_run_folder(tmp_path, capsys):
    line = run_main_expecting_error(sl.main, ["predict", "--run", str(tmp_path)], capsys)
    assert "--run" in line and "no config.json there" in line


def test_predict_run_of_another_example(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps({"example": "spam"}))
    (tmp_path / "model.keras").write_bytes(b"x")
    line = run_main_expecting_error(sl.main, ["predict", "--run", str(tmp_path)], capsys)
    assert "a run of spam, not of sentiment_lstm.py" in line


def test_predict_classifies_punctuation_long_and_non_ascii_texts(dry_run, capsys):
    run_dir, _ = dry_run
    texts = ["!!! ???", "the movie was good " * 2000, "Ce film était génial ❤️", "素晴らしい"]
    result = sl.main(["predict", "--run", str(run_dir), *texts])
    probabilities = np.array(result["probabilities"])
    assert probabilities.shape == (4, 2) and np.isfinite(probabilities).all()


def test_predict_empty_text_is_refused(dry_run, capsys):
    run_dir, _ = dry_run
    line = run_main_expecting_error(sl.main, ["predict", "--run", str(run_dir), "great", ""], capsys)
    assert "TEXT 2 is empty" in line


def test_lexicon_words_unseen_in_training_get_ids_of_their_own():
    lexicon = {"good": 1.9, "loathe": -2.2, ":)": 2.0, "can't": -1.0, "abandon": -1.9}
    vocabulary = sl.with_lexicon_words(["good", "movie"], lexicon)
    # the training words keep their ids; then the lexicon's words the cleaning leaves whole
    assert vocabulary == ["good", "movie", "abandon", "loathe"]
    vectorizer = sl.make_vectorizer(vocabulary, sequence_len=3)
    valences = sl.word_valences(vectorizer, lexicon)
    np.testing.assert_allclose(valences[:, 0], [0, 0, 1.9 / 4, 0, -1.9 / 4, -2.2 / 4])
    assert sl.word_valences(vectorizer, {}) is None
    assert sl.lexicon_for(DATA_DIR, dict(sl.PRESETS["chapter"])) == {}


def test_a_data_folder_without_the_lexicon_uses_the_bundled_one(tmp_path):
    bundled = sl.lexicon_for(DATA_DIR, sl.PRESETS["best"])
    assert sl.lexicon_for(tmp_path, sl.PRESETS["best"]) == bundled and bundled["sux"] == -1.5
    (tmp_path / sl.LEXICON_FILE).write_text("sux\t2.0\n")  # a copy of your own comes first
    assert sl.lexicon_for(tmp_path, sl.PRESETS["best"]) == {"sux": 2.0}


def test_valence_input_is_frozen_and_keeps_the_mask():
    config = dict(sl.PRESETS["best"], seed=0)
    valences = np.linspace(-1, 1, 30, dtype="float32")[:, None]
    keras.utils.set_random_seed(0)
    model = sl.build_model(vocab_size=30, config=config, valences=valences)
    lookup = model.get_layer("word_valence")
    assert not lookup.trainable and lookup.get_weights()[0].tolist() == valences.tolist()
    sentence, padded = np.array([[5, 9, 3]]), np.array([[5, 9, 3, 0, 0, 0, 0]])
    np.testing.assert_allclose(model(sentence, training=False).numpy(),
                               model(padded, training=False).numpy(), rtol=1e-5, atol=1e-6)
    # the valence reaches the scores: two ids that differ only in it score differently
    untaught = sl.build_model(vocab_size=30, config=config, valences=np.zeros_like(valences))
    untaught.set_weights([w if w.shape != valences.shape else np.zeros_like(w)
                          for w in model.get_weights()])
    assert not np.allclose(model(sentence).numpy(), untaught(sentence).numpy())


def test_embedding_dropout_drops_whole_words_and_keeps_their_valence():
    """In training, a dropped word's embedding is all zeros (a kept one scaled up) and its
    valence is still added. Outside training nothing is dropped."""
    config = dict(sl.PRESETS["best"], seed=0, embedding_dropout=0.5)
    keras.utils.set_random_seed(0)
    model = sl.build_model(vocab_size=30, config=config,
                           valences=np.linspace(-1, 1, 30, dtype="float32")[:, None])
    inside = keras.Model(model.input, [model.get_layer(name).output for name in (
        "embedding_dropout", "valence_projection", "embedding_and_valence")])
    ids = np.arange(2, 30)[None, :]
    words = model.get_layer("word_embeddings")(ids).numpy()[0]
    dropped, valence, summed = (out.numpy()[0] for out in inside(ids, training=True))
    zero = np.all(dropped == 0, axis=1)
    assert zero.any() and not zero.all()
    np.testing.assert_allclose(dropped[~zero], words[~zero] * 2, rtol=1e-5)
    assert np.abs(valence[zero]).max() > 0  # the dropped words' valences are still there
    np.testing.assert_allclose(summed[zero], valence[zero], rtol=1e-6)
    np.testing.assert_allclose(inside(ids, training=False)[0].numpy()[0], words, rtol=1e-6)
