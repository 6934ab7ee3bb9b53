"""How har_lstm.py's best preset is chosen, without the test subjects: each candidate trains on
the training subjects but a few, drawn by the seed, and is scored on those held-out subjects.

    python -m benchmarks.har_selection --data-dir DIR                  # every candidate, draws 0-1
    python -m benchmarks.har_selection --data-dir DIR --candidates one_network,ensemble3 --seeds 1

Writes benchmarks/results/<date>-har-selection.json (after each fit; candidates scored before
stay in it) and prints one row per
candidate: accuracy and weighted F1 on the held-out subjects, mean over the draws, and seconds
per fit. The test subjects' windows are never loaded into a candidate. The preset takes the
candidate with the highest mean held-out accuracy; its budget of epochs is fixed, so the
preset then trains on every training subject (held-out subjects would only be watched)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from benchmarks.harness import (candidate_config, load_selection, quiet_run, save_selection,
                                selection_parser)
from common import cli
from common.errors import UserError

HELD_OUT_SUBJECTS = 4


def candidates() -> dict[str, dict]:
    import har_lstm

    # The previous best preset: one network, held-out subjects to score it on.
    best = dict(har_lstm.PRESETS["best"], validation_subjects=HELD_OUT_SUBJECTS, ensemble=1)
    return {
        "one_network": best,
        "magnitudes": dict(best, magnitudes=True),
        "epochs30": dict(best, epochs=30),
        "magnitudes_epochs30": dict(best, magnitudes=True, epochs=30),
        "epochs15": dict(best, epochs=15),
        "ensemble3": dict(best, ensemble=3),  # the mean of 3 networks' scores
    }


def evaluate(config: dict, x: np.ndarray, y: np.ndarray, subjects: np.ndarray, seed: int,
             quick: bool = False) -> dict:
    """Train the candidate on the training subjects that the seed does not hold out, then score
    it on those it holds out."""
    import har_lstm
    from common.lazy import sk_metrics

    config = candidate_config(config, seed, quick)
    held_out = har_lstm.split_validation(subjects, config["validation_subjects"], seed)
    fit_xy, val_xy = (x[~held_out], y[~held_out]), (x[held_out], y[held_out])
    start = time.perf_counter()
    with quiet_run("har", config) as run:
        model = har_lstm.train_networks(fit_xy, val_xy, config, run)
    predicted = model.predict(val_xy[0], batch_size=1024, verbose=0).argmax(axis=1)
    return {"accuracy": float((predicted == val_xy[1]).mean()),
            "f1_weighted": float(sk_metrics.f1_score(val_xy[1], predicted, average="weighted")),
            "held_out_subjects": sorted(int(s) for s in np.unique(subjects[held_out])),
            "seconds": time.perf_counter() - start}


def run(args: argparse.Namespace) -> dict:
    import har_lstm

    chosen = candidates()
    names = args.candidates or list(chosen)
    unknown = [name for name in names if name not in chosen]
    if unknown:
        raise UserError(f"--candidates {','.join(unknown)}: unknown; choose among "
                        f"{', '.join(chosen)}")
    arrays, _, _ = har_lstm.load_data(args.data_dir, explicit=True)
    x, y, subjects = arrays["x_train"], arrays["y_train"], arrays["subject_train"]  # no test
    if args.quick:
        pick = np.random.default_rng(0).permutation(len(y))[:har_lstm.DRY_RUN_WINDOWS[0]]
        x, y, subjects = x[pick], y[pick], subjects[pick]
    results = {"held_out_subjects": HELD_OUT_SUBJECTS,
               "candidates": load_selection(args.output).get("candidates", {})}
    for name in names:
        rows = []
        for seed in range(args.seeds):
            rows.append({"seed": seed, **evaluate(chosen[name], x, y, subjects, seed, args.quick)})
            summary = {key: float(np.mean([r[key] for r in rows]))
                       for key in ("accuracy", "f1_weighted", "seconds")}
            results["candidates"][name] = {"config": chosen[name], "summary": summary,
                                           "rows": rows}
            save_selection(args.output, results)  # after each fit
        draws = ", ".join(f"{100 * r['accuracy']:.2f}" for r in rows)
        print(f"{name:<22} held-out accuracy {100 * summary['accuracy']:6.2f}% (draws: "
              f"{draws}) | weighted F1 "
              f"{100 * summary['f1_weighted']:6.2f}% | {summary['seconds']:5.1f} s/fit", flush=True)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = selection_parser("har", __doc__)
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="folder with the UCI HAR data (the archive or 'UCI HAR Dataset/')")
    parser.add_argument("--seeds", type=cli.positive_int, default=2,
                        help="draws 0..N-1 of the held-out subjects (default: 2)")
    parser.add_argument("--quick", action="store_true",
                        help="a few hundred windows and 1 epoch: checks the tool, not the "
                             "candidates (default: off)")
    return parser


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, train=run)


if __name__ == "__main__":
    main()
