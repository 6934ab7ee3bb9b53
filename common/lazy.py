"""TensorFlow, Keras and scikit-learn loaded on first use, so that `SCRIPT --help` answers at
once and quietly: `keras.layers.LSTM` imports Keras the first time it is read."""

from __future__ import annotations

import importlib
import types

import common.environment  # noqa: F401 - settings TensorFlow reads when it loads


class LazyModule(types.ModuleType):
    """Stands for the module `name`; reading any attribute imports it (once) and reads it."""

    def __init__(self, name: str):
        super().__init__(name)

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self.__name__), attribute)


keras = LazyModule("keras")
layers = LazyModule("keras.layers")
tf = LazyModule("tensorflow")
sk_metrics = LazyModule("sklearn.metrics")
