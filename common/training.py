"""What every example does around its own training, so that each script shows only the
chapter's steps: starting a run (device, run folder, config.json, seed), the tf.data input,
early stopping, the backup that lets `--resume` continue, the partial outputs written on
Ctrl-C, and finishing the run (metrics.json, then the backup goes)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Callable

from common import device, runs
from common.errors import Interrupted
from common.interrupts import raise_if_interrupted
from common.lazy import keras, tf
from common.resume import BACKUP, TrainingState


class Run:
    """One run folder and the training(s) in it. Used as `with start_run(...) as run:`, so
    that Ctrl-C or SIGTERM anywhere in the run writes the history and plots so far and ends
    with the command that resumes it."""

    def __init__(self, run_dir: Path, script: str, placement: device.Placement, config: dict):
        self.dir, self.script, self.placement, self.config = Path(run_dir), script, placement, config
        self.states: list[TrainingState] = []
        self._save_partial: Callable[[dict], object] | None = None

    def backup(self, on_interrupt: Callable[[dict], object] | None = None,
               per_epoch: Callable[[], dict] | None = None, name: str = "") -> list:
        """Callbacks that back up each finished epoch under RUN_DIR/backup[/name] (put them
        last in fit's list); `on_interrupt(history)` writes the partial outputs on Ctrl-C."""
        state = TrainingState(self.dir / BACKUP / name)
        self.states.append(state)
        if on_interrupt is not None and self._save_partial is None:
            self._save_partial = on_interrupt
        return state.callbacks(per_epoch)

    @property
    def strategy(self):
        """The tf.distribute strategy whose scope builds the model and its optimizer."""
        return self.placement.strategy

    @property
    def state(self) -> TrainingState:
        """The latest training's state: its history and whether it had finished already."""
        return self.states[-1]

    @property
    def history(self) -> dict:
        """The first training's logs, one list per metric, one value per epoch."""
        return self.states[0].history if self.states else {}

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not KeyboardInterrupt:
            return False
        if self._save_partial is not None and self.history.get("loss"):
            self._save_partial(self.history)
        raise Interrupted(self.dir, self.script, sum(s.epochs for s in self.states)) from None

    def finish(self, metrics: dict, **details) -> dict:
        """metrics.json (with the training figures every example records), written last: its
        presence marks a finished run. Then the backup goes."""
        raise_if_interrupted()  # a Ctrl-C that a library swallowed: not a finished run
        epochs = [state.epochs for state in self.states]
        seconds = [s for state in self.states for s in state.history.get("epoch_seconds", [])]
        resumed = [state.resumed_at for state in self.states if state.resumed_at is not None]
        metrics.update(epochs=sum(epochs), **runs.timing({"epoch_seconds": seconds}),
                       resumed_at_epoch=resumed[0] if resumed else None,
                       device=self.placement.description, replicas=self.placement.replicas,
                       precision=self.placement.precision, preset=self.config["preset"],
                       seed=self.config["seed"], **details)
        if len(epochs) > 1:
            metrics["member_epochs"] = epochs
        runs.write_json(self.dir / "metrics.json", metrics)
        shutil.rmtree(self.dir / BACKUP, ignore_errors=True)
        # The last line says which seed drew this run: single runs vary with it.
        print(f"Run folder: {self.dir} (preset {self.config['preset']}, seed {self.config['seed']})")
        return {"run_dir": self.dir, **metrics}


def start_run(example: str, args: argparse.Namespace, config: dict, **recorded) -> Run:
    """Place the work (GPU, strategy, precision), make the run folder (or reopen it with
    --resume), write config.json with the command that reproduces the run, seed everything."""
    placement = device.configure(args.device, args.devices, args.mixed_precision)
    run_dir = runs.make_run_dir(example, args.output_dir, resume=bool(args.resume),
                                chief=placement.is_chief)
    print(f"Device: {placement.description}")
    # Written first: --resume reads the run's command line from it.
    runs.write_config(run_dir, example, args.script, args.argv, config,
                      device=placement.description, **recorded)
    keras.utils.set_random_seed(config["seed"])
    return Run(run_dir, args.script, placement, config)


def make_dataset(x, y, batch_size: int, shuffle_seed: int | None = None,
                 repeat: bool = False) -> tf.data.Dataset:
    """In-memory arrays as batches: reshuffled every epoch when `shuffle_seed` is given,
    endless when `repeat` (epochs counted in steps), sharded by element across workers (the
    default would look for files), without tf.data's autotuner: arrays in memory leave it
    nothing to tune, and its thread could hold up the end of a fit for seconds (0-9 s a
    network in the airline ensemble, measured)."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(y), seed=shuffle_seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.autotune.enabled = False
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE).with_options(options)


def early_stopping(config: dict) -> list:
    """Stop after `patience` epochs without a better validation loss (none when 0), going
    back to the best weights unless the config says otherwise (the chapter's forecaster)."""
    if not config.get("patience"):
        return []
    return [keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config["patience"],
        restore_best_weights=config.get("restore_best_weights", True))]


def average_models(members: list, name: str) -> keras.Model:
    """One model whose output is the mean of the members' outputs on the same input (an
    ensemble that saves and exports as a single model)."""
    inputs = keras.Input(shape=members[0].inputs[0].shape[1:], name=members[0].inputs[0].name)
    outputs = keras.layers.Average(name="mean_of_members")([member(inputs) for member in members])
    return keras.Model(inputs, outputs, name=name)
