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


def test_a_regular_50_hz_recording_is_regular_and_100_hz_is_not():
    assert signals.is_regular(np.arange(100) / 50)
    assert not signals.is_regular(np.arange(100) / 100)
    jittered = np.arange(100) / 50 + np.r_[0, 0.003, np.zeros(98)]
    assert not signals.is_regular(jittered)


def test_resampling_100_hz_gives_the_50_hz_readings():
    t100 = np.arange(0, 10, 1 / 100)
    slow = np.column_stack([np.sin(2 * np.pi * 1.5 * t100), np.cos(2 * np.pi * 0.7 * t100)])
    values, grid = signals.resample(slow, t100)
    np.testing.assert_allclose(grid, np.arange(0, 9.99 + 1e-9, 1 / 50))
    expected = np.column_stack([np.sin(2 * np.pi * 1.5 * grid), np.cos(2 * np.pi * 0.7 * grid)])
    np.testing.assert_allclose(values[20:-20], expected[20:-20], atol=0.01)


def test_resampling_an_uneven_recording_interpolates_between_its_times():
    times = np.cumsum(np.random.default_rng(0).uniform(0.015, 0.025, size=600))
    values, grid = signals.resample(np.column_stack([2 * times + 1]), times)
    assert np.allclose(np.diff(grid), 1 / 50) and grid[0] == times[0] and grid[-1] <= times[-1]
    np.testing.assert_allclose(values[:, 0], 2 * grid + 1, atol=1e-9)  # a line stays a line


def test_resampling_a_fast_recording_removes_what_50_hz_cannot_hold():
    """A 60 Hz vibration recorded at 200 Hz would fold back to 10 Hz at 50 Hz without the
    20 Hz low-pass before the new grid."""
    t = np.arange(0, 10, 1 / 200)
    values, _ = signals.resample(np.column_stack([np.sin(2 * np.pi * 60 * t)]), t)
    assert np.abs(values[50:-50]).max() < 0.01
