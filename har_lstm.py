"""
Title: Human activity recognition with a stacked LSTM (UCI HAR)
Chapter section: "LSTM model and human activity recognition" (LSTM 模型和人类活动识别)
Description: the chapter's 2x32 stacked LSTM over the nine raw inertial signals of the UCI HAR
data set, rewritten with Keras 3: per-step Dense(32, ReLU) -> LSTM(32) -> LSTM(32) -> Dense(6),
softmax cross-entropy + L2, then accuracy, weighted precision/recall/F1 and a confusion matrix.

    python har_lstm.py                          # downloads the UCI HAR archive on first run
    python har_lstm.py --data-dir DIR           # DIR holds the archive or "UCI HAR Dataset/"
    python har_lstm.py --preset best            # residual convolutions + bidirectional LSTM
    python har_lstm.py predict --run RUN_DIR --csv data/har_sample_recording.csv
    python har_lstm.py export --run RUN_DIR [--quantize]      # TensorFlow Lite for a phone

Each run writes training_progress.png, confusion_matrix.png, history.csv, metrics.json,
config.json and model.keras to a new run folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

import numpy as np

from common import cli, data, plotting, recordings, runs, tflite, training
from common.errors import UserError
from common.lazy import LazyModule, keras, layers, sk_metrics

EXAMPLE = "har"
DRY_RUN_WINDOWS = (300, 100)  # train, test
extra_layers = LazyModule("common.layers")  # the sensors' magnitudes (loads Keras)

"""## Dataset description"""

INPUT_SIGNAL_TYPES = [
    "body_acc_x_", "body_acc_y_", "body_acc_z_",
    "body_gyro_x_", "body_gyro_y_", "body_gyro_z_",
    "total_acc_x_", "total_acc_y_", "total_acc_z_",
]
LABELS = ["WALKING", "WALKING_UPSTAIRS", "WALKING_DOWNSTAIRS", "SITTING", "STANDING", "LAYING"]


def label_ids(names: Sequence[str]) -> np.ndarray:
    """Activity names -> their index in LABELS; -1 for any other name (unlabelled)."""
    return np.array([LABELS.index(name) if name in LABELS else -1 for name in names])


def signal_files(split: str) -> list[str]:
    return [f"{split}/Inertial Signals/{signal}{split}.txt" for signal in INPUT_SIGNAL_TYPES]


def label_files(split: str) -> list[str]:
    return [f"{split}/y_{split}.txt", f"{split}/subject_{split}.txt"]


def data_files() -> list[str]:
    """Every file the example reads, relative to the "UCI HAR Dataset" folder."""
    return [f for split in ("train", "test") for f in signal_files(split) + label_files(split)]


def load_X(reader: data.ArchiveReader, split: str) -> np.ndarray:
    """The chapter's load_X: the nine signal files, 128 readings per window and line, stacked
    to (windows, 128, 9) in INPUT_SIGNAL_TYPES order."""
    signals = [reader.numbers(member, 128) for member in signal_files(split)]
    if len({len(signal) for signal in signals}) != 1:
        raise UserError(f"{reader.source}: the {split} signal files disagree on the "
                             "number of windows; replace the data set")
    return np.stack(signals, axis=-1)


def load_y(reader: data.ArchiveReader, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The chapter's load_y: labels 1..6 -> 0..5; and the volunteer behind each window."""
    labels_file, subjects_file = label_files(split)
    labels = reader.numbers(labels_file, 1)[:, 0]
    subjects = reader.numbers(subjects_file, 1)[:, 0]
    if not np.isin(labels, np.arange(1, 7)).all():
        raise UserError(f"{reader.source}: {labels_file} holds labels outside 1..6")
    return labels.astype("int32") - 1, subjects.astype("int32")


def load_har(source: Path, cache_dir: Path, key: str | None = None) -> dict[str, np.ndarray]:
    """Both splits from `source` (archive or folder). Parsing the text takes a while, so the
    arrays are cached as an .npz beside the data, keyed by the source."""
    key = key or data.source_key(Path(source), data_files())

    def parse() -> dict[str, np.ndarray]:
        reader, arrays = data.ArchiveReader(source), {}
        for split in ("train", "test"):
            arrays[f"x_{split}"] = load_X(reader, split)
            arrays[f"y_{split}"], arrays[f"subject_{split}"] = load_y(reader, split)
            if len({len(arrays[f"x_{split}"]), len(arrays[f"y_{split}"])}) != 1:
                raise UserError(f"{reader.source}: the {split} files disagree on the "
                                     "number of windows; replace the data set")
        return arrays

    return data.cached_arrays(Path(cache_dir) / f"uci_har_{key[:16]}.npz", key, parse)


def dry_run_subset(arrays: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """A few hundred random windows of each split, for --dry-run."""
    rng, subset = np.random.default_rng(seed), {}
    for split, count in zip(("train", "test"), DRY_RUN_WINDOWS):
        pick = rng.permutation(len(arrays[f"y_{split}"]))[:count]
        for name in ("x", "y", "subject"):
            subset[f"{name}_{split}"] = arrays[f"{name}_{split}"][pick]
    return subset


def load_data(data_dir: Path, explicit: bool) -> tuple[dict[str, np.ndarray], Path, str]:
    """Find the data set (downloading it if needed), then its arrays (cached)."""
    source, source_name, key = data.locate_uci_har(data_dir, explicit, data_files())
    arrays = load_har(source, data.writable_dir(source.parent), key)
    return arrays, source, source_name


"""## Workflow of the LSTM model for HAR: the network"""

PRESETS = {
    # The chapter: n_hidden 32, learning_rate 0.0025, lambda_loss_amount 0.0015,
    # batch_size 1500, 300 epochs (training_iters = 300 x 7352).
    "chapter": dict(epochs=300, batch_size=1500, learning_rate=0.0025, l2=0.0015, hidden=32,
                    architecture="chapter", validation_subjects=4, patience=0, ensemble=1),
    # Ours: standardised channels with Gaussian noise in training, a convolutional stem and
    # two residual blocks that shorten the sequence to 32 steps, a bidirectional LSTM, mean
    # and max over time, AdamW with a cosine decay over a fixed budget of epochs, the scores
    # of 3 such networks averaged. Chosen on held-out training subjects (two draws; python
    # -m benchmarks.har_selection), never on the test subjects; the budget being fixed, the
    # preset then trains on every training subject (none held out: nothing to stop on).
    "best": dict(epochs=20, batch_size=64, learning_rate=0.002, weight_decay=1e-4, l2=0.0,
                 hidden=64, filters=64, blocks=2, noise=0.05, dropout=0.2, magnitudes=False,
                 architecture="resconv_bilstm", validation_subjects=0, patience=0, ensemble=3),
}


def build_model(config: dict, mean=None, std=None, steps_per_epoch: int = 1,
                name: str = "") -> keras.Model:
    """The chapter's LSTM_RNN: per-step ReLU layer -> two stacked LSTM cells -> last output ->
    linear scores. `l2` is lambda_loss_amount on every weight (tf.nn.l2_loss halves the
    square, hence the / 2). The best preset: standardised channels, residual convolutions,
    a bidirectional LSTM over the shortened sequence, mean and max over time. `mean` and
    `std` are per channel of what the model normalises (channel_statistics)."""
    l2 = keras.regularizers.L2(config["l2"] / 2) if config["l2"] else None
    weights = dict(kernel_regularizer=l2, bias_regularizer=l2)
    inputs = keras.Input(shape=(128, 9), name="signals")
    if config["architecture"] == "chapter":
        x = layers.Dense(config["hidden"], activation="relu", name="hidden", **weights)(inputs)
        x = layers.LSTM(config["hidden"], return_sequences=True, recurrent_regularizer=l2,
                        **weights)(x)
        x = layers.LSTM(config["hidden"], recurrent_regularizer=l2, **weights)(x)
        optimizer = keras.optimizers.Adam(config["learning_rate"])
    else:
        x = extra_layers.SensorMagnitudes()(inputs) if config.get("magnitudes") else inputs
        x = layers.Normalization(mean=mean, variance=None if std is None else std ** 2)(x)
        x = layers.GaussianNoise(config["noise"])(x)  # training only: subjects move differently
        x = conv_bn(x, config["filters"], 7)
        for _ in range(config["blocks"]):  # each block halves the sequence: 128 -> 32 steps
            x = layers.MaxPooling1D(2)(residual_block(x, config["filters"]))
        x = layers.Dropout(config["dropout"])(x)
        x = layers.Bidirectional(layers.LSTM(config["hidden"], return_sequences=True))(x)
        x = layers.Concatenate()([layers.GlobalAveragePooling1D()(x),
                                  layers.GlobalMaxPooling1D()(x)])
        x = layers.Dropout(0.5)(x)
        # A fixed budget: the learning rate decays to 0 over it (no early stopping to tune).
        schedule = keras.optimizers.schedules.CosineDecay(
            config["learning_rate"], decay_steps=config["epochs"] * steps_per_epoch)
        optimizer = keras.optimizers.AdamW(schedule, weight_decay=config["weight_decay"])
    scores = layers.Dense(len(LABELS), name="scores", dtype="float32", **weights)(x)
    model = keras.Model(inputs, scores, name=name or f"har_{config['architecture']}")
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def channel_statistics(x: np.ndarray, config: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of the training windows (never the test's),
    of the channels the best preset's model standardises: the nine signals, and with
    `magnitudes` the length of each sensor's 3-axis vector (any way the phone is held)."""
    channels = np.asarray(extra_layers.SensorMagnitudes()(x)) if config.get("magnitudes") else x
    return channels.mean(axis=(0, 1)), channels.std(axis=(0, 1))


def conv_bn(x, filters: int, kernel: int, activation: str | None = "relu"):
    x = layers.Conv1D(filters, kernel, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation(activation)(x) if activation else x


def residual_block(x, filters: int):
    """Two convolutions whose output is added to their input."""
    y = conv_bn(conv_bn(x, filters, 5), filters, 5, activation=None)
    return layers.Activation("relu")(layers.Add()([x, y]))


def split_validation(subjects: np.ndarray, count: int, seed: int) -> np.ndarray:
    """A mask of the training windows of `count` held-out training subjects (the chapter
    monitors the test set during training: fixed)."""
    chosen = np.random.default_rng(seed).choice(np.unique(subjects), size=count, replace=False)
    return np.isin(subjects, chosen)


"""## Implementing the LSTM model for HAR: training"""


def chapter_progress_log(n_train: int, epochs: int):
    """'Training iter #N: Batch Loss = x, Accuracy = y' and the validation line, every
    30000 samples or so (the chapter's display_iter), and at the last epoch."""
    every = max(1, round(30000 / n_train))

    def on_epoch_end(epoch, logs):
        if epoch == 0 or (epoch + 1) % every == 0 or epoch + 1 == epochs:
            print(f"Training iter #{(epoch + 1) * n_train}:   Batch Loss = "
                  f"{logs['loss']:.6f}, Accuracy = {logs['accuracy']:.4f}", flush=True)
            if "val_loss" in logs:  # none when every training subject is trained on
                print(f"PERFORMANCE ON VALIDATION SET: Batch Loss = {logs['val_loss']:.6f}, "
                      f"Accuracy = {logs['val_accuracy']:.4f}", flush=True)

    return keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)


def train(model, fit_xy, val_xy, config: dict, run: training.Run, name: str = "") -> None:
    """Adam on shuffled batches straight from the in-memory arrays (the chapter copies each
    batch sample by sample in Python: extract_batch_size), validating every epoch on the
    held-out subjects when there are any."""
    n_train = len(fit_xy[1])
    model.fit(training.make_dataset(*fit_xy, config["batch_size"], shuffle_seed=config["seed"]),
              validation_data=training.make_dataset(*val_xy, 1024) if len(val_xy[1]) else None,
              epochs=config["epochs"], verbose=0, shuffle=False,
              callbacks=[chapter_progress_log(n_train, config["epochs"]),
                         *training.early_stopping(config),
                         *run.backup(on_interrupt=lambda history: save_history(
                             history, n_train, run.dir), name=name)])


def train_networks(fit_xy, val_xy, config: dict, run: training.Run) -> keras.Model:
    """Build and train the network; with `ensemble` N, N networks from seeds seed, seed + 1,
    ... and one model that averages their scores (each member backed up on its own, so
    --resume retrains none that finished)."""
    mean, std = channel_statistics(fit_xy[0], config)
    steps_per_epoch = int(np.ceil(len(fit_xy[1]) / config["batch_size"]))
    members, networks = [], config.get("ensemble", 1)  # runs of older versions lack it
    for member in range(networks):
        seed = config["seed"] + member
        keras.utils.set_random_seed(seed)  # each member's own start, the same after a resume
        with run.strategy.scope():  # variables and optimizer on every replica
            model = build_model(config, mean=mean, std=std, steps_per_epoch=steps_per_epoch,
                                name=f"network_{member + 1}" if networks > 1 else "")
        if networks > 1:
            print(f"Network {member + 1} of {networks} (seed {seed})", flush=True)
        train(model, fit_xy, val_xy, dict(config, seed=seed), run,
              name=f"member-{member}" if networks > 1 else "")
        members.append(model)
    if len(members) == 1:
        return members[0]
    with run.strategy.scope():
        return average_of(members)


def average_of(members: list) -> keras.Model:
    """One model whose scores are the mean of the members' scores: one model.keras, one
    TensorFlow Lite file."""
    model = training.average_models(members, name=f"har_ensemble_of_{len(members)}")
    # Compiled only to evaluate; plain SGD holds no state, so reloading it warns of nothing.
    model.compile(optimizer=keras.optimizers.SGD(),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


"""## Evaluation: metrics and the confusion matrix"""


def evaluate(model, x_test, y_test) -> dict:
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    print(f"FINAL RESULT: Batch Loss = {loss}, Accuracy = {accuracy}")
    predictions = model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1)
    labels = list(range(len(LABELS)))
    precision, recall, f1, _ = sk_metrics.precision_recall_fscore_support(
        y_test, predictions, labels=labels, average="weighted", zero_division=0)
    print(f"Testing Accuracy: {100 * accuracy}%")
    print(f"Precision: {100 * precision}%")
    print(f"Recall: {100 * recall}%")
    print(f"f1_score: {100 * f1}%")
    print(sk_metrics.classification_report(y_test, predictions, labels=labels,
                                           target_names=LABELS, digits=4, zero_division=0))
    report = sk_metrics.classification_report(y_test, predictions, labels=labels,
                                              target_names=LABELS, output_dict=True,
                                              zero_division=0)
    return {"test_accuracy": float(accuracy), "test_loss": float(loss),
            "precision_weighted": float(precision), "recall_weighted": float(recall),
            "f1_weighted": float(f1),
            "confusion_matrix": sk_metrics.confusion_matrix(y_test, predictions, labels=labels),
            "per_class": {name: report[name] for name in LABELS}}


def save_history(history: dict, n_train: int, run_dir: Path) -> Path:
    """history.csv and the chapter's Figure 26 (loss and accuracy over training iterations):
    after training, or what there is on Ctrl-C."""
    validated = "val_loss" in history  # not when every training subject is trained on
    runs.write_history_csv(run_dir / "history.csv", {
        "train_loss": history["loss"], "train_accuracy": history["accuracy"],
        **({"validation_loss": history["val_loss"],
            "validation_accuracy": history["val_accuracy"]} if validated else {}),
        "epoch_seconds": history["epoch_seconds"]})
    path = run_dir / "training_progress.png"
    iterations = [n_train * (i + 1) for i in range(len(history["loss"]))]
    lines = {"Train losses": (iterations, history["loss"]),
             "Train accuracies": (iterations, history["accuracy"])}
    if validated:
        lines.update({"Validation losses": (iterations, history["val_loss"]),
                      "Validation accuracies": (iterations, history["val_accuracy"])})
    return plotting.plot_lines(path, lines, title="Training session's progress over iterations",
                               xlabel="Training iteration",
                               ylabel="Training Progress (Loss or Accuracy values)",
                               styles=("b--", "g--", "b-", "g-"))


"""## Putting it together"""


def run_training(args: argparse.Namespace) -> dict:
    config = cli.resolve_config(args, PRESETS)
    if config["patience"] and not config["validation_subjects"]:
        raise UserError(f"--patience {config['patience']}: the {config['preset']} preset holds "
                        "out no training subject to stop on; pass --patience 0")
    explicit = any(a.startswith("--data-dir") for a in args.argv)
    arrays, source, source_name = load_data(args.data_dir, explicit=explicit)
    with training.start_run(EXAMPLE, args, config, data=str(source),
                            data_source=source_name) as run:
        print(f"Data: {source_name}: {source}")
        if args.dry_run:
            arrays = dry_run_subset(arrays, config["seed"])
        x_train, y_train, subjects = arrays["x_train"], arrays["y_train"], arrays["subject_train"]
        x_test, y_test = arrays["x_test"], arrays["y_test"]
        print(f"Number of training series: {len(x_train)}")
        print(f"Number of test series: {len(x_test)}")
        print(f"Number of timestep per series: {x_train.shape[1]}")
        print(f"Number of input parameters per timestep: {x_train.shape[2]}")
        print("(X shape, y shape, every X's mean, every X's standard deviation)")
        print(x_test.shape, y_test.shape, float(np.mean(x_test)), float(np.std(x_test)))

        n_subjects = len(np.unique(subjects))
        held_out = split_validation(subjects, min(config["validation_subjects"], n_subjects - 1),
                                    config["seed"])
        fit_x, fit_y = x_train[~held_out], y_train[~held_out]
        val_x, val_y = x_train[held_out], y_train[held_out]
        if len(val_y):
            print(f"Training on {len(fit_y)} windows, validating on {len(val_y)} windows of "
                  f"{len(np.unique(subjects[held_out]))} held-out training subjects")
        else:
            print(f"Training on {len(fit_y)} windows of all {n_subjects} training subjects "
                  f"(a fixed budget of {config['epochs']} epochs: nothing to validate)")

        model = train_networks((fit_x, fit_y), (val_x, val_y), config, run)
        print("Optimization Finished!")

        metrics = evaluate(model, x_test, y_test)
        if len(val_y):
            metrics["validation_accuracy"] = float(
                model.evaluate(val_x, val_y, batch_size=1024, verbose=0)[1])
        save_history(run.history, len(fit_y), run.dir)
        plotting.plot_confusion_matrix(run.dir / "confusion_matrix.png",
                                       metrics["confusion_matrix"], LABELS,
                                       title="Confusion matrix (test set)")
        model.save(run.dir / "model.keras")
        return run.finish(metrics, data_source=source_name, train_windows=len(fit_y),
                          validation_windows=len(val_y), test_windows=len(y_test),
                          samples_seen=sum(s.epochs for s in run.states) * len(fit_y))


"""## Predict: the run's test split, or a phone recording (common/recordings.py)"""


def restore_run(run_dir: Path) -> tuple[keras.Model, dict]:
    config = runs.read_run_config(run_dir, EXAMPLE, "har_lstm.py", "--run",
                                  needs=("data", "seed", "dry_run"))
    return runs.load_model(run_dir, "har_lstm.py", "--run"), config


def load_test_split(config: dict, data_dir: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """The run's own test windows: its data set (or the one in `data_dir`), dry-run subset
    included."""
    if data_dir is None:
        source = Path(config["data"])
        if not source.exists():
            raise UserError(f"the run's data set {source} is not there any more; pass "
                            "--data-dir with the folder that holds it now")
        arrays = load_har(source, data.writable_dir(source.parent))
    else:
        arrays, _, _ = load_data(data_dir, explicit=True)
    if config["dry_run"]:
        arrays = dry_run_subset(arrays, config["seed"])
    return arrays["x_test"], arrays["y_test"]


def run_predict(args: argparse.Namespace) -> dict:
    recording = recordings.from_args(args)  # None without --csv
    model, config = restore_run(args.run)

    def probabilities_of(windows: np.ndarray) -> np.ndarray:
        return keras.ops.softmax(model.predict(windows, verbose=0)).numpy()

    probabilities = None  # --axes auto predicts them while it chooses
    if recording is not None and recording.axes == recordings.AUTO:
        recording, probabilities = recordings.choose_turn(recording, probabilities_of)
        print(f"--axes auto: {recording.axes}")
    if recording is None:
        x_test, y_test = load_test_split(config, args.data_dir)
        probabilities = probabilities_of(x_test)
        predicted = probabilities.argmax(axis=1)
        accuracy = float((predicted == y_test).mean())
        print(f"Test accuracy: {accuracy:.4f} ({len(y_test)} windows)")
        for true, guess, p in list(zip(y_test, predicted, probabilities))[:args.samples]:
            print(f"true {LABELS[true]:<20} predicted {LABELS[guess]:<20} {p[guess]:.4f}")
        return {"test_accuracy": accuracy, "predicted": predicted.tolist()}

    for note in recording.notes():  # resampling, pauses, a phone worn another way
        print(note)
    if probabilities is None:
        probabilities = probabilities_of(recording.windows)
    predicted, seconds = probabilities.argmax(axis=1), recording.start_seconds
    out_dir = runs.make_run_dir("predict", args.output_dir, parent=Path(args.run) / "predict")
    rows = [["start_s", "activity", "probability"]]
    for start, guess, p in zip(seconds, predicted, probabilities):
        print(f"{start:8.2f} s  {LABELS[guess]:<20} {p[guess]:.4f}")
        rows.append([f"{start:.2f}", LABELS[guess], f"{p[guess]:.4f}"])
    runs.write_csv_rows(out_dir / "predictions.csv", rows)
    lines = {"predicted": predicted}
    result = {"output_dir": out_dir, "windows": len(predicted),
              "activities": [LABELS[i] for i in predicted], "labels": recording.labels,
              "axes": recording.axes}
    if recording.labels is not None:  # the label at each window's middle, where there is one
        true = label_ids(recording.labels)
        known = true >= 0
        if known.any():
            result["agreement"] = float((predicted[known] == true[known]).mean())
            print(f"Agreement with the recording's activity column: {result['agreement']:.4f} "
                  f"({known.sum()} labelled windows)")
            lines["activity column"] = np.where(known, true, np.nan)
    plotting.plot_timeline(out_dir / "activity_timeline.png", seconds, lines, LABELS,
                           title=f"Activity per 2.56 s window: {Path(args.csv).name}",
                           gaps=recording.gaps)
    print(f"Predictions: {out_dir / 'predictions.csv'}")
    return result


"""## Export: TensorFlow Lite for a phone"""


def run_export(args: argparse.Namespace) -> dict:
    """model.tflite (builtin ops only; the normalisation is inside the model), then the
    exported file run on the whole test split with the TensorFlow Lite interpreter."""
    model, config = restore_run(args.run)
    x_test, y_test = load_test_split(config, args.data_dir)
    return tflite.export_and_check(model, args.run, x_test, y_test, quantize=args.quantize)


"""## Command line"""


def build_parser() -> argparse.ArgumentParser:
    parser = cli.build_parser("har_lstm.py", __doc__, PRESETS)
    parser.add_argument("--patience", type=cli.non_negative_int,
                        help="epochs without validation improvement before stopping, 0 for no "
                             "early stopping " + cli.preset_default(PRESETS, "patience"))
    predict = cli.add_command(parser, "predict", "a trained run's activities for its test "
                                                 "split or for a phone recording (--csv)")
    export = cli.add_command(parser, "export", "TensorFlow Lite model of a trained run "
                                               "(builtin ops only), checked on the test split")
    for command in (predict, export):
        command.add_argument("--run", type=Path, required=True, metavar="RUN_DIR",
                             help="run folder of har_lstm.py")
        command.add_argument("--data-dir", type=Path, default=None,
                             help="folder of the data set for the test split (default: the "
                                  "one the run was trained on)")
    recordings.add_arguments(predict)  # --csv, --rate, --acc-unit, --axes
    predict.add_argument("--samples", type=cli.positive_int, default=10,
                         help="test windows to show (default: 10)")
    predict.add_argument("--output-dir", type=Path, default=None,
                         help="folder for predictions.csv and activity_timeline.png, absent "
                              "or empty (default: RUN_DIR/predict/<timestamp>)")
    export.add_argument("--quantize", action="store_true",
                        help="dynamic-range quantisation: 8-bit weights, about a quarter of "
                             "the size (default: off)")
    return parser


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, EXAMPLE, train=run_training, predict=run_predict,
                       export=run_export)


if __name__ == "__main__":
    main()
