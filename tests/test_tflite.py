"""common/tflite.py: builtin-ops export of recurrent models, and running the exported file."""

import keras
import numpy as np
import pytest

from common import tflite


def recurrent_model(inputs_as_list=False):
    inputs = keras.Input((16, 4))
    x = keras.layers.Normalization(mean=[0.5] * 4, variance=[2.0] * 4)(inputs)
    x = keras.layers.Conv1D(8, 3, padding="same", activation="relu")(x)
    x = keras.layers.LSTM(8, return_sequences=True)(x)
    x = keras.layers.Bidirectional(keras.layers.GRU(6))(x)
    return keras.Model([inputs] if inputs_as_list else inputs, keras.layers.Dense(3)(x))


@pytest.mark.parametrize("quantize", [False, True])
def test_a_recurrent_model_exports_with_builtin_ops_and_gives_keras_outputs(quantize):
    model = recurrent_model()
    x = np.random.default_rng(0).normal(size=(5, 16, 4)).astype("float32")
    content = tflite.convert(model, quantize=quantize)
    assert not any(name.startswith("Flex") for name in tflite.operators(content))
    outputs, seconds = tflite.run(content, x)
    assert outputs.shape == (5, 3) and seconds > 0
    np.testing.assert_allclose(outputs, model.predict(x, verbose=0), atol=1e-4 if not quantize else 0.05)


@pytest.mark.parametrize("inputs_as_list", [False, True])  # as Keras 3.10 loads a model
def test_the_batch_of_one_copy_keeps_the_weights(inputs_as_list):
    model = recurrent_model(inputs_as_list)
    single = tflite.with_batch_of_one(model)
    assert single.input_shape == (1, 16, 4)
    x = [np.ones((1, 16, 4), "float32")] if inputs_as_list else np.ones((1, 16, 4), "float32")
    np.testing.assert_allclose(single(x), model(x), atol=1e-6)
