"""Device selection in one place: a GPU whenever TensorFlow sees one, unless told otherwise."""

from __future__ import annotations

import os

import tensorflow as tf

from common.errors import UserError


def select_device(choice: str = "auto") -> str:
    """Apply `--device auto|cpu|gpu` and return a one-line description of where training runs.

    Must run before TensorFlow touches a GPU (visible devices cannot change afterwards).
    """
    gpus = tf.config.list_physical_devices("GPU")
    if choice == "gpu" and not gpus:
        raise UserError("--device gpu: TensorFlow sees no GPU; install the GPU build with "
                        "pip install -e \".[gpu]\" or use --device auto")
    if choice == "cpu" and gpus:
        tf.config.set_visible_devices([], "GPU")
        gpus = []
    if gpus:
        for gpu in gpus:
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass  # already initialised by an earlier run in this process
        name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)
        more = f" (+{len(gpus) - 1} more)" if len(gpus) > 1 else ""
        return f"GPU: {name}{more}"
    return f"CPU ({os.cpu_count()} cores)"
