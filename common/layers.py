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
class MeanOfPieces(keras.layers.Layer):
    """(batch, words, pieces, features) -> (batch, words, features): each word's vector is the
    mean of its pieces' vectors (padding pieces left out); a word with no piece is masked."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=2)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        total = ops.sum(inputs * weights, axis=2)
        return total / ops.maximum(ops.sum(weights, axis=2), ops.cast(1, inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else ops.any(mask, axis=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], input_shape[3])
