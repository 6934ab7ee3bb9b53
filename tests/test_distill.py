import numpy as np
import pytest

from common import distill

SENTENCES = ["i love this movie", "what a great book", "i hate this movie", "awful and boring",
             "loved it", "it sucks"]
LABELS = np.array([1, 1, 0, 0, 1, 0])
VOCABULARY = ["zebra", "quartz"]
LEXICON = {"love": 3.2, "great": 3.1, "hate": -2.7, "awful": -2.0, "loathe": -2.2, "adore": 2.5}


def test_perturbed_copies_count_order_and_seed():
    copies = distill.perturbed_copies(SENTENCES, 3, VOCABULARY, seed=0)
    assert len(copies) == 3 * len(SENTENCES)
    assert copies == distill.perturbed_copies(SENTENCES, 3, VOCABULARY, seed=0)
    assert copies != distill.perturbed_copies(SENTENCES, 3, VOCABULARY, seed=1)
    for index, copy in enumerate(copies):
        source = SENTENCES[index // 3].split()
        assert copy.split(), "a copy is never empty"
        assert set(copy.split()) <= set(source) | set(VOCABULARY)
        assert len(copy.split()) <= len(source)


def test_perturb_makes_each_kind_of_variant():
    rng = np.random.default_rng(0)
    words = "one two three four five six seven eight".split()
    variants = [distill.perturb(words, rng, ["zebra"]) for _ in range(300)]
    swapped = [v for v in variants if "zebra" in v]
    shorter = [v for v in variants if len(v) < len(words)]
    runs = [v for v in shorter if " ".join(v) in " ".join(words)]
    assert swapped and all(len(v) == len(words) for v in swapped)
    assert any(v[0] != words[0] and v[-1] != words[-1] for v in runs)  # a window inside
    assert any(v for v in shorter if " ".join(v) not in " ".join(words))  # words dropped inside
    assert all(v for v in variants)


def test_empty_sentence_becomes_the_unknown_token():
    for copy in distill.perturbed_copies([""], 5, VOCABULARY, seed=0):
        assert copy in ["[UNK]", *VOCABULARY]  # the token itself, or a word swapped in for it


@pytest.mark.parametrize("kind", distill.TEACHERS)
def test_teacher_probabilities_follow_the_labels(kind):
    variants, probabilities = distill.distillation_set(SENTENCES, LABELS, 2, VOCABULARY, seed=0,
                                                       teacher=kind, lexicon=LEXICON)
    assert len(variants) == 12 and probabilities.shape == (12, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    teacher = distill.ngram_teacher(SENTENCES, LABELS, kind, LEXICON)
    positive, negative = teacher.predict_proba(["i loved this great movie", "boring, it sucks"])[:, 1]
    assert positive > 0.5 > negative


def test_word_and_character_teacher_sees_whole_words_too():
    """The union's features: the character n-grams plus word 1-2-grams ("this movie")."""
    char, both = (distill.ngram_teacher(SENTENCES, LABELS, kind)[0] for kind in ("char", "word_char"))
    names = both.get_feature_names_out()
    assert len(names) > len(char.get_feature_names_out())
    assert any(name.endswith("__this movie") for name in names)
    with pytest.raises(ValueError, match="teacher 'words'"):
        distill.ngram_teacher(SENTENCES, LABELS, "words")


def test_lexicon_sums_and_the_teacher_that_reads_them():
    sums = distill.lexicon_sums(["i love it but hate the end", "zebra quartz", ""], LEXICON)
    np.testing.assert_allclose(sums, [[0.8, 0.675, 1], [0, 0, 0], [0, 0, 0]])
    # a word no training sentence holds ("loathe", "adore") moves the lexicon teacher only
    plain, read = (distill.ngram_teacher(SENTENCES, LABELS, kind, LEXICON)
                   for kind in ("char", "char_lexicon"))
    unseen = ["i loathe zebra", "i adore zebra"]
    assert np.ptp(read.predict_proba(unseen)[:, 1]) > np.ptp(plain.predict_proba(unseen)[:, 1])
    assert read.predict_proba(unseen)[0, 1] < 0.5 < read.predict_proba(unseen)[1, 1]
    with pytest.raises(ValueError, match="char_lexicon with a lexicon"):
        distill.ngram_teacher(SENTENCES, LABELS, "char_lexicon")


@pytest.mark.parametrize("copies", [0, 2])
def test_sentiment_training_set_adds_the_teachers_copies(copies):
    import sentiment_lstm as sl

    config = dict(sl.PRESETS["best"], seed=0, teacher_copies=copies)
    vocabulary = sl.build_vocabulary(SENTENCES)
    vectorizer = sl.make_vectorizer(vocabulary, 6)
    ids, targets = sl.training_set(np.array(SENTENCES, dtype=object), LABELS, vocabulary,
                                   vectorizer, config)
    assert ids.shape == (len(SENTENCES) * (1 + copies), 6)
    if copies:
        assert targets.shape == (len(ids), 2)
        np.testing.assert_array_equal(targets[:len(SENTENCES)], np.eye(2)[LABELS])  # own labels
        assert 0 < targets[len(SENTENCES):, 1].min() < targets[len(SENTENCES):, 1].max() < 1
    else:
        np.testing.assert_array_equal(targets, LABELS)  # the chapter's class ids
