"""How `har_lstm.py predict --csv --axes auto` was checked, without the test volunteers: the
best preset trains without 4 training volunteers (har_selection's draws), then each of their
raw HAPT recordings is turned into each of the 24 ways a phone can be worn and read four ways:
bare (no --axes), with the turn predict's note suggests (gravity brought to x), with --axes
auto (that turn or its half turn about x, the more confident), and with the right axes.

    python -m benchmarks.har_axes --data-dir DIR --raw RawData            # draws 0-1

Turning the windows equals turning the readings (whole axes move or change sign; the filters
work axis by axis), so each recording is filtered once. Writes
benchmarks/results/<date>-har-axes.json and prints the agreement with the labels over every
labelled window: over the 8 wearings whose screen faces the body or away from it (the
phone's z along the data set's, either sign), over all 24, and as worn."""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from benchmarks import har_recordings, har_selection
from benchmarks.harness import candidate_config, quiet_run, save_selection
from common import cli, recordings
from common.errors import UserError

READS = ("bare", "note", "auto", "right")


def wearings() -> list[str]:
    """The 24 turns of a phone, as --axes values (the other 24 signed orders are mirrors)."""
    found = []
    for order in itertools.permutations("xyz"):
        for signs in itertools.product(("", "-"), repeat=3):
            axes = ",".join(sign + axis for sign, axis in zip(signs, order))
            try:
                recordings.axes_matrix(axes)
            except UserError:
                continue
            found.append(axes)
    return found


def score_recording(windows: np.ndarray, truth: np.ndarray, known: np.ndarray, probabilities,
                    worn: str) -> dict[str, float]:
    """One recording worn as `worn` (its windows as that phone would give them), read the
    four ways; the share of labelled windows each gets right."""
    turn = recordings.axes_matrix(worn)
    phone = recordings.turn_windows(windows, turn.T)  # the data set's axes -> the phone's
    upright, gravity_axis = recordings.gravity_share(phone, np.eye(3))
    recording = recordings.Recording(phone, np.zeros(len(phone)), None, 50.0, len(phone), False,
                                     [], axes=recordings.AUTO, upright=upright,
                                     gravity_axis=gravity_axis)
    note = recordings.axes_matrix(recordings.TURN_FOR[gravity_axis])
    _, auto = recordings.choose_turn(recording, probabilities)  # its windows' probabilities
    reads = {"bare": probabilities(phone), "note": probabilities(recordings.turn_windows(
        phone, note)), "auto": auto, "right": probabilities(windows)}
    return {read: float((reads[read].argmax(axis=1)[known] == truth[known]).mean())
            for read in READS}


def run(args: argparse.Namespace) -> dict:
    import keras

    import har_lstm

    arrays, _, _ = har_lstm.load_data(args.data_dir, explicit=True)
    x, y, subjects = arrays["x_train"], arrays["y_train"], arrays["subject_train"]
    rows, start = [], time.perf_counter()
    for seed in range(args.seeds):
        config = candidate_config(har_selection.candidates()["ensemble3"], seed)
        held = har_lstm.split_validation(subjects, config["validation_subjects"], seed)
        volunteers = sorted(int(s) for s in np.unique(subjects[held]))
        with quiet_run("har", config) as fit:
            model = har_lstm.train_networks((x[~held], y[~held]), (x[held], y[held]), config, fit)

        def probabilities(windows):
            return keras.ops.softmax(model.predict(windows, batch_size=2048, verbose=0)).numpy()

        with tempfile.TemporaryDirectory() as scratch:
            for experiment, user in har_recordings.experiments(args.raw, volunteers):
                path = har_recordings.write_recording(args.raw, experiment, user,
                                                      Path(scratch) / "r.csv")
                recording = recordings.read_recording(path)
                truth = har_lstm.label_ids(recording.labels)
                known = truth >= 0
                for worn in wearings():
                    rows.append({"draw": seed, "experiment": experiment, "volunteer": user,
                                 "worn": worn, "labelled": int(known.sum()),
                                 **score_recording(recording.windows, truth, known,
                                                   probabilities, worn)})
        print(f"draw {seed}: volunteers {volunteers} held out", flush=True)
    groups = {"flat (screen toward or away from the body)":
              [r for r in rows if r["worn"].split(",")[2].lstrip("-") == "z"],
              "all 24 wearings": rows, "as worn": [r for r in rows if r["worn"] == "x,y,z"]}
    summary = {}
    for name, group in groups.items():
        labelled = sum(r["labelled"] for r in group)
        summary[name] = {read: sum(r[read] * r["labelled"] for r in group) / max(1, labelled)
                         for read in READS}
        print(f"{name:<44}" + "  ".join(f"{read} {100 * summary[name][read]:6.2f}%"
                                         for read in READS))
    results = {"about": __doc__.split("\n\n")[0].replace("\n", " "), "summary": summary,
               "seconds": round(time.perf_counter() - start, 1), "rows": rows}
    save_selection(args.output, results)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(prog="python -m benchmarks.har_axes", description=__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="folder with the UCI HAR data (the archive or 'UCI HAR Dataset/')")
    har_recordings.add_raw_and_output(parser, "har-axes")
    parser.add_argument("--seeds", type=cli.positive_int, default=2,
                        help="draws 0..N-1 of the held-out volunteers (default: 2)")
    return parser


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, train=run)


if __name__ == "__main__":
    main()
