"""Where the data sets come from and where they are kept.

`--data-dir` is searched first, so a copy put there by hand works offline; downloads land
there too, or in a writable cache folder when the data folder is read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from common.download import download, sha256_of
from common.errors import UserError


@dataclass(frozen=True)
class Source:
    """One file that holds the data set: the URLs that serve its exact bytes, primary first."""

    file_name: str
    urls: tuple[str, ...]
    sha256: str
    size: int


@dataclass(frozen=True)
class DataSet:
    name: str
    sources: tuple[Source, ...]  # alternatives, preferred first
    members: tuple[str, ...]  # archive members the examples read


SMS_SPAM = DataSet(
    name="UCI SMS Spam Collection",
    sources=(Source(
        file_name="smsspamcollection.zip",
        urls=("https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip",
              "http://archive.ics.uci.edu/ml/machine-learning-databases/00228/smsspamcollection.zip"),
        sha256="1587ea43e58e82b14ff1f5425c88e17f8496bfcdb67a583dbff9eefaf9963ce3",
        size=203_415,
    ),),
    members=("SMSSpamCollection",),
)

UCI_HAR = DataSet(
    name="UCI HAR Dataset",
    sources=(
        Source(file_name="human+activity+recognition+using+smartphones.zip",
               urls=("https://archive.ics.uci.edu/static/public/240/human+activity+recognition+using+smartphones.zip",),
               sha256="c00b803081a5c797cd5e4b83700a9810b38d53d9d84e01917e090e1fdbc81031",
               size=61_005_872),  # holds the inner "UCI HAR Dataset.zip"
        Source(file_name="UCI HAR Dataset.zip",
               urls=("https://archive.ics.uci.edu/ml/machine-learning-databases/00240/UCI%20HAR%20Dataset.zip",),
               sha256="2045e435c955214b38145fb5fa00776c72814f01b203fec405152dac7d5bfeb0",
               size=60_999_314),  # the chapter's URL
    ),
    members=tuple(f"UCI HAR Dataset/{split}/Inertial Signals/{signal}_{axis}_{split}.txt"
                  for split in ("train", "test")
                  for signal in ("body_acc", "body_gyro", "total_acc") for axis in "xyz"),
)

DATASETS = {"sms_spam": SMS_SPAM, "uci_har": UCI_HAR}


def cache_dir() -> Path:
    """A writable folder for downloads and extracted caches when the data folder is not."""
    if os.environ.get("RNN_EXAMPLES_CACHE"):
        return Path(os.environ["RNN_EXAMPLES_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnn-examples"


def check_data_dir(data_dir: Path) -> Path:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UserError(f"--data-dir {data_dir} is not a folder; create it or pass the folder "
                        "that holds the data set")
    return data_dir


def writable_dir(data_dir: Path) -> Path:
    """`data_dir` when we may write there, else the cache folder (and say so once)."""
    if os.access(data_dir, os.W_OK):
        return data_dir
    fallback = cache_dir()
    fallback.mkdir(parents=True, exist_ok=True)
    print(f"Data folder {data_dir} is read-only; writing to {fallback} instead")
    return fallback


def _verified(path: Path, source: Source) -> bool:
    """True for a good copy; a copy with other bytes is an error, never silently replaced."""
    if not path.is_file():
        return False
    actual = sha256_of(path)
    if actual != source.sha256:
        raise UserError(
            f"{path} has sha256 {actual}, expected {source.sha256}: it is damaged or another "
            f"version; delete it to download it again, or replace it with {source.urls[0]}")
    return True


def locate(dataset: DataSet, data_dir: Path, allow_download: bool = True) -> Path:
    """Path of a verified copy of `dataset`, downloading it when no folder has one."""
    data_dir = check_data_dir(data_dir)
    for folder in dict.fromkeys([data_dir, cache_dir()]):
        for source in dataset.sources:
            if _verified(folder / source.file_name, source):
                return folder / source.file_name
    names = ", ".join(source.file_name for source in dataset.sources)
    if not allow_download:
        raise UserError(f"{dataset.name} not found in --data-dir {data_dir} (looked for {names})")
    target = writable_dir(data_dir)
    print(f"Downloading {dataset.name} to {target} ...")
    errors = []
    for source in dataset.sources:
        try:
            return download(list(source.urls), target / source.file_name,
                            sha256=source.sha256, size=source.size)
        except UserError as error:
            errors.append(str(error))
    raise UserError(" / ".join(errors))
