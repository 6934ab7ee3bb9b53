"""Run folders: one new folder per run, never overwriting anything a user already has."""

from __future__ import annotations

import atexit
import csv
import json
import math
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from common.errors import UserError
from common.lazy import keras


def make_run_dir(example: str, output_dir: Path | None, resume: bool = False,
                 chief: bool = True, parent: Path | None = None) -> Path:
    """`output_dir` (absent or empty), or a fresh `<parent>/<YYYYmmdd-HHMMSS>/` (parent
    default: `runs/<example>`); the existing folder itself when resuming. Workers other than
    the chief of a multi-worker run write to a temporary folder that is removed when they
    exit."""
    if not chief:
        scratch = Path(tempfile.mkdtemp(prefix=f"rnn-examples-{example}-worker-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        return scratch
    if resume:
        return Path(output_dir)
    if output_dir is not None:
        output_dir = Path(output_dir)
        if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
            raise UserError(f"--output-dir {output_dir} already exists and is not empty; "
                            "pass a new folder (nothing was overwritten)")
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"--output-dir {output_dir}: cannot create it ({error.strerror}); "
                            "pass a writable folder") from None
        return output_dir
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(parent) if parent is not None else Path("runs") / example
    for suffix in [""] + [f"-{n}" for n in range(1, 100)]:
        candidate = base / f"{stamp}{suffix}"
        try:
            candidate.mkdir(parents=True, exist_ok=False)  # atomic: two runs never share
            return candidate
        except FileExistsError:
            continue
    raise UserError(f"too many runs started this second in {base}; pass --output-dir")


def _json_safe(value):
    """NumPy scalars and arrays to plain Python; NaN/inf to None (JSON has no NaN)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: Path, data: dict) -> None:
    temp = Path(f"{path}.tmp")
    temp.write_text(json.dumps(_json_safe(data), indent=2) + "\n")
    os.replace(temp, path)


def write_bytes(path: Path, content: bytes) -> None:
    """Written whole or not at all (a temporary file, then a rename)."""
    temp = Path(f"{path}.tmp")
    temp.write_bytes(content)
    os.replace(temp, path)


def write_csv_rows(path: Path, rows: list[list]) -> None:
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def write_history_csv(path: Path, history: dict[str, list[float]]) -> None:
    """One row per epoch: epoch, then each recorded series."""
    keys = list(history)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", *keys])
        for epoch, values in enumerate(zip(*(history[k] for k in keys)), start=1):
            writer.writerow([epoch, *(f"{v:.6g}" for v in values)])


def timing(history: dict) -> dict:
    """Training time from the per-epoch wall times (summed over resumed sessions too); the
    steady figure leaves out the first epoch, which includes tracing the graph."""
    seconds = history.get("epoch_seconds") or [0.0]
    steady = sorted(seconds[1:] or seconds)
    return {"train_seconds": round(sum(seconds), 2),
            "seconds_per_epoch": round(sum(seconds) / len(seconds), 4),
            "steady_seconds_per_epoch": round(steady[len(steady) // 2], 4)}


def write_config(run_dir: Path, example: str, script: str, argv, config: dict, **extra) -> None:
    """`config.json`: the resolved preset and flags, what else the run used, library versions
    and the command that reproduces it."""
    write_json(Path(run_dir) / "config.json", {
        "example": example, **config, **extra, "versions": library_versions(),
        "argv": list(argv), "command": [script, *argv]})


def library_versions() -> dict[str, str]:
    import keras
    import numpy
    import tensorflow

    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__}


def read_run_config(run_dir: Path, example: str, script: str, flag: str,
                    needs: tuple[str, ...] = ()) -> dict:
    """The config.json of a run folder of `example`, holding every key in `needs`; a missing,
    damaged, foreign or older one is a one-line error naming `flag`."""
    run_dir = Path(run_dir)
    config_file = run_dir / "config.json"
    if not config_file.is_file():
        raise UserError(f"{flag} {run_dir}: no config.json there; pass a run folder written "
                        f"by {script}")
    try:
        config = json.loads(config_file.read_text())
    except ValueError:
        raise UserError(f"{flag} {config_file} is not valid JSON; the run folder is damaged, "
                        "start a new run") from None
    if config.get("example") != example:
        other = config.get("example") or "another program"
        raise UserError(f"{flag} {run_dir}: a run of {other}, not of {script}; pass a run "
                        f"folder written by {script}")
    missing = [key for key in needs if key not in config]
    if missing:
        raise UserError(f"{flag} {run_dir}: config.json lacks {', '.join(missing)} (written "
                        f"by an older version of {script}); start a new run")
    return config


def read_metrics(run_dir: Path) -> dict:
    """A finished run's metrics.json, or {} when there is none (or it is damaged)."""
    try:
        return json.loads((Path(run_dir) / "metrics.json").read_text())
    except (OSError, ValueError):
        return {}


def load_model(path: Path, script: str, flag: str):
    """`path`/model.keras, or the .keras file `path`, loaded for predicting (not compiled); a
    missing or damaged file is a one-line error naming `flag`."""
    path = Path(path)
    model_file = path / "model.keras" if path.is_dir() else path
    if not model_file.is_file():
        raise UserError(f"{flag} {path}: no model.keras there; pass a run folder of {script} "
                        "or its model.keras file")
    import common.layers  # noqa: F401 - registers this project's layers with Keras (loads it)

    try:
        # Predicting and exporting need no optimizer, so its saved state is not restored.
        return keras.models.load_model(model_file, compile=False)
    except Exception as error:  # a corrupt or foreign file: Keras raises many types
        text = str(error).strip()
        reason = text.splitlines()[0][:160] if text else type(error).__name__
        raise UserError(f"{flag} {model_file}: cannot load it ({reason}); pass a model.keras "
                        f"written by {script}") from None


def load_members(run_dir: Path, script: str) -> list:
    """A run's networks: every ensemble member (ensemble/member-*.keras), or its one
    model.keras; a missing or damaged file is a one-line error naming --run. In member order
    (member-2 before member-10): each member's transform follows from its place."""
    members = sorted((Path(run_dir) / "ensemble").glob("member-*.keras"),
                     key=lambda path: int(path.stem.split("-")[1]))
    return [taking_one_input(load_model(path, script, "--run"))
            for path in members or [Path(run_dir) / "model.keras"]]


def taking_one_input(model):
    """Keras 3.10 reloads a one-input model as taking a list of that input, and warns at each
    call with the input alone: the same layers, taking it alone (as later Keras reloads it)."""
    inputs = getattr(model, "input", None)
    if isinstance(inputs, list) and len(inputs) == 1:
        return keras.Model(inputs[0], model.output, name=model.name)
    return model
