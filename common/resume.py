"""Interrupted training loses at most one epoch: Keras' BackupAndRestore keeps the weights of
the last finished epoch in RUN_DIR/backup/, the same callback keeps every finished epoch's
logs beside them, and the weights training ended with (after early stopping restored the
best ones). `--resume RUN_DIR` continues an unfinished training, or, when only the outputs
were missing, writes them without retraining. The backup folder goes once metrics.json is
written."""

from __future__ import annotations

import functools
import json
import os
import time
from pathlib import Path
from typing import Callable

from common.errors import UserError
from common.interrupts import interruptions_held
from common.lazy import keras
from common.runs import read_run_config, write_json

BACKUP = "backup"
TRAINED = "trained.weights.h5"


class TrainingState:
    """What a resumed run needs besides the weights: the logs of the epochs already done."""

    def __init__(self, backup_dir: Path):
        self.backup_dir = Path(backup_dir)
        self.history_file = self.backup_dir / "history.json"
        self.trained_file = self.backup_dir / TRAINED
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

    @property
    def finished(self) -> bool:
        """Training ended in an earlier session; only the outputs were left to write."""
        return self.trained_file.is_file()

    def callbacks(self, per_epoch: Callable[[], dict] | None = None) -> list:
        """Put last in fit's callbacks: its on_train_end keeps the weights that early
        stopping restored."""
        return [_epoch_backup_type()(self, per_epoch)]

    def save(self) -> None:
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.history_file, self.history)


@functools.cache
def _epoch_backup_type():
    """Defined on first use so that importing this module does not load Keras."""

    class EpochBackup(keras.callbacks.BackupAndRestore):
        """BackupAndRestore that also records each epoch's logs and, at the end, the final
        weights. An epoch's logs and weights are saved with Ctrl-C/SIGTERM held back, so an
        interruption never finds one without the other (a crash can: the logs go first, and
        a resume drops logs the weights lack)."""

        def __init__(self, state: TrainingState, per_epoch: Callable[[], dict] | None):
            # Kept after fit returns: the outputs are not written yet.
            super().__init__(str(state.backup_dir), double_checkpoint=True,
                             delete_checkpoint=False)
            self.state, self.per_epoch = state, per_epoch
            self._first, self._start = True, 0.0

        def on_train_begin(self, logs=None):
            if self.state.finished:  # nothing left to train: fit runs no epoch
                if self.model.optimizer is not None and not self.model.optimizer.built:
                    self.model.optimizer.build(self.model.trainable_variables)
                self.model.load_weights(self.state.trained_file)
                self.model._initial_epoch = self.params["epochs"]
                self.state.resumed_at = self.state.epochs
                print(f"Training had finished ({self.state.epochs} epochs): its weights are "
                      f"loaded from {self.state.trained_file}", flush=True)
                return
            super().on_train_begin(logs)

        def on_epoch_begin(self, epoch, logs=None):
            if self._first:  # `epoch` is where BackupAndRestore resumed: drop any later logs
                self._first = False
                self.state.history = {k: v[:epoch] for k, v in self.state.history.items()}
                if epoch:
                    self.state.resumed_at = epoch
                    print(f"Resuming after epoch {epoch} from {self.state.backup_dir}",
                          flush=True)
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

        def on_train_end(self, logs=None):
            if self.state.finished:
                return
            with interruptions_held():
                self.state.save()
                temp = self.state.backup_dir / f".{os.getpid()}.tmp.weights.h5"
                self.model.save_weights(temp)
                os.replace(temp, self.state.trained_file)  # marks the training finished

    return EpochBackup


def load_run_config(run_dir: Path, example: str, script: str) -> dict:
    """The config.json of an unfinished run of this example, for --resume."""
    saved = read_run_config(run_dir, example, script, "--resume", needs=("argv",))
    if (Path(run_dir) / "metrics.json").is_file():
        raise UserError(f"--resume {run_dir}: that run finished already (metrics.json is "
                        "there); start a new run instead")
    return saved
