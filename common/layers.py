"""Layers Keras lacks. Imported on first use (it loads Keras), and before loading a saved model
that contains one."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="rnn_examples")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """The maximum over the real time steps of each sequence: masked (padded) steps never win.
    Keras' GlobalMaxPooling1D drops the mask and lets the padding's outputs into the max."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        lowest = ops.convert_to_tensor(-1e9 if inputs.dtype == "float32" else -6e4, inputs.dtype)
        return ops.max(ops.where(ops.expand_dims(mask, -1), inputs, lowest), axis=1)

    def compute_mask(self, inputs, mask=None):
        return None  # one vector per sequence: nothing left to mask

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="rnn_examples")
class SensorMagnitudes(keras.layers.Layer):
    """(..., 3k channels) -> (..., 4k): the channels, then the length of each consecutive
    3-axis group (x, y, z of one sensor). The length does not depend on how the phone is
    turned, which the axes do."""

    def call(self, inputs):
        lengths = [ops.sqrt(ops.sum(ops.square(inputs[..., i:i + 3]), axis=-1, keepdims=True))
                   for i in range(0, inputs.shape[-1], 3)]
        return ops.concatenate([inputs, *lengths], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 3 * 4)
