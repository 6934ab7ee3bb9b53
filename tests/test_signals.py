"""common/signals.py: the UCI HAR pre-processing of a raw recording."""

import numpy as np
import pytest

from common import signals


def test_gravity_and_body_acceleration_are_separated():
    """A still phone tilted by gravity plus a 2 Hz shake: gravity stays in total - body, the
    shake in body; the gyroscope's slow turn passes the 20 Hz filter."""
    t = np.arange(0, 20, 1 / signals.SAMPLE_RATE)
    gravity = np.array([0.1, 0.2, 0.97])
    shake = 0.3 * np.sin(2 * np.pi * 2 * t)
    acc = gravity + np.column_stack([shake, np.zeros_like(t), np.zeros_like(t)])
    gyro = np.column_stack([0.5 * np.sin(2 * np.pi * 0.5 * t)] * 3)
    channels = signals.uci_har_channels(acc, gyro)
    middle = slice(200, -200)  # away from the filters' edges
    body, body_gyro, total = channels[:, 0:3], channels[:, 3:6], channels[:, 6:9]
    np.testing.assert_allclose((total - body)[middle], np.broadcast_to(gravity, (len(t), 3))[middle],
                               atol=0.02)
    np.testing.assert_allclose(body[middle, 0], shake[middle], atol=0.02)
    np.testing.assert_allclose(body_gyro[middle], gyro[middle], atol=0.01)
    np.testing.assert_allclose(total, body + (total - body), atol=1e-6)


def test_median_filter_removes_a_single_spike():
    acc = np.zeros((300, 3))
    acc[150, 1] = 5.0
    channels = signals.uci_har_channels(acc, np.zeros((300, 3)))
    assert np.abs(channels).max() < 1e-6


def test_windows_of_128_with_half_overlap():
    values = np.arange(400, dtype="float32")[:, None].repeat(2, axis=1)
    windows, starts = signals.sliding_windows(values)
    assert windows.shape == (5, 128, 2) and starts.tolist() == [0, 64, 128, 192, 256]
    assert windows[1, 0, 0] == 64 and windows[-1, -1, 1] == 383


@pytest.mark.parametrize("readings, expected", [(127, 0), (128, 1), (191, 1), (192, 2)])
def test_window_count(readings, expected):
    windows, starts = signals.sliding_windows(np.zeros((readings, 9)))
    assert len(starts) == expected and len(windows) == expected
