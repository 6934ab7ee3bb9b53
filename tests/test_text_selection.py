"""benchmarks/text_selection.py: the selection part comes from the training split only, and
a candidate is trained with the scripts' own functions and scored on that part."""

import json

import numpy as np
import pytest

import sentiment_lstm
import spam_rnn
from benchmarks import text_selection
from common import cli, data
from conftest import run_main_expecting_error


def test_spam_selection_part_is_carved_from_the_training_split_only():
    texts, labels = spam_rnn.load_messages(data.locate(data.SMS_SPAM, cli.DEFAULT_DATA_DIR))
    (x_train, y_train), _ = spam_rnn.split_data(texts, labels, seed=3)
    (x_fit, y_fit), (x_sel, y_sel) = text_selection.spam_parts(seed=3)
    assert len(x_sel) == int(len(x_train) * 0.2)
    assert list(x_sel) + list(x_fit) == list(x_train)  # no test message anywhere
    assert np.concatenate([y_sel, y_fit]).tolist() == y_train.tolist()


def test_sentiment_selection_indices_leave_out_test_and_validation():
    config = sentiment_lstm.PRESETS["best"]
    _, _, _, _, (train_ix, val_ix, test_ix) = sentiment_lstm.prepare(
        cli.DEFAULT_DATA_DIR, dict(config, seed=2))
    _, labels, fit_ix, val_again, sel_ix = text_selection.sentiment_parts(2, config)
    assert val_again.tolist() == val_ix.tolist()
    assert sorted(np.concatenate([fit_ix, sel_ix]).tolist()) == sorted(train_ix.tolist())
    assert not set(sel_ix) & set(fit_ix) and not set(sel_ix) & set(test_ix)
    assert len(sel_ix) == int(len(train_ix) * 0.2)


def test_folds_partition_the_training_split_and_score_every_sample_once():
    texts, labels = spam_rnn.load_messages(data.locate(data.SMS_SPAM, cli.DEFAULT_DATA_DIR))
    (x_train, _), _ = spam_rnn.split_data(texts, labels, seed=1)
    parts = [text_selection.spam_parts(seed=1, fold=fold, folds=5) for fold in range(5)]
    assert sum(len(x_sel) for _, (x_sel, _) in parts) == len(x_train)
    assert [x for _, (x_sel, _) in parts for x in x_sel] == list(x_train)  # each once, in order
    for fold, ((x_fit, _), _) in enumerate(parts):  # the fit part: every other fold's messages
        assert list(x_fit) == [x for other, (_, (x_sel, _)) in enumerate(parts) if other != fold
                               for x in x_sel]
    config = sentiment_lstm.PRESETS["best"]
    _, _, _, _, (train_ix, val_ix, test_ix) = sentiment_lstm.prepare(
        cli.DEFAULT_DATA_DIR, dict(config, seed=1))
    selected = []
    for fold in range(5):
        _, _, fit_ix, val_again, sel_ix = text_selection.sentiment_parts(1, config, fold=fold,
                                                                         folds=5)
        assert sorted([*fit_ix, *sel_ix]) == sorted(train_ix) and val_again.tolist() == val_ix.tolist()
        assert not set(sel_ix) & set(fit_ix) and not set(sel_ix) & set(test_ix)
        selected.extend(sel_ix)
    assert sorted(selected) == sorted(train_ix)


def test_quick_cross_validation_writes_a_row_per_seed_and_fold(tmp_path, capsys):
    output = tmp_path / "selection.json"
    text_selection.main(["--examples", "sentiment", "--candidates", "best", "--seeds", "1",
                         "--folds", "2", "--quick", "--output", str(output)])
    results = json.loads(output.read_text())
    assert set(results) == {"sentiment_cv2"}  # kept apart from the 20% results
    rows = results["sentiment_cv2"]["candidates"]["best"]["rows"]
    assert [(row["seed"], row["fold"]) for row in rows] == [(0, 0), (0, 1)]
    baseline = results["sentiment_cv2"]["baselines"]["tfidf_char_2_5_svm"]
    assert len(baseline["rows"]) == 2 and "fold" not in baseline["summary"]


def test_quick_selection_writes_every_candidate_and_baseline(tmp_path, capsys):
    output = tmp_path / "selection.json"
    text_selection.main(["--examples", "sentiment", "--candidates", "best,mean_pooling",
                         "--seeds", "1", "--quick", "--output", str(output)])
    results = json.loads(output.read_text())["sentiment"]
    assert set(results["candidates"]) == {"best", "mean_pooling"}
    assert results["candidates"]["mean_pooling"]["config"]["pooling"] == "mean"
    assert set(results["baselines"]) == {"tfidf_word_1_2_svm", "tfidf_char_2_5_svm",
                                         "tfidf_word_char_svm", "tfidf_char_lexicon_svm"}
    for entry in [*results["candidates"].values(), *results["baselines"].values()]:
        assert 0.0 <= entry["summary"]["accuracy"] <= 1.0 and entry["seeds"] == [0]
    printed = capsys.readouterr().out
    assert "mean_pooling" in printed and "tfidf_char_2_5_svm" in printed


def test_unknown_candidate_is_refused(tmp_path, capsys):
    line = run_main_expecting_error(
        text_selection.main, ["--examples", "spam", "--candidates", "nope", "--seeds", "1",
                              "--quick", "--output", str(tmp_path / "s.json")], capsys)
    assert "--candidates: spam has no candidate 'nope'" in line
    assert not (tmp_path / "s.json").exists()


def record_networks(monkeypatch):
    """The sentiment networks built, and each training call's seed, name and data (the
    training itself skipped)."""
    import sentiment_lstm

    built, trained = [], []
    real_build = sentiment_lstm.build_model
    monkeypatch.setattr(sentiment_lstm, "build_model",
                        lambda *args, **kwargs: built.append(real_build(*args, **kwargs)) or built[-1])
    monkeypatch.setattr(sentiment_lstm, "train", lambda model, train_xy, val_xy, config, run,
                        name="": trained.append((config["seed"], name, train_xy)))
    return built, trained


def test_an_ensemble_candidate_scores_the_mean_of_its_networks(monkeypatch):
    """`ensemble` 2 (a candidate only): two networks from seeds seed and seed + 1, and the
    selection part scored by the mean of their scores (training skipped here)."""
    import sentiment_lstm

    built, trained = record_networks(monkeypatch)
    config = dict(sentiment_lstm.PRESETS["best"], ensemble=2, teacher_copies=0, lexicon=False)
    result = text_selection.sentiment_score(config, seed=3, quick=True)

    assert [(seed, name) for seed, name, _ in trained] == [(3, "member-0"), (4, "member-1")]
    cleaned, labels, fit_ix, _, sel_ix = text_selection.sentiment_parts(3, config, quick=True)
    vectorizer = sentiment_lstm.make_vectorizer(sentiment_lstm.build_vocabulary(cleaned[fit_ix]),
                                                sentiment_lstm.longest_sentence(cleaned))
    ids = sentiment_lstm.encode(vectorizer, cleaned[sel_ix].tolist())
    scores = [model.predict(ids, verbose=0) for model in built]
    assert not np.allclose(scores[0], scores[1])  # two starts, not one network twice
    mean_accuracy = float((np.mean(scores, axis=0).argmax(axis=1) == labels[sel_ix]).mean())
    assert result["accuracy"] == pytest.approx(mean_accuracy)


def test_a_born_again_candidate_scores_a_second_network_taught_by_both(monkeypatch):
    """`rounds` 2 (a candidate only): a fresh network (seed + 100) trains on fresh copies whose
    targets are the mean of the n-gram teacher's and the first network's probabilities, and
    the selection part is scored by that second network (training skipped here)."""
    import sentiment_lstm
    from common import distill

    built, trained = record_networks(monkeypatch)
    config = dict(sentiment_lstm.PRESETS["best"], rounds=2, teacher_copies=2, lexicon=False)
    result = text_selection.sentiment_score(config, seed=3, quick=True)

    assert [(seed, name) for seed, name, _ in trained] == [(3, "member-0"),
                                                           (103, "member-0-round-2")]
    cleaned, labels, fit_ix, _, sel_ix = text_selection.sentiment_parts(3, config, quick=True)
    vocabulary = sentiment_lstm.build_vocabulary(cleaned[fit_ix])
    vectorizer = sentiment_lstm.make_vectorizer(vocabulary, sentiment_lstm.longest_sentence(cleaned))
    copies, teacher = distill.distillation_set(cleaned[fit_ix], labels[fit_ix], 2, vocabulary,
                                               seed=103)
    first = built[0].predict(sentiment_lstm.encode(vectorizer, copies), verbose=0)
    first = np.exp(first) / np.exp(first).sum(axis=1, keepdims=True)
    ids, targets = trained[1][2]
    assert len(ids) == len(fit_ix) * 3
    np.testing.assert_allclose(targets[len(fit_ix):], (teacher + first) / 2, atol=1e-5)
    np.testing.assert_allclose(targets[:len(fit_ix)], np.eye(2)[labels[fit_ix]])
    scores = built[1].predict(sentiment_lstm.encode(vectorizer, cleaned[sel_ix].tolist()),
                              verbose=0)
    assert result["accuracy"] == pytest.approx(float((scores.argmax(axis=1)
                                                      == labels[sel_ix]).mean()))


def test_blank_unseen_words_zeroes_unknown_and_lexicon_only_ids_and_training_keeps_them_zero():
    """The candidate `lexicon_blank_unseen`: [UNK] and the ids after the training vocabulary get
    a zero embedding (a word dropped by embedding_dropout), and training, which never looks
    them up, leaves them there; the training words' embeddings still train."""
    import keras

    config = dict(sentiment_lstm.PRESETS["best"], seed=0)
    keras.utils.set_random_seed(0)
    model = sentiment_lstm.build_model(vocab_size=30, config=config,
                                       valences=np.linspace(-1, 1, 30, dtype="float32")[:, None])
    table = model.get_layer("word_embeddings")
    assert np.abs(table.get_weights()[0][20:]).max() > 0  # random before
    text_selection.blank_unseen_words(model, trained_ids=20)
    before = table.get_weights()[0].copy()
    assert np.all(before[1] == 0) and np.all(before[20:] == 0)
    assert np.all(np.abs(before[2:20]).max(axis=1) > 0)
    ids = np.random.default_rng(0).integers(2, 20, size=(64, 6))  # training words only
    model.fit(ids, np.eye(2, dtype="float32")[ids[:, 0] % 2], epochs=2, verbose=0)
    after = table.get_weights()[0]
    assert np.all(after[1] == 0) and np.all(after[20:] == 0)
    assert not np.allclose(after[2:20], before[2:20])


def test_validation_joining_training_trains_on_both_and_never_on_the_selection_part(monkeypatch):
    """`validation_joins_training` (a candidate only): the network trains on the fit and the
    validation sentences, without early stopping; the selection part stays out."""
    import sentiment_lstm

    _, trained = record_networks(monkeypatch)
    config = dict(sentiment_lstm.PRESETS["best"], validation_joins_training=True, patience=0,
                  teacher_copies=0, lexicon=False)
    text_selection.sentiment_score(config, seed=3, quick=True)
    cleaned, _, fit_ix, val_ix, sel_ix = text_selection.sentiment_parts(3, config, quick=True)
    (_, _, (ids, _)), = trained
    vectorizer = sentiment_lstm.make_vectorizer(
        sentiment_lstm.build_vocabulary(cleaned[np.concatenate([fit_ix, val_ix])]),
        sentiment_lstm.longest_sentence(cleaned))
    expected = sentiment_lstm.encode(vectorizer, cleaned[np.concatenate([fit_ix, val_ix])].tolist())
    np.testing.assert_array_equal(ids, expected)
    assert not set(sel_ix) & set(np.concatenate([fit_ix, val_ix]))


SENTENCES = ["i love this movie", "what a great book", "i hate this movie", "awful and boring",
             "loved it", "it sucks"]
LABELS = np.array([1, 1, 0, 0, 1, 0])
VOCABULARY = ["zebra", "quartz"]
SWAP_LEXICON = {"love": 3.2, "great": 3.1, "hate": -2.7, "awful": -2.0, "loathe": -2.2,
                "adore": 2.5}


def test_lexicon_swap_keeps_the_sign_and_about_the_valence():
    lexicon = dict(SWAP_LEXICON, happy=2.7, sad=-2.1, meh=-0.3, good=1.9, wow_=2.8, Joy=3.0)
    swap = text_selection.lexicon_swapper(lexicon, 1.0, seed=0)
    seen = set()
    for _ in range(200):
        for before, after in zip(["love", "hate", "this", "meh"], swap(["love", "hate", "this", "meh"])):
            if before == "this":
                assert after == "this"  # words the lexicon lacks stay
                continue
            assert after in lexicon and after not in ("wow_", "Joy")  # kept whole by the cleaning
            assert np.sign(lexicon[after]) == np.sign(lexicon[before])
            assert abs(lexicon[after] - lexicon[before]) <= 1
            seen.add(after)
    assert {"adore", "happy", "loathe", "sad"} <= seen  # swapped for others, not only itself
    assert text_selection.lexicon_swapper(lexicon, 0.0, seed=0)(["love", "hate"]) == ["love", "hate"]


def test_swapped_copies_keep_the_teachers_probabilities_before_the_swap():
    from common import distill

    plain = distill.distillation_set(SENTENCES, LABELS, 4, VOCABULARY, seed=0, lexicon=SWAP_LEXICON)
    swapped = text_selection.with_lexicon_swaps(distill.distillation_set, 1.0)(
        SENTENCES, LABELS, 4, VOCABULARY, 0, "char", SWAP_LEXICON)
    np.testing.assert_array_equal(plain[1], swapped[1])
    changed = [(a, b) for a, b in zip(plain[0], swapped[0]) if a != b]
    assert changed and all(len(a.split()) == len(b.split()) for a, b in changed)


def test_the_swap_candidate_trains_on_lexicon_only_words_in_the_copies(monkeypatch):
    """`lexicon_swap` (a candidate only): the copies hold lexicon words no training sentence
    holds (ids after the training vocabulary); without it they hold none."""
    import sentiment_lstm

    trained_ids = {}
    for swap in (0.0, 1.0):
        _, trained = record_networks(monkeypatch)
        config = dict(sentiment_lstm.PRESETS["best"], lexicon_swap=swap, teacher_copies=2)
        text_selection.sentiment_score(config, seed=3, quick=True)
        (_, _, (ids, _)), = trained
        trained_ids[swap] = ids
    cleaned, _, fit_ix, _, _ = text_selection.sentiment_parts(3, config, quick=True)
    first_lexicon_only = 2 + len(sentiment_lstm.build_vocabulary(cleaned[fit_ix]))
    assert trained_ids[0.0].max() < first_lexicon_only
    assert trained_ids[1.0].max() >= first_lexicon_only
    assert distill_is_unpatched()


def distill_is_unpatched():
    from common import distill

    return distill.distillation_set.__name__ == "distillation_set"


def test_weight_averaging_validates_and_keeps_the_averaged_weights():
    """`ema_momentum` (a candidate only): RMSProp keeps a moving average of the weights, and
    the network that comes out of training holds the averaged weights of its best check."""
    import keras

    import sentiment_lstm
    from common import training

    config = dict(sentiment_lstm.PRESETS["best"], seed=0, lexicon=False, teacher_copies=0,
                  patience=5, epochs=3)
    ids = np.random.default_rng(0).integers(1, 20, size=(64, 6))
    labels = ids[:, 0] % 2
    with text_selection.with_weight_averaging(0.9):
        keras.utils.set_random_seed(0)
        model = sentiment_lstm.build_model(20, config)
        callbacks = training.early_stopping(config)
        assert isinstance(callbacks[0], keras.callbacks.SwapEMAWeights)
        seen, swapped_out = [], []

        def record(epoch, logs):  # after the swap: the model holds what the check saw
            seen.append([w.copy() for w in model.get_weights()])
            swapped_out.append([v.numpy() for v in model.optimizer._model_variables_moving_average])

        history = model.fit(ids, labels, validation_data=(ids, labels), epochs=3, verbose=0,
                            callbacks=[*callbacks, keras.callbacks.LambdaCallback(
                                on_epoch_end=record)])
    assert model.optimizer.use_ema
    best = int(np.argmin(history.history["val_loss"]))
    for kept, averaged in zip(model.get_weights(), seen[best]):
        np.testing.assert_allclose(kept, averaged)
    # The first check saw other weights than the optimizer's own (swapped out for it).
    assert any(not np.allclose(a, b) for a, b in zip(swapped_out[0], seen[0]))
    assert sentiment_lstm.build_model.__name__ == "build_model"  # unpatched afterwards
