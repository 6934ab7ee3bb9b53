"""TensorFlow Lite export with builtin ops only, so the stock interpreter and Android's
runtime run the file without the Flex delegate, and the exported file run on this CPU.

A Keras 3 LSTM converts to builtin ops (a WHILE loop over the steps) only when the batch
size is static: with a dynamic batch the converter needs TensorList ops it lowers only with
Flex. So the model is rebuilt for a batch of one window, the trained weights copied in."""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from pathlib import Path

import numpy as np

from common import runs
from common.lazy import keras, tf


def with_batch_of_one(model: keras.Model) -> keras.Model:
    """The same layers and weights, taking exactly one input at a time."""
    inputs = keras.Input(batch_shape=(1, *model.input_shape[1:]), dtype=model.inputs[0].dtype)
    # In model.input's structure: a loaded model's is a list of one on some Keras versions.
    single = keras.models.clone_model(
        model, input_tensors=[inputs] if isinstance(model.input, list) else inputs)
    single.set_weights(model.get_weights())
    return single


def convert(model: keras.Model, quantize: bool = False) -> bytes:
    """The model as a .tflite flatbuffer; `quantize`: dynamic-range quantisation (weights
    stored as 8-bit integers, computed in float)."""
    converter = tf.lite.TFLiteConverter.from_keras_model(with_batch_of_one(model))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]  # no Flex
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    with contextlib.redirect_stdout(io.StringIO()):  # the signature Keras prints on export
        return converter.convert()


def interpreter(model_content: bytes):
    """LiteRT's interpreter (`pip install ai-edge-litert`), or TensorFlow's own, which
    TensorFlow deprecates in its favour."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = tf.lite.Interpreter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        runner = Interpreter(model_content=model_content)
    runner.allocate_tensors()
    return runner


def run(model_content: bytes, inputs: np.ndarray) -> tuple[np.ndarray, float]:
    """Every input through the exported model, one at a time as on a phone: the outputs
    and the mean seconds per input."""
    runner = interpreter(model_content)
    source, target = runner.get_input_details()[0], runner.get_output_details()[0]
    outputs, start = [], time.perf_counter()
    for item in inputs:
        runner.set_tensor(source["index"], item[None].astype(source["dtype"]))
        runner.invoke()
        outputs.append(runner.get_tensor(target["index"])[0].copy())
    seconds = (time.perf_counter() - start) / max(len(inputs), 1)
    return np.array(outputs), seconds


def operators(model_content: bytes) -> set[str]:
    """The names of the operators in the file (builtin ones are upper case, e.g. WHILE)."""
    runner = interpreter(model_content)
    return {detail["op_name"] for detail in runner._get_ops_details()}


def export_and_check(model: keras.Model, run_dir: Path, x: np.ndarray, y: np.ndarray,
                     quantize: bool = False) -> dict:
    """RUN_DIR/model.tflite (or model_quantized.tflite), then that file run on every input of
    `x` with the interpreter: its accuracy on the labels `y` next to the Keras model's, its
    size and its latency, printed and written beside it as JSON."""
    content = convert(model, quantize=quantize)
    name = "model_quantized.tflite" if quantize else "model.tflite"
    runs.write_bytes(Path(run_dir) / name, content)
    outputs, seconds = run(content, x)
    keras_predicted = model.predict(x, verbose=0).argmax(axis=1)
    result = {"file": str(Path(run_dir) / name), "bytes": len(content), "quantized": quantize,
              "tflite_accuracy": float((outputs.argmax(axis=1) == y).mean()),
              "keras_accuracy": float((keras_predicted == y).mean()),
              "milliseconds_per_window": round(1000 * seconds, 3), "test_windows": len(y)}
    print(f"Wrote {result['file']}: {len(content) / 1024:.1f} KiB, builtin ops only")
    print(f"Test accuracy: TensorFlow Lite {result['tflite_accuracy']:.4f}, Keras "
          f"{result['keras_accuracy']:.4f} ({len(y)} windows)")
    print(f"Latency: {result['milliseconds_per_window']:.3f} ms per window on this CPU "
          "(one window at a time)")
    runs.write_json(Path(run_dir) / name.replace(".tflite", ".json"), result)
    return result
