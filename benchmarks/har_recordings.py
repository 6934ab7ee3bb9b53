"""`har_lstm.py predict --csv` on whole phone recordings: the raw UCI HAPT recordings of the UCI
HAR test volunteers (never trained on), each written as the CSV a phone app would write, read
back through `predict --csv` with a trained run, and scored on the windows whose middle
reading carries one of the six activities (postural transitions and unlabelled stretches are
left out). Windows here are cut every 1.28 s across the whole recording, activity changes
included, where the data set's windows lie inside one activity.

    python -m benchmarks.har_recordings --raw RawData --run runs/har/<run>
    python -m benchmarks.har_recordings --raw RawData --run runs/har/<run> --as-android
    python -m benchmarks.har_recordings --raw RawData --run runs/har/<run> --turn y,-x,z

RawData: the folder of that name in the UCI HAPT archive (https://archive.ics.uci.edu/dataset/341),
or the byte-identical hapt_raw folder that build_uci_har_rebuilt.py --extract-raw writes.

`--as-android` writes each recording the way an Android app would: 100 Hz (a cubic spline
through the 50 Hz readings), the accelerometer in m/s2, no time column; it is read with
`--rate 100 --acc-unit m/s2`, through the resampling. `--turn AXES` writes each recording as
a phone worn another way would have recorded it (the one `--axes AXES` turns back: y,-x,z is
the phone in portrait) and reads it three times: as a user who does not know would (no
--axes), with the --axes that predict's note suggests, and with --axes auto. Adds the figures (per recording, over
all windows, the confusion of activities) under the run's name and the mode to
benchmarks/results/<date>-har-recordings.json."""

from __future__ import annotations

import argparse
import functools
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from benchmarks.harness import ROOT, describe_machine, load_selection, save_selection
from common import cli, recordings, signals
from common.errors import UserError

TEST_SUBJECTS = (2, 4, 9, 10, 12, 13, 18, 20, 24)  # UCI HAR's test volunteers
ANDROID_RATE = 100


def experiments(raw_dir: Path, subjects: Sequence[int]) -> list[tuple[int, int]]:
    """(experiment, volunteer) of every recording of `subjects` in the HAPT RawData folder."""
    found = sorted((int(m[1]), int(m[2])) for m in (
        re.fullmatch(r"acc_exp(\d+)_user(\d+)\.txt", p.name) for p in raw_dir.glob("acc_*.txt"))
        if m and int(m[2]) in subjects)
    if not found or not (raw_dir / "labels.txt").is_file():
        raise UserError(f"--raw {raw_dir}: no acc_expNN_userMM.txt of the test volunteers or no "
                        "labels.txt; pass the UCI HAPT archive's RawData folder")
    return found


@functools.lru_cache(maxsize=None)
def hapt_labels(raw_dir: Path) -> np.ndarray:
    """HAPT's labels.txt rows: experiment, user, activity 1-12, first and last reading
    (1-based); read once for all the recordings."""
    return np.loadtxt(raw_dir / "labels.txt", dtype=int)


def activity_per_reading(labels: np.ndarray, experiment: int, user: int, n: int) -> list[str]:
    """HAPT's labels.txt rows -> the UCI HAR name of each reading's activity, "" for 7-12
    (transitions) and unlabelled readings."""
    import har_lstm

    names = [""] * n
    for exp, usr, activity, first, last in labels:
        if (exp, usr) == (experiment, user) and activity <= len(har_lstm.LABELS):
            names[first - 1:last] = [har_lstm.LABELS[activity - 1]] * (last - first + 1)
    return names


def write_recording(raw_dir: Path, experiment: int, user: int, path: Path,
                    android: bool = False, turn: str | None = None) -> Path:
    """One recording as a phone app's CSV: t_s, the accelerometer (g), the gyroscope (rad/s)
    and activity at 50 Hz; or, `android`, at 100 Hz with the accelerometer in m/s2 and no
    time column (the activity of the nearest 50 Hz reading). `turn`: both sensors as the
    phone worn so that `--axes turn` brings them back would read them."""
    import pandas as pd
    from scipy.interpolate import CubicSpline

    name = f"exp{experiment:02d}_user{user:02d}.txt"
    acc, gyro = np.loadtxt(raw_dir / f"acc_{name}"), np.loadtxt(raw_dir / f"gyro_{name}")
    n = min(len(acc), len(gyro))
    matrix = recordings.axes_matrix(turn) if turn else np.eye(3)
    values = np.hstack([acc[:n] @ matrix, gyro[:n] @ matrix])  # rows: phone = matrix.T @ ...
    times = np.arange(n) / signals.SAMPLE_RATE
    activity = activity_per_reading(hapt_labels(raw_dir), experiment, user, n)
    columns = recordings.COLUMNS
    if android:
        fast = np.arange(0, times[-1], 1 / ANDROID_RATE)
        values = CubicSpline(times, values)(fast)
        values[:, :3] *= signals.STANDARD_GRAVITY
        nearest = np.round(fast * signals.SAMPLE_RATE).astype(int)
        table = pd.DataFrame(values, columns=columns).assign(
            activity=[activity[i] for i in nearest])
    else:
        table = pd.DataFrame(values, columns=columns)
        table.insert(0, "t_s", times)
        table["activity"] = activity
    table.to_csv(path, index=False, float_format="%.6f")
    return path


def score_recording(run: Path, csv_path: Path, out_dir: Path, android: bool,
                    axes: str = recordings.AXES) -> dict:
    """`predict --csv` as a user runs it; its windows' activities against the labels."""
    import har_lstm

    flags = ["--rate", str(ANDROID_RATE), "--acc-unit", "m/s2"] if android else []
    flags.append(f"--axes={axes}")
    result = har_lstm.main(["predict", "--run", str(run), "--csv", str(csv_path), *flags,
                            "--output-dir", str(out_dir)])
    pairs = [(truth, guess) for truth, guess in zip(result["labels"], result["activities"])
             if truth]
    return {"windows": result["windows"], "axes": result["axes"], "labelled": len(pairs),
            "agreeing": sum(truth == guess for truth, guess in pairs), "pairs": pairs}


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(prog="python -m benchmarks.har_recordings", description=__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    add_raw_and_output(parser, "har-recordings", "; earlier entries stay")
    parser.add_argument("--run", type=Path, required=True, help="a trained run of har_lstm.py")
    parser.add_argument("--as-android", action="store_true",
                        help="100 Hz, m/s2, no time column: through the resampling "
                             "(default: 50 Hz in g with t_s, as recorded)")
    parser.add_argument("--turn", default=None, metavar="AXES",
                        help="write the recordings as a phone worn so that --axes AXES turns "
                             "them back, e.g. y,-x,z (default: as worn in the data set)")
    parser.add_argument("--subjects", type=lambda text: [int(s) for s in text.split(",")],
                        default=list(TEST_SUBJECTS),
                        help="volunteers (default: UCI HAR's test volunteers)")
    return parser


def add_raw_and_output(parser: argparse.ArgumentParser, name: str, note: str = "") -> None:
    """--raw (the HAPT recordings) and --output (benchmarks/results/<date>-<name>.json)."""
    parser.add_argument("--raw", type=Path, required=True,
                        help="the UCI HAPT archive's RawData folder (or the hapt_raw folder "
                             "written by build_uci_har_rebuilt.py --extract-raw)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / (
                            time.strftime("%Y-%m-%d") + f"-{name}.json"),
                        help=f"where the JSON goes (default: benchmarks/results/<date>-{name}"
                             f".json{note})")


def run(args: argparse.Namespace) -> dict:
    found = experiments(args.raw, args.subjects)
    if args.turn:
        recordings.axes_matrix(args.turn, "--turn")  # an error before any work
    mode = "android_100hz_ms2" if args.as_android else "as_recorded_50hz_g"
    modes = ([f"turned_{args.turn}", f"turned_{args.turn}_suggested_axes",
              f"turned_{args.turn}_axes_auto"] if args.turn else [mode])
    rows, pairs = {mode: [] for mode in modes}, {mode: [] for mode in modes}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for number, (experiment, user) in enumerate(found):
            csv_path = write_recording(args.raw, experiment, user,
                                       Path(scratch) / f"exp{experiment:02d}.csv",
                                       args.as_android, args.turn)
            # as predict prints it, the turn its note suggests (none when it has none)
            axes = [recordings.AXES] + ([recordings.TURN_FOR[recordings.read_recording(
                csv_path).gravity_axis], recordings.AUTO] if args.turn else [])
            for mode, how in zip(modes, axes):
                scored = score_recording(args.run, csv_path, Path(scratch) / f"out{number}{mode}",
                                         args.as_android, how)
                pairs[mode] += scored.pop("pairs")
                rows[mode].append({"experiment": experiment, "volunteer": user, **scored,
                                   "agreement": scored["agreeing"] / max(1, scored["labelled"])})
    results = load_selection(args.output)
    results.setdefault("about", __doc__.split("\n\n")[0].replace("\n", " "))
    for mode in modes:
        summary = summarise(args.run, rows[mode], pairs[mode], time.perf_counter() - start)
        results.setdefault(str(args.run.resolve()), {})[mode] = summary
        print(f"{mode}: {summary['agreement']:.4f} of {summary['labelled_windows']} labelled "
              f"windows agree, {len(rows[mode])} recordings of volunteers "
              f"{sorted({r['volunteer'] for r in rows[mode]})}")
        for row in rows[mode]:
            print(f"  exp {row['experiment']:2d} volunteer {row['volunteer']:2d}: "
                  f"{row['agreement']:.4f} of {row['labelled']} (--axes {row['axes']})")
    save_selection(args.output, results)
    return summary


def summarise(run: Path, rows: list[dict], pairs: list[tuple], seconds: float) -> dict:
    """Over every recording: the share of labelled windows that agree, the confusion."""
    import har_lstm

    index = {name: i for i, name in enumerate(har_lstm.LABELS)}
    confusion = np.zeros((len(index), len(index)), dtype=int)
    for truth, guess in pairs:
        confusion[index[truth], index[guess]] += 1
    labelled = sum(row["labelled"] for row in rows)
    metrics = run / "metrics.json"
    return {"agreement": sum(row["agreeing"] for row in rows) / labelled,
            "labelled_windows": labelled,
            "run_test_accuracy": (json.loads(metrics.read_text()).get("test_accuracy")
                                  if metrics.is_file() else None),
            "recordings": rows,
            "confusion (rows: true; columns: predicted, LABELS order)": confusion.tolist(),
            "seconds": round(seconds, 1),
            "machine": describe_machine()["description"]}


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, train=run)


if __name__ == "__main__":
    main()
