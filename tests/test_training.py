"""common/training.py's input pipeline: what every example's fit reads."""

import numpy as np

from common import training


def batches(dataset, count):
    return [(x.numpy(), y.numpy()) for x, y in dataset.take(count)]


def test_endless_dataset_shows_every_window_once_a_pass_in_a_seeded_order():
    x = np.arange(10, dtype="float32")[:, None]
    y = np.arange(10, dtype="float32") * 2
    dataset = training.make_dataset(x, y, 5, shuffle_seed=3, repeat=True)
    passes = batches(dataset, 6)  # three passes over the 10 windows
    for first in range(0, 6, 2):
        seen = np.concatenate([passes[first][0][:, 0], passes[first + 1][0][:, 0]])
        assert sorted(seen) == list(range(10))
    for batch_x, batch_y in passes:  # targets stay with their inputs
        np.testing.assert_array_equal(batch_y, batch_x[:, 0] * 2)
    again = batches(training.make_dataset(x, y, 5, shuffle_seed=3, repeat=True), 6)
    for (a, _), (b, _) in zip(passes, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(passes[0][0], passes[2][0]) or not np.array_equal(
        passes[2][0], passes[4][0])  # reshuffled between passes


def test_finite_dataset_keeps_the_order_and_the_autotuner_is_off():
    """Without a seed the arrays are read in order; tf.data's autotuner is off (its thread
    held up the end of fits by seconds, with nothing to tune in arrays)."""
    x = np.arange(7, dtype="float32")[:, None]
    dataset = training.make_dataset(x, x[:, 0], 3)
    assert [b[0][:, 0].tolist() for b in batches(dataset, 5)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert dataset.options().autotune.enabled is False
