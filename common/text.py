"""Text cleaning: the chapter's `clean_text` in Python, and the same steps as TensorFlow ops so
that a saved model can take raw strings (the vectorizer travels inside `model.keras`); and the
sentiment lexicon's reader."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from common.errors import UserError
from common.lazy import keras, tf

_CHAPTER_PATTERN = r"([^\s\w]|_|[0-9])+"  # punctuation, underscores and digits


def drop_non_ascii(text: str) -> str:
    """The chapter's `text.encode('ascii', errors='ignore')`."""
    return text.encode("ascii", errors="ignore").decode("ascii")


def clean_text(text: str) -> str:
    """The chapter's `clean_text`: drop punctuation and digits, collapse spaces, lowercase."""
    text = re.sub(_CHAPTER_PATTERN, "", text)
    text = " ".join(text.split())
    return text.lower()


def chapter_standardize(texts: tf.Tensor) -> tf.Tensor:
    """`clean_text(drop_non_ascii(text))` as TensorFlow ops, for TextVectorization."""
    texts = tf.strings.regex_replace(texts, r"[^\x00-\x7f]", "")
    texts = tf.strings.regex_replace(texts, _CHAPTER_PATTERN, "")
    texts = tf.strings.regex_replace(texts, r"\s+", " ")
    return tf.strings.lower(tf.strings.strip(texts))


def frequent_words(texts: Iterable[str], min_frequency: int) -> list[str]:
    """Words seen more than `min_frequency` times, most frequent first.

    Same rule as the chapter's VocabularyProcessor(min_frequency=10), which keeps a word only
    when its count exceeds min_frequency (933 ids on the whole data set, as the book prints).
    """
    counts = Counter(word for text in texts for word in text.split())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, count in ranked if count > min_frequency]


def symbol_standardize(texts: tf.Tensor) -> tf.Tensor:
    """The best preset's cleaning: lowercase, every digit -> 0 (so a phone number becomes a
    shape like 00000000000), and each symbol (£ ! & ...) a token of its own."""
    texts = tf.strings.lower(texts)
    texts = tf.strings.regex_replace(texts, r"[0-9]", "0")
    texts = tf.strings.regex_replace(texts, r"([^\w\s])", r" \1 ")
    texts = tf.strings.regex_replace(texts, r"\s+", " ")
    return tf.strings.strip(texts)


STANDARDIZERS = {"chapter": chapter_standardize, "symbols": symbol_standardize}


def standardizer(name: str):
    """The cleaning function `name` of STANDARDIZERS, known to Keras by name, so that a saved
    model.keras whose vectorizer uses it loads again."""
    register_standardizers()
    return STANDARDIZERS[name]


def register_standardizers() -> None:
    """Register the cleaning functions with Keras (before loading a model that uses one)."""
    for function in STANDARDIZERS.values():
        keras.saving.register_keras_serializable(package="rnn_examples")(function)


def load_lexicon(path: Path) -> dict[str, float]:
    """A sentiment lexicon in VADER's format (`token<TAB>mean valence<TAB>...`, valence from -4,
    most negative, to +4): token -> mean valence. A missing or malformed file is a one-line
    error naming it."""
    from common.data import read_lines  # here: common.data loads NumPy

    lexicon = {}
    for number, line in enumerate(read_lines(path, "sentiment lexicon"), start=1):
        cells = line.split("\t")
        try:
            lexicon[cells[0]] = float(cells[1])
        except (IndexError, ValueError):
            raise UserError(f"{path} line {number}: expected a word, a tab and its valence "
                            "(-4..4); fix the line or restore the bundled file") from None
    if not lexicon:
        raise UserError(f"{path} holds no words; restore the bundled file")
    return lexicon
