"""Where training runs, decided in one place: the device (a GPU whenever TensorFlow sees one),
the numeric precision, and the `tf.distribute` strategy:

- `MultiWorkerMirroredStrategy` when `TF_CONFIG` describes a cluster (several machines);
- `MirroredStrategy` when more than one GPU is visible, or over N logical CPU devices when
  `--devices N` asks for them (to test multi-device code without GPUs);
- the default strategy (one device) otherwise.

Batch sizes stay global: the flag's value is split across the replicas."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from common.errors import UserError
from common.lazy import keras, tf


@dataclass
class Placement:
    strategy: tf.distribute.Strategy
    description: str  # printed as "Device: ..." and stored in config.json / metrics.json
    precision: str = "float32"
    is_chief: bool = True  # only the chief writes the run folder (multi-worker training)

    @property
    def replicas(self) -> int:
        return self.strategy.num_replicas_in_sync


def _gpu_name(gpu) -> str:
    return tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)


def _logical_cpus(count: int) -> list[str]:
    """Split the CPU into `count` logical devices; only possible before TensorFlow starts."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    except RuntimeError:  # already initialised (a second run in one process)
        pass
    names = [device.name for device in tf.config.list_logical_devices("CPU")]
    if len(names) != count:
        raise UserError(f"--devices {count}: TensorFlow already started with {len(names)} CPU "
                        "device(s) in this process; run the script in a fresh process")
    return names


def _multi_worker(tf_config: str) -> tuple[tf.distribute.Strategy, str, bool]:
    try:
        cluster = json.loads(tf_config)
        task_type, task_id = cluster["task"]["type"], int(cluster["task"]["index"])
        workers = cluster["cluster"]
    except (ValueError, KeyError, TypeError):
        raise UserError("TF_CONFIG is not a JSON cluster description with \"cluster\" and "
                        "\"task\" (type, index); fix it or unset it to train on one machine") from None
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    _reduce_structures(strategy)
    # The chief (or worker 0 when no chief is named) writes the run folder.
    is_chief = task_type == "chief" or (task_type == "worker" and task_id == 0
                                        and "chief" not in workers)
    size = sum(len(addresses) for addresses in workers.values())
    role = " (chief)" if is_chief else ""
    return strategy, f"MultiWorkerMirroredStrategy, {task_type} {task_id}{role} of {size}", is_chief


def _reduce_structures(strategy: tf.distribute.Strategy) -> None:
    """Keras 3's fit asks MultiWorkerMirroredStrategy to reduce a whole (x, y) batch and scalar
    metrics along axis 0, which that strategy rejects (keras-team/keras#20585). Reduce each
    tensor on its own, and scalars without an axis."""
    reduce = strategy.reduce

    def reduce_each(reduce_op, value, axis=None):
        def one(v):
            local = strategy.experimental_local_results(v)[0]
            return reduce(reduce_op, v, axis=axis if local.shape.rank else None)
        return tf.nest.map_structure(one, value)

    strategy.reduce = reduce_each


def configure(device: str = "auto", devices: int | None = None,
              mixed_precision: bool = False) -> Placement:
    """Apply `--device auto|cpu|gpu`, `--devices N` and `--mixed-precision`; must run before
    TensorFlow executes anything (visible and logical devices cannot change afterwards)."""
    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise UserError("--device gpu: TensorFlow sees no GPU; install the GPU build with "
                        "pip install -e \".[gpu]\" or use --device auto")
    if devices is not None and device == "gpu":
        raise UserError("--devices splits the CPU into logical devices; drop it to use the "
                        "GPUs, or drop --device gpu")
    if (device == "cpu" or devices is not None) and gpus:
        tf.config.set_visible_devices([], "GPU")
        gpus = []
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass  # already initialised by an earlier run in this process

    is_chief = True
    if os.environ.get("TF_CONFIG"):
        strategy, description, is_chief = _multi_worker(os.environ["TF_CONFIG"])
    elif devices is not None and devices > 1:
        strategy = tf.distribute.MirroredStrategy(_logical_cpus(devices))
        description = f"MirroredStrategy over {devices} logical CPU devices"
    elif len(gpus) > 1:
        strategy = tf.distribute.MirroredStrategy()
        description = f"MirroredStrategy over {len(gpus)} GPUs ({_gpu_name(gpus[0])})"
    else:
        strategy = tf.distribute.get_strategy()
        description = f"GPU: {_gpu_name(gpus[0])}" if gpus else f"CPU ({os.cpu_count()} cores)"

    # float16 needs a GPU to be fast; bfloat16 is the CPU's half precision. Output layers and
    # losses stay float32 (each model's last layer says dtype="float32").
    precision = ("mixed_float16" if gpus else "mixed_bfloat16") if mixed_precision else "float32"
    keras.mixed_precision.set_global_policy(precision)
    if precision != "float32":
        description += f", {precision}"
    return Placement(strategy, description, precision, is_chief)
