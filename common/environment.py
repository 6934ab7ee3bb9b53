"""Imported by each script before TensorFlow: quiet start-up, and the folders Keras and
matplotlib would otherwise create in the home directory (~/.keras, ~/.config/matplotlib)
moved into this project's cache folder, so a run writes only to its run, data and cache
folders. A user's own settings (already set variables) win."""

import os

from common.data import cache_dir

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter quiet
os.environ.setdefault("KERAS_HOME", str(cache_dir() / "keras"))
os.environ.setdefault("MPLCONFIGDIR", str(cache_dir() / "matplotlib"))
