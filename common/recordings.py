"""A phone recording read the way the HAR model needs it (`har_lstm.py predict --csv`): the
accelerometer in g with gravity included, 50 Hz (a recording at another or an uneven rate is
resampled, from its time column or `--rate`), then the data set's filters and 2.56 s windows
(common/signals.py). Android reports the accelerometer in m/s2, iOS in g; apps write 100 Hz
or more as often as 50: the checks below turn each of these mismatches into a one-line error
or a conversion instead of silently wrong windows. A pause in the time column (the app
stopped, the phone slept) splits the recording: no filter or window spans it, since
interpolating across it would invent readings. The data set's phone was worn at the waist
with its x axis up: a phone worn another way (gravity along its y or z) reads as LAYING
throughout, so `--axes` turns the readings into the data set's axes, and a recording whose
gravity is not along x gets a note suggesting the turn."""

from __future__ import annotations

import argparse
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from common import cli, data, signals
from common.errors import UserError

COLUMNS = ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
TIME_COLUMN = "t_s"  # seconds; used for the rate when the CSV has it
ACC_UNITS = {"g": 1.0, "m/s2": 1 / signals.STANDARD_GRAVITY}
GAP_SECONDS = 0.5  # a longer interval (and over 3 typical ones) is a pause, not jitter
AXES = "x,y,z"  # the data set's own: x up when the wearer stands
# Gravity is within 45 degrees of x in 99% of the data set's windows of a standing, sitting or
# walking wearer; a recording with fewer than half its windows so gets the note.
UPRIGHT_COSINE, UPRIGHT_SHARE = 0.7, 0.5
# A quarter or half turn of the phone that brings gravity from each of its axes to x.
TURN_FOR = {"x": AXES, "-x": "-x,-y,z", "y": "y,-x,z", "-y": "-y,x,z", "z": "z,y,-x",
            "-z": "-z,y,x"}
AUTO = "auto"  # --axes auto: that turn, then the likelier of the two sides the screen faces
# After gravity is brought to x, the screen faces the data set's way or the other (a half turn
# about x): a phone at the waist faces the body or away from it, not sideways.
ABOUT_X = ("x,y,z", "x,-y,-z")


@dataclass
class Recording:
    windows: np.ndarray  # (n, 128, 9): the data set's nine channels
    start_seconds: np.ndarray  # each window's first reading, from the recording's start
    labels: list[str] | None  # the `activity` column at each window's middle, if it has one
    rate: float  # the recording's own readings per second
    readings: int
    resampled: bool  # to 50 Hz: the recording was at another or an uneven rate
    gaps: list[tuple[float, float]]  # pauses over GAP_SECONDS: (from, to) seconds from the start
    path: Path = Path()
    acc_unit: str = "g"
    axes: str = AXES
    upright: float = 1.0  # share of windows whose gravity lies along the data set's x
    gravity_axis: str = "x"  # the phone's axis gravity lies along most

    def notes(self) -> list[str]:
        """What the reading did that a user should know, one line each."""
        lines = [f"{self.path}: {self.readings} readings at {self.rate:.1f} Hz, accelerometer "
                 f"in {self.acc_unit}: read as g at {signals.SAMPLE_RATE} Hz"
                 ] if self.resampled or self.acc_unit != "g" else []
        lines += [f"{self.path}: no readings from {start:.2f} to {end:.2f} s; no window spans "
                  "the pause" for start, end in self.gaps]
        if self.upright < UPRIGHT_SHARE and TURN_FOR[self.gravity_axis] != self.axes:
            lines.append(f"{self.path}: gravity lies along the phone's {self.gravity_axis} axis, "
                         "not x as in the data set (phone at the waist, x up): unless the "
                         "wearer lay down throughout, expect LAYING everywhere and pass "
                         f"--axes={TURN_FOR[self.gravity_axis]} or --axes auto")
        return lines


def choose_turn(recording: Recording, probabilities_of: Callable[[np.ndarray], np.ndarray]
                ) -> tuple[Recording, np.ndarray]:
    """--axes auto: the turn that brings gravity to x, then, of it and its half turn about x
    (which gravity cannot tell apart: the side the screen faces), the one whose windows the
    model reads with the higher mean top probability (`probabilities_of`: windows -> the
    model's probabilities). Returns the turned recording and those probabilities of its
    windows, so that they are not predicted again. Turning the windows equals turning the
    readings: each turn moves or negates whole axes, and the filters work axis by axis."""
    gravity = axes_matrix(TURN_FOR[recording.gravity_axis])
    reads = []
    for about in ABOUT_X:
        turn = axes_matrix(about) @ gravity
        windows = turn_windows(recording.windows, turn)
        reads.append((turn, windows, probabilities_of(windows)))
    turn, windows, probabilities = max(reads, key=lambda read: float(read[2].max(axis=1).mean()))
    upright, gravity_axis = gravity_share(windows, turn)
    return dataclasses.replace(recording, windows=windows, axes=_axes_spec(turn),
                               upright=upright, gravity_axis=gravity_axis), probabilities


def _axes_spec(turn: np.ndarray) -> str:
    """axes_matrix's inverse: the matrix of a turn -> "y,-x,z"."""
    columns = np.argmax(np.abs(turn), axis=1)
    return ",".join(("-" if turn[row, column] < 0 else "") + "xyz"[column]
                    for row, column in enumerate(columns))


def turn_windows(windows: np.ndarray, turn: np.ndarray) -> np.ndarray:
    """The nine channels' three x/y/z groups turned into the data set's axes."""
    return np.concatenate([windows[:, :, k:k + 3] @ turn.T for k in (0, 3, 6)], axis=2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--csv` and the flags that describe how its phone recorded."""
    parser.add_argument("--csv", type=Path, default=None,
                        help=f"phone recording: one row per reading, columns {', '.join(COLUMNS)} "
                             f"(gravity included; rad/s), optionally {TIME_COLUMN} (seconds) and "
                             "activity (compared); other columns are ignored (default: the run's "
                             "test split)")
    parser.add_argument("--rate", type=cli.positive_float, default=None, metavar="HZ",
                        help=f"readings per second of --csv, resampled to {signals.SAMPLE_RATE} "
                             f"Hz (default: from its {TIME_COLUMN} column, else "
                             f"{signals.SAMPLE_RATE})")
    parser.add_argument("--acc-unit", choices=sorted(ACC_UNITS), default="g",
                        help="unit of the accelerometer columns: g (iOS) or m/s2 (Android) "
                             "(default: g)")
    parser.add_argument("--axes", default=AXES, metavar="X,Y,Z",
                        help="the phone's axes that stand for the data set's x (up when the "
                             "wearer stands), y and z, each once with an optional sign: y,-x,z "
                             "for a phone turned a quarter, --axes=-y,x,z when the first has a "
                             "minus; auto: the turn that brings gravity to x, the screen on "
                             "the side the model reads more surely (default: "
                             f"{AXES})")


def from_args(args: argparse.Namespace) -> Recording | None:
    """The recording `add_arguments`' flags describe; None without --csv. With --axes auto,
    in the phone's own axes, for choose_turn."""
    if args.axes != AUTO:
        axes_matrix(args.axes)  # a bad --axes is named first, with or without --csv
    if args.csv is None:
        if args.rate is not None or args.acc_unit != "g" or args.axes != AXES:
            raise UserError("--rate, --acc-unit and --axes describe a phone recording; pass it "
                            "with --csv")
        return None
    return read_recording(args.csv, args.rate, args.acc_unit, axes=args.axes)


def axes_matrix(axes: str, flag: str = "--axes") -> np.ndarray:
    """"y,-x,z" -> the matrix that turns a reading in the phone's axes into the data set's
    (its x is the phone's y, its y the phone's -x). Only a turn of the phone is accepted: a
    mirror image has no phone that records it and would reverse the gyroscope's sense."""
    items = [item.strip() for item in axes.split(",")]
    if not (len(items) == 3 and all(re.fullmatch(r"[+-]?[xyz]", item) for item in items)
            and len({item[-1] for item in items}) == 3):
        raise UserError(f"{flag} {axes}: name the phone's axes for the data set's x, y and z, "
                        "each of x, y, z once with an optional sign, e.g. y,-x,z")
    matrix = np.zeros((3, 3))
    for row, item in enumerate(items):
        matrix[row, "xyz".index(item[-1])] = -1.0 if item[0] == "-" else 1.0
    if np.linalg.det(matrix) < 0:
        raise UserError(f"{flag} {axes}: a mirror image, not a turn of the phone; change the "
                        "sign of one axis")
    return matrix


def read_recording(path: Path, rate: float | None = None, acc_unit: str = "g",
                   time_column: str = TIME_COLUMN, axes: str = AXES) -> Recording:
    """The CSV's windows. Times: `rate` when given, else the time column when the CSV has
    one, else 50 Hz. `axes` turns both sensors into the data set's axes (AUTO: left in the
    phone's own, for choose_turn)."""
    values, activity, times = data.read_csv_columns(path, COLUMNS, text_column="activity",
                                                    time_column=time_column)
    if rate is not None or times is None:
        times = np.arange(len(values)) / (rate or signals.SAMPLE_RATE)
    else:
        _check_increasing(times, path, time_column)
    acceleration = values[:, :3] * ACC_UNITS[acc_unit]
    _check_gravity(acceleration, path, acc_unit)
    turn = axes_matrix(AXES if axes == AUTO else axes)
    readings = np.concatenate([acceleration @ turn.T, values[:, 3:] @ turn.T], axis=1)
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
    windows = np.concatenate(windows)
    upright, gravity_axis = gravity_share(windows, turn)
    return Recording(windows, np.concatenate(starts) - times[0], labels,
                     float(1 / np.median(np.diff(times))), len(times), resampled, gaps,
                     Path(path), acc_unit, axes, upright, gravity_axis)


def gravity_share(windows: np.ndarray, turn: np.ndarray) -> tuple[float, str]:
    """The share of windows whose gravity (mean total acceleration) lies within 45 degrees
    of the data set's x, and the phone's own axis (signed) it lies along most."""
    gravity = windows[:, :, 6:9].mean(axis=1)
    gravity /= np.linalg.norm(gravity, axis=1, keepdims=True)
    phone = np.median(gravity, axis=0) @ turn  # back into the phone's axes
    axis = int(np.argmax(np.abs(phone)))
    return (float(np.mean(gravity[:, 0] >= UPRIGHT_COSINE)),
            ("-" if phone[axis] < 0 else "") + "xyz"[axis])


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
