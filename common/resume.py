"""Interrupted training loses at most one epoch: Keras' BackupAndRestore keeps the weights of
the last finished epoch in RUN_DIR/backup/, the same callback keeps every finished epoch's
logs beside them, so `--resume RUN_DIR` continues the run and still writes the whole history.
The backup folder disappears when training ends normally."""

from __future__ import annotations

import contextlib
import json
import signal
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
        return [_EpochBackup(self, per_epoch)]

    def save(self) -> None:
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.history_file, self.history)


class _EpochBackup(keras.callbacks.BackupAndRestore):
    """BackupAndRestore that also records each epoch's logs. An epoch's logs and weights are
    saved with Ctrl-C/SIGTERM held back, so an interruption never finds one without the other
    (a crash can: the logs go first, and a resume drops logs the weights lack)."""

    def __init__(self, state: TrainingState, per_epoch: Callable[[], dict] | None):
        super().__init__(str(state.backup_dir), double_checkpoint=True)
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
        with interruptions_held():
            for key, value in record.items():
                self.state.history.setdefault(key, []).append(value)
            self.state.save()
            super().on_epoch_end(epoch, logs)


@contextlib.contextmanager
def interruptions_held():
    """Hold Ctrl-C and SIGTERM back until the block is done, then deliver them, so files
    that belong together are written together."""
    received = []
    try:
        previous = {signum: signal.signal(signum, lambda s, _: received.append(s))
                    for signum in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals cannot be caught here anyway
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])  # the handler it would have met


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
