"""Imported by each script before TensorFlow: quiet start-up, and the folders Keras and
matplotlib would otherwise create in the home directory (~/.keras, ~/.config/matplotlib)
moved into this project's cache folder, so a run writes only to its run, data and cache
folders. A user's own settings (already set variables) win. `check_versions`: the oldest
TensorFlow, Keras and pandas the scripts run on, checked before any work."""

import os
import re
from importlib import metadata

from common.data import cache_dir
from common.errors import UserError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter quiet
os.environ.setdefault("KERAS_HOME", str(cache_dir() / "keras"))
os.environ.setdefault("MPLCONFIGDIR", str(cache_dir() / "matplotlib"))

# The oldest versions the whole test suite passes on (2026-12-07): before Keras 3.7,
# BackupAndRestore lacks double_checkpoint (--resume relies on it); before 3.10, training
# under tf.distribute fails; TensorFlow 2.16's Lite converter aborts on these models.
# pandas 1.5 has no format="mixed", so a CSV's dates would silently be lost (pyproject asks
# for 2.2.2, the first built for NumPy 2 too; older ones fail loudly beside it, on import).
MINIMUM_VERSIONS = {"tensorflow": (2, 18), "keras": (3, 10), "pandas": (2, 0)}
NOT_INSTALLED = "not installed"  # package_versions' value for a missing package


def package_versions(names) -> dict[str, str]:
    """Each installed distribution's version by its PyPI name (read from its metadata, not
    imported), "not installed" where missing."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = NOT_INSTALLED
    return versions


def check_versions() -> None:
    """A UserError when the installed TensorFlow, Keras or pandas is older than
    MINIMUM_VERSIONS (a package installed under another name, such as tensorflow-cpu, is not
    checked)."""
    for package, installed in package_versions(MINIMUM_VERSIONS).items():
        if installed == NOT_INSTALLED:
            continue
        minimum = MINIMUM_VERSIONS[package]
        if tuple(int(part) for part in re.findall(r"\d+", installed)[:2]) < minimum:
            wanted = ".".join(map(str, minimum))
            raise UserError(f"{package} {installed} is installed and these scripts need "
                            f"{package} >= {wanted}; upgrade with: pip install -e . (or pip "
                            f"install -U '{package}>={wanted}')")
