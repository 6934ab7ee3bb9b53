"""GPU check: does each example train on the GPU, does it use the cuDNN kernels, and how much
faster is it than the CPU?

    python -m benchmarks.gpu_check --data-dir DIR        # DIR holds the UCI HAR data
    python -m benchmarks.gpu_check --examples spam,har --mixed-precision

For each example it (1) builds both presets' models on the first GPU and looks for the cuDNN
RNN op in the traced training step, and (2) runs the chapter preset for a few epochs with
`--device gpu` and with `--device cpu` (and with `--mixed-precision` on GPU when asked),
printing the steady time per epoch (the first epoch, which traces the graph, left out).
Without a GPU it says so and times the CPU only."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from benchmarks.harness import ROOT, SCRIPTS, comma_list, describe_machine, results_name
from common import cli
from common.lazy import keras, tf

EPOCHS = {"spam": 5, "airline": 3, "sentiment": 3, "har": 3}


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(prog="python -m benchmarks.gpu_check", description=__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=comma_list(list(SCRIPTS)), default=list(SCRIPTS),
                        help="examples to check (default: spam,airline,sentiment,har)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the UCI HAR data for har (default: the script's)")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="also time the GPU with --mixed-precision (default: off)")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "benchmarks" / "results",
                        help="where the JSON goes (default: benchmarks/results)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (default: off)")
    return parser


"""## Is the cuDNN kernel in the traced training step?"""


def sample_models(example: str):
    """(preset, model, one input batch) for both presets, built as the script builds them."""
    import airline_lstm
    import har_lstm
    import sentiment_lstm
    import spam_rnn

    rng = np.random.default_rng(0)
    for preset in ("chapter", "best"):
        if example == "spam":
            config = dict(spam_rnn.PRESETS[preset], preset=preset, seed=0)
            ids = rng.integers(2, 50, size=(32, config["sequence_length"]))
            ids[:, -5:] = 0  # right-padded, as TextVectorization pads
            inputs = {"word_ids": ids.astype("int64")}
            if config["char_sequence_length"]:
                chars = rng.integers(2, 30, size=(32, config["char_sequence_length"]))
                chars[:, -40:] = 0
                inputs["char_ids"] = chars.astype("int64")
            yield preset, spam_rnn.build_model(50, config, char_vocab_size=30), inputs
        elif example == "airline":
            config = dict(airline_lstm.PRESETS[preset], preset=preset, seed=0)
            yield preset, airline_lstm.build_model(config), rng.normal(
                size=(32, config["seq_size"], 1)).astype("float32")
        elif example == "sentiment":
            config = dict(sentiment_lstm.PRESETS[preset], preset=preset, seed=0)
            ids = rng.integers(2, 50, size=(32, 20))
            ids[:, -5:] = 0
            yield preset, sentiment_lstm.build_model(50, config), ids.astype("int64")
        else:
            config = dict(har_lstm.PRESETS[preset], preset=preset, seed=0)
            yield preset, har_lstm.build_model(config, np.zeros(9, "float32"),
                                               np.ones(9, "float32")), rng.normal(
                size=(32, 128, 9)).astype("float32")


def op_types(graph_def) -> set[str]:
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops |= {node.op for node in function.node_def}
    return ops


def recurrent_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            yield from (layer.forward_layer, layer.backward_layer)
        elif isinstance(layer, keras.layers.RNN):
            yield layer


def cudnn_report(example: str, device: str = "/GPU:0") -> dict[str, str]:
    report = {}
    for preset, model, batch in sample_models(example):
        kinds = sorted({type(layer).__name__ for layer in recurrent_layers(model)})

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.cast(model(x, training=True), "float32"))
            return tape.gradient(loss, model.trainable_variables)

        with tf.device(device):
            batch = tf.nest.map_structure(tf.constant, batch)
            concrete = step.get_concrete_function(batch)
            step(batch)  # run it once too: a bad mask would fail here
        used = any(op.startswith("CudnnRNN") for op in op_types(concrete.graph.as_graph_def()))
        if used:
            report[preset] = f"yes ({', '.join(kinds)})"
        elif kinds == ["SimpleRNN"]:
            report[preset] = "no: SimpleRNN has no cuDNN kernel (the chapter's cell)"
        else:
            report[preset] = f"NO ({', '.join(kinds)}): check the layer settings"
    return report


"""## Time per epoch on GPU and CPU"""


def time_epochs(example: str, device: str, args, extra: Sequence[str] = ()) -> dict:
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as scratch:
        run_dir = Path(scratch) / "run"
        command = [sys.executable, SCRIPTS[example], "--preset", "chapter", "--seed", "0",
                   "--epochs", str(EPOCHS[example]), "--device", device,
                   "--output-dir", str(run_dir), *extra]
        if example == "har" and args.data_dir is not None:
            command += ["--data-dir", str(args.data_dir)]
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
        wall = time.perf_counter() - start
        if result.returncode != 0 or not (run_dir / "metrics.json").is_file():
            lines = (result.stderr or result.stdout).strip().splitlines()
            return {"status": "failed", "error": lines[-1][:200] if lines else "no output"}
        metrics = json.loads((run_dir / "metrics.json").read_text())
    return {"status": "ok", "steady_seconds_per_epoch": metrics["steady_seconds_per_epoch"],
            "wall_seconds": round(wall, 1),
            "device": metrics["device"], "epochs": metrics["epochs"]}


def run(args: argparse.Namespace) -> dict:
    machine = describe_machine()
    build = tf.sysconfig.get_build_info()
    print(f"Machine: {machine['description']}")
    print(f"TensorFlow {tf.__version__} (CUDA {build.get('cuda_version', '-')}, cuDNN "
          f"{build.get('cudnn_version', '-')}), Keras {machine['keras']}")
    has_gpu = bool(machine["gpus"])
    if not has_gpu:
        print("No GPU visible to TensorFlow: timing the CPU only; no cuDNN check possible.")
    results = {"machine": machine, "cuda": build.get("cuda_version"),
               "cudnn": build.get("cudnn_version"), "examples": {}}
    for example in args.examples:
        row = {"cudnn": cudnn_report(example) if has_gpu else "n/a (no GPU)"}
        runs = [("cpu", "cpu", ())]
        if has_gpu:
            runs = [("gpu", "gpu", ())] + ([("gpu_mixed", "gpu", ("--mixed-precision",))]
                                           if args.mixed_precision else []) + runs
        for name, device, extra in runs:
            print(f"[gpu check] {example}: chapter preset, {EPOCHS[example]} epochs on "
                  f"{name}", flush=True)
            row[name] = time_epochs(example, device, args, extra)
        results["examples"][example] = row
    print_table(results)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{results_name(machine, False)}-gpu-check.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {path}")
    return results


def print_table(results: dict) -> None:
    print("\n| example | cuDNN (chapter / best preset) | s/epoch GPU | s/epoch GPU mixed | "
          "s/epoch CPU | GPU speed-up |")
    print("| --- | --- | --- | --- | --- | --- |")

    def cell(run):
        if not run:
            return "-"
        return f"{run['steady_seconds_per_epoch']:.3f}" if run["status"] == "ok" else \
            f"failed: {run['error']}"

    for example, row in results["examples"].items():
        cudnn = row["cudnn"] if isinstance(row["cudnn"], str) else \
            f"{row['cudnn']['chapter']} / {row['cudnn']['best']}"
        gpu, cpu = row.get("gpu"), row.get("cpu")
        speedup = "-"
        if gpu and cpu and gpu["status"] == cpu["status"] == "ok":
            speedup = f"{cpu['steady_seconds_per_epoch'] / gpu['steady_seconds_per_epoch']:.1f}x"
        print(f"| {example} | {cudnn} | {cell(gpu)} | {cell(row.get('gpu_mixed'))} | "
              f"{cell(cpu)} | {speedup} |")


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, train=run)


if __name__ == "__main__":
    main()
