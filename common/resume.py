"""Interrupted training loses at most one epoch: Keras' BackupAndRestore keeps the weights of
the last finished epoch in RUN_DIR/backup/, and a recorder keeps every finished epoch's logs
beside them, so `--resume RUN_DIR` continues the run and still writes the whole history.
The backup folder disappears when training ends normally."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import keras

from common.errors import UserError
from common.runs import write_json

BACKUP = "backup"


class TrainingState:
    """What a resumed run needs besides the weights: the logs of the epochs already done."""

    def __init__(self, backup_dir: Path):
        self.backup_dir = Path(backup_dir)
        self.history_file = self.backup_dir / "history.json"
        self.history: dict[str, list] = {}
        self.resumed_at: int | None = None  # the epoch a resumed fit started from
        if self.history_file.is_file():
            try:
                self.history = json.loads(self.history_file.read_text())
            except ValueError:  # written atomically, so only a foreign edit gets here
                self.history = {}

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))

    def callbacks(self, per_epoch: Callable[[], dict] | None = None) -> list:
        """The recorder first: an epoch's logs are on disk before its weights, so a backup
        never claims an epoch whose logs are missing."""
        return [_Recorder(self, per_epoch),
                keras.callbacks.BackupAndRestore(str(self.backup_dir), double_checkpoint=True)]

    def save(self) -> None:
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.history_file, self.history)


class _Recorder(keras.callbacks.Callback):
    def __init__(self, state: TrainingState, per_epoch: Callable[[], dict] | None):
        super().__init__()
        self.state, self.per_epoch = state, per_epoch
        self._first, self._start = True, 0.0

    def on_epoch_begin(self, epoch, logs=None):
        if self._first:  # `epoch` is where BackupAndRestore resumed: drop any later logs
            self._first = False
            self.state.history = {k: v[:epoch] for k, v in self.state.history.items()}
            if epoch:
                self.state.resumed_at = epoch
                print(f"Resuming after epoch {epoch} from {self.state.backup_dir}", flush=True)
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        record = {key: float(value) for key, value in (logs or {}).items()}
        record["epoch_seconds"] = round(seconds, 4)
        record.update(self.per_epoch() if self.per_epoch else {})
        for key, value in record.items():
            self.state.history.setdefault(key, []).append(value)
        self.state.save()


def load_run_config(run_dir: Path, example: str, script: str) -> dict:
    """The config.json of an unfinished run of this example, for --resume."""
    run_dir = Path(run_dir)
    config_file = run_dir / "config.json"
    if not config_file.is_file():
        raise UserError(f"--resume {run_dir}: no config.json there; pass a run folder "
                        f"written by {script}")
    try:
        saved = json.loads(config_file.read_text())
    except ValueError:
        raise UserError(f"--resume {config_file} is not valid JSON; the run folder is "
                        "damaged, start a new run") from None
    if saved.get("example") != example:
        other = saved.get("example") or "another program"
        raise UserError(f"--resume {run_dir}: a run of {other}, not of {script}; pass a run "
                        f"folder written by {script}")
    if "argv" not in saved:
        raise UserError(f"--resume {run_dir}: written by an older version without its "
                        "command line; start a new run")
    if (run_dir / "metrics.json").is_file():
        raise UserError(f"--resume {run_dir}: that run finished already (metrics.json is "
                        "there); start a new run instead")
    return saved
