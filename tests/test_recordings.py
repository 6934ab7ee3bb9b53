"""common/recordings.py: a phone recording's rate, units and time column, read into the
data set's windows."""

import numpy as np
import pytest

from common import recordings, signals
from common.errors import UserError
from conftest import DATA_DIR

LABELS = ["STANDING", "WALKING"]


def write(path, t, acc, gyro, time_column="t_s", activity=None):
    header = ([time_column] if time_column else []) + recordings.COLUMNS
    lines = [",".join(header + (["activity"] if activity is not None else []))]
    for i in range(len(acc)):
        cells = ([f"{t[i]:.6f}"] if time_column else []) + [f"{v:.6f}" for v in (*acc[i], *gyro[i])]
        lines.append(",".join(cells + ([activity[i]] if activity is not None else [])))
    path.write_text("\n".join(lines) + "\n")
    return path


def phone(rate, seconds=12.0):
    """A phone at the waist, x up as in the data set and a little tilted, swinging at 1.5 Hz
    and turning slowly, read at `rate`."""
    t = np.arange(0, seconds, 1 / rate)
    acc = np.column_stack([0.97 + 0 * t, 0.1 + 0.3 * np.sin(2 * np.pi * 1.5 * t), 0.2 + 0 * t])
    gyro = np.column_stack([0.5 * np.sin(2 * np.pi * 0.5 * t), 0.1 + 0 * t, -0.2 + 0 * t])
    activity = ["STANDING" if ti < seconds / 2 else "WALKING" for ti in t]
    return t, acc, gyro, activity


def test_a_50_hz_recording_is_read_as_it_is(tmp_path):
    t, acc, gyro, activity = phone(50)
    recording = recordings.read_recording(write(tmp_path / "a.csv", t, acc, gyro,
                                                activity=activity))
    channels = signals.uci_har_channels(acc, gyro)
    assert not recording.resampled and recording.readings == 600
    assert recording.rate == pytest.approx(50)
    np.testing.assert_allclose(recording.windows, signals.sliding_windows(channels)[0], atol=1e-5)
    assert recording.start_seconds.tolist() == pytest.approx([1.28 * i for i in range(8)])
    assert recording.labels == [activity[64 * i + 64] for i in range(8)]


@pytest.mark.parametrize("how", ["time column", "--rate"])
def test_a_100_hz_recording_gives_the_50_hz_windows(tmp_path, how):
    t50, acc50, gyro50, activity50 = phone(50)
    t, acc, gyro, activity = phone(100)
    path = write(tmp_path / "fast.csv", t, acc, gyro, activity=activity,
                 time_column="t_s" if how == "time column" else None)
    recording = recordings.read_recording(path, rate=None if how == "time column" else 100)
    expected = recordings.read_recording(write(tmp_path / "slow.csv", t50, acc50, gyro50,
                                               activity=activity50))
    assert recording.resampled and recording.rate == pytest.approx(100)
    assert recording.readings == 1200 and len(recording.windows) == len(expected.windows)
    np.testing.assert_allclose(recording.windows[1:-1], expected.windows[1:-1], atol=0.01)
    np.testing.assert_allclose(recording.start_seconds, expected.start_seconds)
    assert recording.labels == expected.labels


def test_an_uneven_time_column_is_resampled_to_50_hz(tmp_path):
    times = np.cumsum(np.random.default_rng(3).uniform(0.008, 0.012, size=1200))
    _, acc, gyro, _ = phone(100)
    recording = recordings.read_recording(write(tmp_path / "uneven.csv", times, acc, gyro))
    assert recording.resampled and recording.rate == pytest.approx(100, rel=0.05)
    span = times[-1] - times[0]
    assert len(recording.windows) == (int(span * 50) + 1 - 128) // 64 + 1
    assert np.allclose(np.diff(recording.start_seconds), 1.28)


def test_meters_per_second_squared_are_converted_to_g(tmp_path):
    t, acc, gyro, _ = phone(50)
    path = write(tmp_path / "android.csv", t, acc * signals.STANDARD_GRAVITY, gyro)
    converted = recordings.read_recording(path, acc_unit="m/s2")
    expected = recordings.read_recording(write(tmp_path / "g.csv", t, acc, gyro))
    np.testing.assert_allclose(converted.windows, expected.windows, atol=1e-4)
    with pytest.raises(UserError, match="about 9.8 m/s2 rather than 1 g; pass --acc-unit m/s2"):
        recordings.read_recording(path)
    with pytest.raises(UserError, match="about 1 g rather than 9.8 m/s2; leave out --acc-unit"):
        recordings.read_recording(tmp_path / "g.csv", acc_unit="m/s2")


def test_acceleration_without_gravity_is_refused(tmp_path):
    t, acc, gyro, _ = phone(50)
    path = write(tmp_path / "linear.csv", t, acc - [0.97, 0.1, 0.2], gyro)
    with pytest.raises(UserError, match="gravity included, not the linear or user acceleration"):
        recordings.read_recording(path)


def test_a_time_going_back_names_its_row(tmp_path):
    t, acc, gyro, _ = phone(50)
    t = t.copy()
    t[10] = t[8]
    path = write(tmp_path / "shuffled.csv", t, acc, gyro)
    with pytest.raises(UserError, match=r"shuffled.csv row 12, column t_s: the time does not "
                                        r"increase \(0.18 then 0.16 s\)"):
        recordings.read_recording(path)
    assert len(recordings.read_recording(path, rate=50).windows) == 8  # --rate ignores it


def test_a_short_fast_recording_counts_its_time_not_its_rows(tmp_path):
    t, acc, gyro, _ = phone(100, seconds=2.0)  # 200 readings, 100 at 50 Hz
    with pytest.raises(UserError, match="200 readings, fewer than one window of 128 at 50 Hz"):
        recordings.read_recording(write(tmp_path / "short.csv", t, acc, gyro))


def test_bundled_sample_recording_has_the_columns_and_six_activities():
    recording = recordings.read_recording(DATA_DIR / "har_sample_recording.csv")
    assert not recording.resampled and recording.rate == pytest.approx(50)
    assert recording.windows.shape[1:] == (128, 9) and len(recording.windows) > 150
    assert {"WALKING", "WALKING_UPSTAIRS", "WALKING_DOWNSTAIRS", "SITTING", "STANDING",
            "LAYING"} == set(recording.labels) - {""}


def test_a_pause_splits_the_recording_and_no_window_spans_it(tmp_path):
    t, acc, gyro, activity = phone(50)  # 12 s: 600 readings, 8 windows
    first = recordings.read_recording(write(tmp_path / "first.csv", t[:300], acc[:300],
                                            gyro[:300], activity=activity[:300]))
    second = recordings.read_recording(write(tmp_path / "second.csv", t[300:], acc[300:],
                                             gyro[300:], activity=activity[300:]))
    paused = t + np.where(np.arange(600) >= 300, 30.0, 0.0)  # the app stopped for 30 s
    recording = recordings.read_recording(write(tmp_path / "paused.csv", paused, acc, gyro,
                                                activity=activity))
    assert recording.gaps == [pytest.approx((5.98, 36.0))]
    assert not recording.resampled and recording.rate == pytest.approx(50)
    np.testing.assert_allclose(recording.windows,
                               np.concatenate([first.windows, second.windows]), atol=1e-6)
    np.testing.assert_allclose(recording.start_seconds,
                               [*first.start_seconds, *(second.start_seconds + 36.0)])
    assert recording.labels == first.labels + second.labels == ["STANDING"] * 3 + ["WALKING"] * 3


def test_jitter_and_a_dropped_reading_are_no_pause(tmp_path):
    t, acc, gyro, _ = phone(50)
    keep = np.arange(600) != 200  # one reading lost: a 0.04 s interval
    recording = recordings.read_recording(write(tmp_path / "dropped.csv", t[keep], acc[keep],
                                                gyro[keep]))
    assert recording.gaps == [] and recording.resampled and len(recording.windows) == 8


def test_a_recording_paused_too_often_for_a_window_is_refused(tmp_path):
    t, acc, gyro, _ = phone(50)
    choppy = t + np.arange(600) // 100 * 2.0  # 2 s of readings, then 2 s of nothing
    with pytest.raises(UserError, match="600 readings, no stretch between its 5 pauses over "
                                        "0.5 s lasts one window of 128"):
        recordings.read_recording(write(tmp_path / "choppy.csv", choppy, acc, gyro))


def turned(acc, gyro, axes):
    """The readings of a phone worn so that `axes` turns them back into the data set's."""
    matrix = recordings.axes_matrix(axes)
    return acc @ matrix, gyro @ matrix  # rows: phone = matrix.T @ data set's


@pytest.mark.parametrize("axes", ["y,-x,z", "-z,y,x", "x,-y,-z", "-x,-y,z"])
def test_axes_turn_a_phone_worn_another_way_back(tmp_path, axes):
    t, acc, gyro, _ = phone(50)
    expected = recordings.read_recording(write(tmp_path / "upright.csv", t, acc, gyro))
    path = write(tmp_path / "turned.csv", t, *turned(acc, gyro, axes))
    recording = recordings.read_recording(path, axes=axes)
    np.testing.assert_allclose(recording.windows, expected.windows, atol=1e-5)
    assert recording.upright == 1.0 and recording.notes() == []


@pytest.mark.parametrize("axes, gravity_axis", [("y,-x,z", "y"), ("-y,x,z", "-y"),
                                                ("z,y,-x", "z"), ("-x,-y,z", "-x")])
def test_gravity_off_x_gets_a_note_with_the_turn_that_brings_it_back(tmp_path, axes,
                                                                    gravity_axis):
    t, acc, gyro, _ = phone(50)
    recording = recordings.read_recording(write(tmp_path / "turned.csv", t,
                                                *turned(acc, gyro, axes)))
    assert recording.upright == 0.0 and recording.gravity_axis == gravity_axis
    note = recording.notes()[-1]
    assert f"gravity lies along the phone's {gravity_axis} axis" in note
    suggested = note.split("--axes=")[-1].split()[0]
    fixed = recordings.read_recording(write(tmp_path / "turned.csv", t, *turned(acc, gyro, axes)),
                                      axes=suggested)
    assert fixed.upright == 1.0 and fixed.notes() == []


@pytest.mark.parametrize("axes, message", [
    ("x,y", "name the phone's axes for the data set's x, y and z"),
    ("x,x,z", "name the phone's axes"),
    ("x,y,w", "name the phone's axes"),
    ("y,x,z", "a mirror image, not a turn of the phone; change the sign of one axis"),
    ("-x,y,z", "a mirror image"),
])
def test_bad_axes_are_one_line_errors(axes, message):
    with pytest.raises(UserError, match=f"--axes {axes}: {message}"):
        recordings.axes_matrix(axes)


@pytest.mark.parametrize("axes", ["y,-x,z", "-z,y,x", "x,-y,-z"])
def test_turning_the_windows_equals_turning_the_readings(tmp_path, axes):
    """What choose_turn relies on: the filters work axis by axis, so a turn (which moves or
    negates whole axes) may come after them."""
    t, acc, gyro, _ = phone(50)
    path = write(tmp_path / "turned.csv", t, *turned(acc, gyro, axes))
    matrix = recordings.axes_matrix(axes)
    np.testing.assert_allclose(recordings.turn_windows(recordings.read_recording(path).windows,
                                                        matrix),
                               recordings.read_recording(path, axes=axes).windows, atol=1e-5)


@pytest.mark.parametrize("worn", ["y,x,-z", "y,-x,z", "x,-y,-z", "-z,-y,-x"])
def test_axes_auto_brings_gravity_to_x_and_keeps_the_likelier_screen_side(tmp_path, worn):
    """Gravity fixes x; of the two sides the screen may face, the one the "model" (here: a
    score preferring the upright phone's forward tilt, total acceleration z > 0) reads
    more surely wins, whichever way the phone was worn."""
    t, acc, gyro, _ = phone(50)
    upright = recordings.read_recording(write(tmp_path / "upright.csv", t, acc, gyro))
    recording = recordings.read_recording(write(tmp_path / "worn.csv", t,
                                                *turned(acc, gyro, worn)), axes="auto")
    # One "class" whose probability is each window's mean total acceleration z.
    chosen, probabilities = recordings.choose_turn(
        recording, lambda windows: windows[:, :, 8].mean(axis=1, keepdims=True))
    np.testing.assert_allclose(probabilities[:, 0], chosen.windows[:, :, 8].mean(axis=1))
    assert chosen.axes == worn and chosen.upright == 1.0 and chosen.notes() == []
    np.testing.assert_allclose(chosen.windows, upright.windows, atol=1e-5)
