"""The UCI HAR pre-processing of a raw phone recording, so that a model trained on the data
set's windows can read it: accelerometer (g, gravity included) and gyroscope (rad/s) at
50 Hz -> median filter (3) and a 3rd-order 20 Hz Butterworth low-pass on every axis;
gravity = a 0.3 Hz low-pass of the acceleration; body acceleration = total - gravity; then
windows of 128 readings (2.56 s) with 50% overlap. The filters run forwards and backwards
(zero phase) over the whole recording, as the data set's were."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 50  # Hz
WINDOW, STEP = 128, 64
STANDARD_GRAVITY = 9.80665  # m/s2 in one g


def _low_pass(values: np.ndarray, corner_hz: float, rate: float = SAMPLE_RATE) -> np.ndarray:
    from scipy.signal import butter, filtfilt

    b, a = butter(3, corner_hz / (rate / 2), btype="low")
    return filtfilt(b, a, values, axis=0)


def _denoise(values: np.ndarray) -> np.ndarray:
    from scipy.signal import medfilt

    median = np.column_stack([medfilt(values[:, axis], 3) for axis in range(values.shape[1])])
    return _low_pass(median, 20.0)


def uci_har_channels(acc: np.ndarray, gyro: np.ndarray) -> np.ndarray:
    """(readings, 3) accelerometer and gyroscope -> (readings, 9): body_acc x/y/z,
    body_gyro x/y/z, total_acc x/y/z (the data set's channel order)."""
    total = _denoise(np.asarray(acc, dtype="float64"))
    gravity = _low_pass(total, 0.3)
    body_gyro = _denoise(np.asarray(gyro, dtype="float64"))
    return np.concatenate([total - gravity, body_gyro, total], axis=1).astype("float32")


def sliding_windows(channels: np.ndarray, size: int = WINDOW,
                    step: int = STEP) -> tuple[np.ndarray, np.ndarray]:
    """(readings, channels) -> windows (n, size, channels) and the first reading of each."""
    starts = np.arange(0, len(channels) - size + 1, step)
    windows = [channels[s:s + size] for s in starts]
    if not windows:
        return np.empty((0, size, channels.shape[1]), channels.dtype), starts
    return np.stack(windows), starts


def is_regular(times: np.ndarray, rate: float = SAMPLE_RATE) -> bool:
    """Whether readings at `times` (seconds) are already `rate` Hz: every interval within 1%."""
    return bool(np.all(np.abs(np.diff(times) * rate - 1) < 0.01))


def resample(values: np.ndarray, times: np.ndarray,
             rate: float = SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """(readings, channels) taken at `times` (seconds, increasing, at any and even an uneven
    rate) -> the readings on a regular `rate` Hz grid from the first time (linear
    interpolation), and that grid's times. A faster recording is first low-passed at 20 Hz,
    the data set's own corner, so that nothing above the new Nyquist frequency folds back."""
    times = np.asarray(times, dtype="float64")
    values = np.asarray(values, dtype="float64")
    source_rate = 1 / np.median(np.diff(times))
    if source_rate > rate * 1.01:
        values = _low_pass(values, 20.0, source_rate)
    grid = times[0] + np.arange(int((times[-1] - times[0]) * rate + 1e-6) + 1) / rate
    return np.column_stack([np.interp(grid, times, column) for column in values.T]), grid
