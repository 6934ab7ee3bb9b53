import pytest
import tensorflow as tf

from common.errors import UserError
from common.text import (chapter_standardize, clean_text, drop_non_ascii, frequent_words,
                         load_lexicon, symbol_standardize)


def test_clean_text_chapter_cases():
    assert clean_text("Go until jurong point, crazy.. Available only") == "go until jurong point crazy available only"
    assert clean_text("Call 09061701461 NOW!!! £1000") == "call now"
    assert clean_text("under_score  and\ttabs\n") == "underscore and tabs"
    assert clean_text("U dun say so early hor... U c already then say...") == "u dun say so early hor u c already then say"
    assert clean_text("123 !!! ...") == ""


def test_drop_non_ascii_like_the_chapter():
    assert drop_non_ascii("café £5 ok") == "caf 5 ok"


def test_tensorflow_standardize_matches_clean_text_on_every_message(spam_zip):
    from spam_rnn import load_messages

    texts, _ = load_messages(spam_zip)
    in_tf = [t.decode() for t in chapter_standardize(tf.constant(texts)).numpy()]
    in_python = [clean_text(drop_non_ascii(t)) for t in texts]
    assert in_tf == in_python


def test_frequent_words_keeps_counts_above_min_frequency():
    texts = ["a a a b b c", "a b d"]
    assert frequent_words(texts, 1) == ["a", "b"]  # a:4, b:3, c:1, d:1
    assert frequent_words(texts, 3) == ["a"]
    assert frequent_words(texts, 0) == ["a", "b", "c", "d"]


def test_chapter_vocabulary_size_on_all_messages_is_the_books_933(spam_zip):
    from spam_rnn import load_messages

    texts, _ = load_messages(spam_zip)
    cleaned = [clean_text(drop_non_ascii(t)) for t in texts]
    assert len(frequent_words(cleaned, 10)) + 1 == 933  # +1: the chapter's id 0 (pad/unknown)


def test_symbol_standardize_keeps_digits_and_symbols_as_tokens():
    out = symbol_standardize(tf.constant(["Call 0906 NOW!! £5"])).numpy()[0].decode()
    assert out == "call 0000 now ! ! £ 0"


def test_load_lexicon_reads_the_bundled_vader_file():
    from conftest import DATA_DIR

    lexicon = load_lexicon(DATA_DIR / "vader_lexicon.txt")
    assert len(lexicon) == 7506  # every entry; the cleaning decides later which are words
    assert lexicon["loathe"] == -2.2 and lexicon["awesome"] == 3.1
    assert all(-4 <= value <= 4 for value in lexicon.values())


@pytest.mark.parametrize("content, message", [
    ("good\t1.9\nbad\n", "line 2: expected a word, a tab and its valence"),
    ("good\tvery\n", "line 1: expected a word"),
    ("", "holds no words"),
])
def test_bad_lexicon_files(tmp_path, content, message):
    path = tmp_path / "lexicon.txt"
    path.write_text(content)
    with pytest.raises(UserError, match=message) as raised:
        load_lexicon(path)
    assert str(path) in str(raised.value)
