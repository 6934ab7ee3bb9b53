"""Knowledge distillation for a small text set: a linear character n-gram "teacher", and
perturbed copies of the training sentences that it labels with its class probabilities. A
network trained on the sentences' own labels plus the teacher's probabilities on the copies
learns the teacher's smoother view of spellings and phrasings it never saw (Hinton et al.
2015, "Distilling the knowledge in a neural network"; Tang et al. 2019, "Distilling
task-specific knowledge from BERT into simple neural networks", for BiLSTM students and this
kind of perturbation). Copies labelled with the sentences' own labels instead do not help:
the teacher's probabilities are what carries the gain (README, sentiment)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

UNKNOWN = "[UNK]"  # what an empty sentence becomes: TextVectorization's out-of-vocabulary token


def perturb(words: list[str], rng: np.random.Generator, vocabulary: Sequence[str]) -> list[str]:
    """One variant of a non-empty word list, made one of three ways with equal odds: each word
    dropped with probability 0.25 (one kept at least), a random run of at least half the words
    kept, or each word swapped for a random vocabulary word with probability 0.15."""
    n = len(words)
    kind = rng.integers(3)
    if kind == 0:
        kept = [word for word in words if rng.random() > 0.25]
        return kept or [words[rng.integers(n)]]
    if kind == 1:
        length = rng.integers(max(1, n // 2), n + 1)
        start = rng.integers(0, n - length + 1)
        return words[start:start + length]
    return [vocabulary[rng.integers(len(vocabulary))] if rng.random() < 0.15 else word
            for word in words]


def perturbed_copies(sentences: Sequence[str], copies: int, vocabulary: Sequence[str],
                     seed: int) -> list[str]:
    """`copies` variants of each whitespace-separated sentence, in order (sentence 0's copies
    first); the same seed gives the same copies."""
    rng = np.random.default_rng(seed)
    return [" ".join(perturb(sentence.split() or [UNKNOWN], rng, vocabulary))
            for sentence in sentences for _ in range(copies)]


TEACHERS = ("char", "word_char", "char_lexicon")


def lexicon_sums(sentences: Sequence[str], lexicon: dict[str, float]) -> np.ndarray:
    """Per sentence: the sum of its words' positive valences and of their negative ones (as
    positive numbers), each over 4, and 1 when any word is in the lexicon, else 0."""
    rows = []
    for sentence in sentences:
        values = [lexicon[word] for word in sentence.split() if word in lexicon]
        rows.append([sum(v for v in values if v > 0) / 4, -sum(v for v in values if v < 0) / 4,
                     float(bool(values))])
    return np.array(rows, dtype="float64").reshape(len(rows), 3)


def lexicon_features(lexicon: dict[str, float]):
    """`lexicon_sums` as a scikit-learn transformer, to join n-gram features in a union."""
    from sklearn.preprocessing import FunctionTransformer

    return FunctionTransformer(lexicon_sums, kw_args={"lexicon": lexicon})


def ngram_teacher(sentences: Sequence[str], labels: np.ndarray, kind: str = "char",
                  lexicon: dict[str, float] | None = None):
    """TF-IDF character 2-5-grams (within words), with kind "word_char" also word 1-2-grams (each
    block normalised on its own), with "char_lexicon" also the sentence's `lexicon_sums`, +
    logistic regression, C = 10: fitted here on the training sentences only, it gives class
    probabilities (a linear SVM would not)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    if kind == "word_char":
        features = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True), features)
    elif kind == "char_lexicon" and lexicon:
        features = make_union(features, lexicon_features(lexicon))
    elif kind != "char":
        raise ValueError(f"teacher {kind!r}: choose from {', '.join(TEACHERS)} "
                         "(char_lexicon with a lexicon)")
    return make_pipeline(features, LogisticRegression(C=10.0, max_iter=2000)).fit(
        list(sentences), labels)


def distillation_set(sentences: Sequence[str], labels: np.ndarray, copies: int,
                     vocabulary: Sequence[str], seed: int, teacher: str = "char",
                     lexicon: dict[str, float] | None = None) -> tuple[list[str], np.ndarray]:
    """The perturbed copies and, for each, the teacher's probability of every class
    (rows summing to 1), the `teacher` kind fitted on `sentences` and `labels`."""
    variants = perturbed_copies(sentences, copies, vocabulary, seed)
    model = ngram_teacher(sentences, labels, teacher, lexicon)
    return variants, model.predict_proba(variants).astype("float32")
