"""
Title: Human activity recognition with a stacked LSTM (UCI HAR)
Chapter section: "LSTM model and human activity recognition" (LSTM 模型和人类活动识别)
Description: the chapter's 2x32 stacked LSTM over the nine raw inertial signals of the UCI HAR
data set, rewritten with Keras 3: per-step Dense(32, ReLU) -> LSTM(32) -> LSTM(32) -> Dense(6),
softmax cross-entropy + L2, then accuracy, weighted precision/recall/F1 and a confusion matrix.

    python har_lstm.py                          # downloads the UCI HAR archive on first run
    python har_lstm.py --data-dir DIR           # DIR holds the archive or "UCI HAR Dataset/"
    python har_lstm.py --preset best            # Conv1D front end + bidirectional LSTM

Each run writes training_progress.png, confusion_matrix.png, history.csv, metrics.json,
config.json and model.keras to a new run folder.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Sequence

import common.environment  # noqa: E402,F401 - first: quiet TensorFlow, no writes to ~/.keras

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402
from sklearn import metrics as sk_metrics  # noqa: E402

from common import cli, data, device, plotting, resume, runs  # noqa: E402
from common.errors import Interrupted, UserError  # noqa: E402

EXAMPLE = "har"
FOLDER = "UCI HAR Dataset"
INNER_ZIP = "UCI HAR Dataset.zip"  # the primary download wraps the chapter's archive
REBUILT = data.Source(file_name="UCI_HAR_rebuilt.zip", urls=(), size=35_756_517,
                      sha256="a172ca8389d448394286cad9d58765f07eb0351b763a0ebc8fba47f1f12dcd5e")
CACHE_VERSION = 1
DRY_RUN_WINDOWS = (300, 100)  # train, test

"""## Dataset description"""

INPUT_SIGNAL_TYPES = [
    "body_acc_x_", "body_acc_y_", "body_acc_z_",
    "body_gyro_x_", "body_gyro_y_", "body_gyro_z_",
    "total_acc_x_", "total_acc_y_", "total_acc_z_",
]
LABELS = ["WALKING", "WALKING_UPSTAIRS", "WALKING_DOWNSTAIRS", "SITTING", "STANDING", "LAYING"]


def _members(split: str) -> list[str]:
    signals = [f"{split}/Inertial Signals/{signal}{split}.txt" for signal in INPUT_SIGNAL_TYPES]
    return signals + [f"{split}/y_{split}.txt", f"{split}/subject_{split}.txt"]


class _Reader:
    """Reads `UCI HAR Dataset/...` files from a folder, a zip, or the zip inside a zip."""

    def __init__(self, source: Path):
        self.source = Path(source)
        self.folder, self.archive = None, None
        if self.source.is_dir():
            self.folder = self.source / FOLDER if (self.source / FOLDER).is_dir() else self.source
            return
        try:
            archive = zipfile.ZipFile(self.source)
            if INNER_ZIP in archive.namelist():
                archive = zipfile.ZipFile(io.BytesIO(archive.read(INNER_ZIP)))
        except zipfile.BadZipFile:
            raise UserError(f"{self.source} is not a zip archive; delete it and run again to "
                            "download the UCI HAR Dataset") from None
        self.archive = archive

    def read(self, member: str) -> str:
        try:
            if self.folder is not None:
                return (self.folder / member).read_text()
            return self.archive.read(f"{FOLDER}/{member}").decode()
        except (FileNotFoundError, KeyError):
            raise UserError(f"{self.source}: missing {FOLDER}/{member}; the data set is "
                            "incomplete, replace it with the original archive") from None


def _parse(text: str, member: str, source: Path, columns: int) -> np.ndarray:
    """Whitespace-separated numbers -> (rows, columns); much faster than np.loadtxt."""
    try:
        values = np.array(text.split(), dtype="float32")
    except ValueError:
        raise UserError(f"{source}: {member} holds text that is not numbers; replace the "
                        "data set") from None
    if values.size == 0 or values.size % columns:
        raise UserError(f"{source}: {member} does not have {columns} values per row; replace "
                        "the data set")
    return values.reshape(-1, columns)


def parse_split(reader: _Reader, split: str):
    """The chapter's load_X and load_y: signals (N, 128, 9) in INPUT_SIGNAL_TYPES order,
    labels 1..6 -> 0..5, and the subject of each window."""
    *signal_members, labels_member, subjects_member = _members(split)
    signals = [_parse(reader.read(m), m, reader.source, 128) for m in signal_members]
    labels = _parse(reader.read(labels_member), labels_member, reader.source, 1)[:, 0]
    subjects = _parse(reader.read(subjects_member), subjects_member, reader.source, 1)[:, 0]
    counts = {len(s) for s in signals} | {len(labels), len(subjects)}
    if len(counts) != 1:
        raise UserError(f"{reader.source}: the {split} files disagree on the number of windows "
                        f"({sorted(counts)}); replace the data set")
    if not np.isin(labels, np.arange(1, 7)).all():
        raise UserError(f"{reader.source}: {labels_member} holds labels outside 1..6")
    return np.stack(signals, axis=-1), labels.astype("int32") - 1, subjects.astype("int32")


def _source_key(source: Path) -> str:
    """What the cache is keyed by: the archive's sha256, or a folder's file sizes and times."""
    if source.is_file():
        return data.sha256_of(source)
    digest, folder = hashlib.sha256(), _Reader(source).folder
    for member in _members("train") + _members("test"):
        path = folder / member
        if path.is_file():
            stat = path.stat()
            digest.update(f"{member}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def load_har(source: Path, cache_dir: Path, key: str | None = None) -> dict[str, np.ndarray]:
    """Arrays for both splits, from `source` (archive or folder). Parsing the text takes a
    while, so the arrays are cached as a compressed .npz keyed by the source (`key`, when the
    caller already knows its sha256); a missing, stale or damaged cache is rebuilt, never
    trusted."""
    key = key or _source_key(source)
    cache = Path(cache_dir) / f"uci_har_{key[:16]}.npz"
    try:
        with np.load(cache) as stored:
            arrays = {name: stored[name] for name in stored.files}
        if str(arrays.pop("key")) == f"{CACHE_VERSION}:{key}":
            return arrays
        print(f"Cache {cache} is stale; rebuilding it")
    except FileNotFoundError:
        pass
    except Exception:  # truncated or corrupt file: np.load raises several types
        print(f"Cache {cache} is damaged; rebuilding it")
    reader = _Reader(source)
    arrays = {}
    for split in ("train", "test"):
        arrays[f"x_{split}"], arrays[f"y_{split}"], arrays[f"subject_{split}"] = parse_split(reader, split)
    cache.parent.mkdir(parents=True, exist_ok=True)
    temp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp.npz")
    np.savez_compressed(temp, key=np.array(f"{CACHE_VERSION}:{key}"), **arrays)
    os.replace(temp, cache)  # atomic: a concurrent run never sees half a cache
    return arrays


def find_source(data_dir: Path, explicit: bool) -> tuple[Path, str]:
    """The data set in `data_dir`, verified: an extracted folder, the original archive (either
    download), or, only when --data-dir is given, the project's rebuilt archive. Downloads the
    original when none is there."""
    data_dir = data.check_data_dir(data_dir)
    folder = data_dir / FOLDER
    if (folder / "train").is_dir():
        missing = [m for m in _members("train") + _members("test") if not (folder / m).is_file()]
        if not missing:
            return folder, "UCI HAR Dataset (extracted folder)"
        # Half extracted (an interrupted unzip): never trusted; the archive, if here, is.
        try:
            archive = data.locate(data.UCI_HAR, data_dir, allow_download=False)
        except UserError:
            raise UserError(f"{folder} is incomplete (no {missing[0]}); extract the archive "
                            "again, or delete the folder to download the data set") from None
        print(f"{folder} is incomplete (no {missing[0]}); reading {archive.name} instead")
        return archive, "UCI HAR Dataset (original archive)"
    if explicit and (data_dir / REBUILT.file_name).is_file():
        if data.sha256_of(data_dir / REBUILT.file_name) != REBUILT.sha256:
            raise UserError(f"{data_dir / REBUILT.file_name} has the wrong sha256; rebuild it "
                            "with build_uci_har_rebuilt.py")
        return data_dir / REBUILT.file_name, "rebuilt data set (UCI_HAR_rebuilt.zip)"
    return data.locate(data.UCI_HAR, data_dir), "UCI HAR Dataset (original archive)"


def load_data(data_dir: Path, explicit: bool) -> tuple[dict[str, np.ndarray], Path, str]:
    """find_source, then load_har (cached): the arrays, the source and its description."""
    source, source_name = find_source(data_dir, explicit=explicit)
    # find_source already verified an archive's sha256: it keys the cache without rehashing.
    verified = {s.file_name: s.sha256 for s in (*data.UCI_HAR.sources, REBUILT)}
    arrays = load_har(source, data.writable_dir(source.parent), key=verified.get(source.name))
    return arrays, source, source_name


"""## Workflow of the LSTM model for HAR: the network"""

PRESETS = {
    # The chapter: n_hidden 32, learning_rate 0.0025, lambda_loss_amount 0.0015,
    # batch_size 1500, 300 epochs (training_iters = 300 x 7352).
    "chapter": dict(epochs=300, batch_size=1500, learning_rate=0.0025, l2=0.0015, hidden=32,
                    architecture="chapter", validation_subjects=4, patience=0),
    # Ours: standardised channels with Gaussian noise in training, a Conv1D front end that
    # halves the sequence, a bidirectional LSTM, dropout, and early stopping on held-out
    # training subjects. Chosen on mean validation accuracy over seeds 0-2.
    "best": dict(epochs=60, batch_size=64, learning_rate=0.001, l2=0.0, hidden=64,
                 architecture="conv_bilstm", validation_subjects=4, patience=12),
}


def build_model(config: dict, mean=None, std=None) -> keras.Model:
    """The chapter's LSTM_RNN: per-step ReLU layer -> two stacked LSTM cells -> last output ->
    linear scores. `l2` is lambda_loss_amount on every weight (tf.nn.l2_loss halves the
    square, hence the / 2)."""
    l2 = keras.regularizers.L2(config["l2"] / 2) if config["l2"] else None
    weights = dict(kernel_regularizer=l2, bias_regularizer=l2)
    inputs = keras.Input(shape=(128, 9), name="signals")
    if config["architecture"] == "chapter":
        x = layers.Dense(config["hidden"], activation="relu", name="hidden", **weights)(inputs)
        x = layers.LSTM(config["hidden"], return_sequences=True, recurrent_regularizer=l2,
                        **weights)(x)
        x = layers.LSTM(config["hidden"], recurrent_regularizer=l2, **weights)(x)
    else:
        x = layers.Normalization(mean=mean, variance=None if std is None else std ** 2)(inputs)
        x = layers.GaussianNoise(0.1)(x)  # active only in training: subjects move differently
        x = layers.Conv1D(64, 5, padding="same", activation="relu")(x)
        x = layers.Conv1D(64, 5, padding="same", activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
        x = layers.Dropout(0.3)(x)
        x = layers.Bidirectional(layers.LSTM(config["hidden"]))(x)
        x = layers.Dropout(0.5)(x)
    scores = layers.Dense(len(LABELS), name="scores", dtype="float32", **weights)(x)
    model = keras.Model(inputs, scores, name=f"har_{config['architecture']}")
    model.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def split_validation(subjects: np.ndarray, count: int, seed: int) -> np.ndarray:
    """A mask of the training windows of `count` held-out training subjects (the chapter
    monitors the test set during training: fixed)."""
    chosen = np.random.default_rng(seed).choice(np.unique(subjects), size=count, replace=False)
    return np.isin(subjects, chosen)


"""## Implementing the LSTM model for HAR: training"""


class ChapterProgressLog(keras.callbacks.Callback):
    """'Training iter #N: Batch Loss = x, Accuracy = y' and the validation line, every
    30000 samples or so (the chapter's display_iter), and at the last epoch."""

    def __init__(self, n_train: int, epochs: int):
        super().__init__()
        self.n_train, self.epochs = n_train, epochs
        self.every = max(1, round(30000 / n_train))

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0 or (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs:
            print(f"Training iter #{(epoch + 1) * self.n_train}:   Batch Loss = "
                  f"{logs['loss']:.6f}, Accuracy = {logs['accuracy']:.4f}")
            print(f"PERFORMANCE ON VALIDATION SET: Batch Loss = {logs['val_loss']:.6f}, "
                  f"Accuracy = {logs['val_accuracy']:.4f}", flush=True)


def make_dataset(x, y, batch_size: int, seed: int | None = None) -> tf.data.Dataset:
    """Batches straight from the in-memory arrays (the chapter copies each batch sample by
    sample in Python: extract_batch_size)."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if seed is not None:
        dataset = dataset.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return device.for_strategy(dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE))


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
    runs.write_history_csv(run_dir / "history.csv", {
        "train_loss": history["loss"], "train_accuracy": history["accuracy"],
        "validation_loss": history["val_loss"], "validation_accuracy": history["val_accuracy"],
        "epoch_seconds": history["epoch_seconds"]})
    path = run_dir / "training_progress.png"
    iterations = [n_train * (i + 1) for i in range(len(history["loss"]))]
    return plotting.plot_lines(path, {
        "Train losses": (iterations, history["loss"]),
        "Train accuracies": (iterations, history["accuracy"]),
        "Validation losses": (iterations, history["val_loss"]),
        "Validation accuracies": (iterations, history["val_accuracy"])},
        title="Training session's progress over iterations", xlabel="Training iteration",
        ylabel="Training Progress (Loss or Accuracy values)",
        styles=("b--", "g--", "b-", "g-"))


"""## Putting it together"""


def run_training(argv: Sequence[str]) -> dict:
    parser = cli.build_parser("har_lstm.py", __doc__, PRESETS)
    parser.add_argument("--patience", type=cli.positive_int,
                        help="epochs without validation improvement before stopping "
                             + cli.preset_default(PRESETS, "patience") + "; 0 in the chapter "
                             "preset means no early stopping")
    args = cli.parse_training_args(parser, argv, EXAMPLE, "har_lstm.py")
    config = cli.resolve_config(args, PRESETS)
    explicit = any(a.startswith("--data-dir") for a in [*args.argv, *argv])
    arrays, source, source_name = load_data(args.data_dir, explicit=explicit)
    placement = device.configure(args.device, args.devices, args.mixed_precision)
    run_dir = runs.make_run_dir(EXAMPLE, args.output_dir, resume=bool(args.resume),
                                chief=placement.is_chief)
    print(f"Device: {placement.description}")
    print(f"Data: {source_name}: {source}")
    # Written first: --resume reads the run's command line from it.
    runs.write_config(run_dir, EXAMPLE, "har_lstm.py", args.argv, config, data=str(source),
                      data_source=source_name, device=placement.description)
    keras.utils.set_random_seed(config["seed"])

    x_train, y_train, subjects = arrays["x_train"], arrays["y_train"], arrays["subject_train"]
    x_test, y_test = arrays["x_test"], arrays["y_test"]
    if args.dry_run:
        n_train, n_test = DRY_RUN_WINDOWS
        rng = np.random.default_rng(config["seed"])
        pick, pick_test = rng.permutation(len(y_train))[:n_train], rng.permutation(len(y_test))[:n_test]
        x_train, y_train, subjects = x_train[pick], y_train[pick], subjects[pick]
        x_test, y_test = x_test[pick_test], y_test[pick_test]
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
    print(f"Training on {len(fit_y)} windows, validating on {len(val_y)} windows of "
          f"{len(np.unique(subjects[held_out]))} held-out training subjects")

    with placement.strategy.scope():  # variables and optimizer on every replica
        model = build_model(config, mean=fit_x.mean(axis=(0, 1)), std=fit_x.std(axis=(0, 1)))
    state = resume.TrainingState(run_dir / resume.BACKUP)
    callbacks = [ChapterProgressLog(len(fit_y), config["epochs"]), *state.callbacks()]
    if config["patience"]:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config["patience"], restore_best_weights=True))
    try:
        model.fit(make_dataset(fit_x, fit_y, config["batch_size"], seed=config["seed"]),
                  validation_data=make_dataset(val_x, val_y, 1024),
                  epochs=config["epochs"], callbacks=callbacks, verbose=0, shuffle=False)
    except KeyboardInterrupt:
        if state.epochs:
            save_history(state.history, len(fit_y), run_dir)
        raise Interrupted(run_dir, "har_lstm.py", state.epochs) from None
    history = state.history
    print("Optimization Finished!")

    _, val_accuracy = model.evaluate(val_x, val_y, batch_size=1024, verbose=0)
    metrics = evaluate(model, x_test, y_test)
    metrics["validation_accuracy"] = float(val_accuracy)
    epochs = len(history["loss"])
    metrics.update(epochs=epochs, **runs.timing(history), resumed_at_epoch=state.resumed_at,
                   device=placement.description, replicas=placement.replicas,
                   precision=placement.precision,
                   data_source=source_name, preset=config["preset"], seed=config["seed"],
                   train_windows=len(fit_y), validation_windows=len(val_y),
                   samples_seen=epochs * len(fit_y),
                   test_windows=len(y_test))
    save_history(history, len(fit_y), run_dir)
    plotting.plot_confusion_matrix(run_dir / "confusion_matrix.png", metrics["confusion_matrix"],
                                   LABELS, title="Confusion matrix (test set)")
    model.save(run_dir / "model.keras")
    runs.write_json(run_dir / "metrics.json", metrics)  # last: its presence marks a finished run
    print(f"Run folder: {run_dir}")
    return {"run_dir": run_dir, **metrics}


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(run_training, argv)


if __name__ == "__main__":
    main()
