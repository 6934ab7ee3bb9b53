"""A phone recording read the way the HAR model needs it (`har_lstm.py predict --csv`): the
accelerometer in g with gravity included, 50 Hz (a recording at another or an uneven rate is
resampled, from its time column or `--rate`), then the data set's filters and 2.56 s windows
(common/signals.py). Android reports the accelerometer in m/s2, iOS in g; apps write 100 Hz
or more as often as 50: the checks below turn each of these mismatches into a one-line error
or a conversion instead of silently wrong windows. A pause in the time column (the app
stopped, the phone slept) splits the recording: no filter or window spans it, since
interpolating across it would invent readings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common import data, signals
from common.errors import UserError

COLUMNS = ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
TIME_COLUMN = "t_s"  # seconds; used for the rate when the CSV has it
ACC_UNITS = {"g": 1.0, "m/s2": 1 / signals.STANDARD_GRAVITY}
GAP_SECONDS = 0.5  # a longer interval (and over 3 typical ones) is a pause, not jitter


@dataclass
class Recording:
    windows: np.ndarray  # (n, 128, 9): the data set's nine channels
    start_seconds: np.ndarray  # each window's first reading, from the recording's start
    labels: list[str] | None  # the `activity` column at each window's middle, if it has one
    rate: float  # the recording's own readings per second
    readings: int
    resampled: bool  # to 50 Hz: the recording was at another or an uneven rate
    gaps: list[tuple[float, float]]  # pauses over GAP_SECONDS: (from, to) seconds from the start


def read_recording(path: Path, rate: float | None = None, acc_unit: str = "g",
                   time_column: str = TIME_COLUMN) -> Recording:
    """The CSV's windows. Times: `rate` when given, else the time column when the CSV has
    one, else 50 Hz."""
    values, activity, times = data.read_csv_columns(path, COLUMNS, text_column="activity",
                                                    time_column=time_column)
    if rate is not None or times is None:
        times = np.arange(len(values)) / (rate or signals.SAMPLE_RATE)
    else:
        _check_increasing(times, path, time_column)
    acceleration = values[:, :3] * ACC_UNITS[acc_unit]
    _check_gravity(acceleration, path, acc_unit)
    readings = np.concatenate([acceleration, values[:, 3:]], axis=1)
    windows, starts, middles, resampled = [], [], [], False
    pauses = _pauses(times)
    for part in _stretches(pauses, len(times)):
        part_readings, grid = readings[part], times[part]
        if len(grid) > 1 and not signals.is_regular(grid):
            part_readings, grid = signals.resample(part_readings, grid)
            resampled = True
        if len(grid) < signals.WINDOW:
            continue  # a stretch between two pauses too short for one window
        channels = signals.uci_har_channels(part_readings[:, :3], part_readings[:, 3:])
        part_windows, part_starts = signals.sliding_windows(channels)
        windows.append(part_windows)
        starts.append(grid[part_starts])
        middles.append(grid[part_starts + signals.WINDOW // 2])
    gaps = [(float(times[i] - times[0]), float(times[i + 1] - times[0])) for i in pauses]
    if not windows:
        stretch = (f"no stretch between its {len(gaps)} pauses over {GAP_SECONDS} s lasts"
                   if gaps else "fewer than")
        raise UserError(f"--csv {path}: {len(values)} readings, {stretch} one window of "
                        f"{signals.WINDOW} at {signals.SAMPLE_RATE} Hz (2.56 s); pass a longer "
                        "recording")
    labels = None
    if activity is not None:
        labels = [activity[i] for i in _nearest(times, np.concatenate(middles))]
    return Recording(np.concatenate(windows), np.concatenate(starts) - times[0], labels,
                     float(1 / np.median(np.diff(times))),
                     len(times), resampled, gaps)


def _pauses(times: np.ndarray) -> np.ndarray:
    """Index of the last reading before each pause."""
    steps = np.diff(times)
    if not len(steps):
        return np.array([], dtype=int)
    return np.flatnonzero((steps > GAP_SECONDS) & (steps > 3 * np.median(steps)))


def _stretches(pauses: np.ndarray, readings: int) -> list[slice]:
    """The recording's parts between its pauses."""
    cuts = [0, *(pauses + 1), readings]
    return [slice(start, end) for start, end in zip(cuts[:-1], cuts[1:])]


def _check_increasing(times: np.ndarray, path: Path, column: str) -> None:
    steps = np.diff(times)
    if len(steps) and not (steps > 0).all():
        row = int(np.argmax(steps <= 0)) + 3  # the header is row 1, the first reading row 2
        raise UserError(f"--csv {path} row {row}, column {column}: the time does not increase "
                        f"({times[row - 3]:g} then {times[row - 2]:g} s); sort the rows or pass "
                        "--rate HZ to ignore the column")


def _check_gravity(acceleration: np.ndarray, path: Path, unit: str) -> None:
    """A phone's accelerometer measures about 1 g of gravity on top of its motion, so the
    median length of its vector tells m/s2 from g, and a gravity-free "linear" or "user"
    acceleration (which the model cannot read) from both."""
    magnitude = float(np.median(np.linalg.norm(acceleration, axis=1)))
    if unit == "g" and 5 < magnitude < 20:
        raise UserError(f"--csv {path}: the accelerometer's median magnitude is {magnitude:.2f}, "
                        "about 9.8 m/s2 rather than 1 g; pass --acc-unit m/s2")
    if unit == "m/s2" and 0.05 < magnitude < 0.2:
        raise UserError(f"--csv {path}: the accelerometer's median magnitude is "
                        f"{magnitude * signals.STANDARD_GRAVITY:.2f}, about 1 g rather than "
                        "9.8 m/s2; leave out --acc-unit m/s2")
    if not 0.5 < magnitude < 2:
        raise UserError(f"--csv {path}: the accelerometer's median magnitude is {magnitude:.2f} g "
                        "(a phone measures about 1 g of gravity); record the total acceleration, "
                        "gravity included, not the linear or user acceleration")


def _nearest(times: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Index of the reading nearest each target time."""
    after = np.clip(np.searchsorted(times, targets), 1, len(times) - 1)
    before = after - 1
    return np.where(targets - times[before] <= times[after] - targets, before, after)
