"""Where the data sets come from and where they are kept.

`--data-dir` is searched first, so a copy put there by hand works offline; downloads land
there too, or in a writable cache folder when the data folder is read-only.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from common.download import download, sha256_of
from common.errors import UserError

if TYPE_CHECKING:
    import pandas as pd


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


SMS_SPAM = DataSet(
    name="UCI SMS Spam Collection",
    sources=(Source(
        file_name="smsspamcollection.zip",
        urls=("https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip",
              "http://archive.ics.uci.edu/ml/machine-learning-databases/00228/smsspamcollection.zip"),
        sha256="1587ea43e58e82b14ff1f5425c88e17f8496bfcdb67a583dbff9eefaf9963ce3",
        size=203_415,
    ),),
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
)
UCI_HAR_FOLDER = "UCI HAR Dataset"
UCI_HAR_INNER_ZIP = "UCI HAR Dataset.zip"  # the primary download wraps the chapter's archive
# This project's rebuild from the raw recordings (no URL: used only from an explicit --data-dir).
UCI_HAR_REBUILT = Source(file_name="UCI_HAR_rebuilt.zip", urls=(), size=35_756_517,
                         sha256="a172ca8389d448394286cad9d58765f07eb0351b763a0ebc8fba47f1f12dcd5e")


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


def read_lines(path: Path, what: str) -> list[str]:
    """The lines of a UTF-8 text file; a missing or undecodable file is a one-line error."""
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file; put the {what} there or pass --data-dir") from None
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def _read_csv_text(path: Path, flag: str):
    """Every cell of a CSV file as text (header row included); unreadable files are one-line
    errors naming `flag` and the file."""
    import pandas as pd  # here: only the CSV readers need it

    try:
        separator = _separator(path)
        table = pd.read_csv(path, header=None, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig", skipinitialspace=True, sep=separator)
        if separator != ",":  # a spreadsheet saved in a locale that writes 1,5 for 1.5
            table = table.replace(r"^(\s*[-+]?\d*),(\d+\s*)$", r"\1.\2", regex=True)
        return table
    except FileNotFoundError:
        raise UserError(f"{flag} {path}: no such file; pass the path of a CSV file") from None
    except IsADirectoryError:
        raise UserError(f"{flag} {path}: a folder, not a file; pass the path of a CSV file "
                        "in it") from None
    except PermissionError:
        raise UserError(f"{flag} {path}: not readable (permission denied); pass a file you "
                        "may read") from None
    except UnicodeDecodeError:
        raise UserError(f"{flag} {path}: not UTF-8 text; save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise UserError(f"{flag} {path}: the file is empty; pass a CSV with one value per "
                        "row") from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[-1]
        raise UserError(f"{flag} {path}: not a readable CSV file ({reason})") from None


def _separator(path: Path) -> str:
    """The first line's most frequent of comma, semicolon (spreadsheets in locales with a
    decimal comma) and tab; a comma when it has none of them."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        first_line = handle.readline()
    counts = {separator: first_line.count(separator) for separator in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _numbers(cells, path: Path, first_row: int, column: str, dtype: str = "float32") -> np.ndarray:
    """A column's text cells as `dtype`; the first that is not a number (a short row's
    cell is empty) is a one-line error naming its row and column."""
    values = []
    for number, cell in enumerate(cells, start=first_row):
        value = _number(cell.strip())
        if value is None:
            shown = cell.strip() or "an empty cell"
            raise UserError(f"{path} row {number}, column {column}: {shown!r} is not a number; "
                            "fix or remove the row")
        values.append(value)
    return np.array(values, dtype=dtype)


def read_csv_column(path: Path, column: str, flag: str = "--csv") -> pd.Series:
    """One numeric column of a CSV file, by header name or 0-based index, with or without a
    header row; indexed by date (index name "month") when another column holds dates. Bad
    cells are one-line errors naming the file, row and column."""
    import pandas as pd

    path = Path(path)
    table = _read_csv_text(path, flag)
    first_row = [str(cell).strip() for cell in table.iloc[0]]
    if column.lstrip("-").isdigit():
        index = int(column)
        has_header = -len(first_row) <= index < len(first_row) and _number(first_row[index]) is None
    else:
        if column not in first_row:
            raise UserError(f"{path}: no column named {column!r} ({', '.join(first_row)}); "
                            "pass --column with a name from the header or a 0-based index")
        index, has_header = first_row.index(column), True
    rows = table.iloc[1:] if has_header else table
    first_number = 2 if has_header else 1
    if not -table.shape[1] <= index < table.shape[1]:
        raise UserError(f"{path} row {first_number}: no column {column} (the row has "
                        f"{table.shape[1]} columns); fix the row or pass another --column")
    cells = rows.iloc[:, index]
    return pd.Series(_numbers(cells, path, first_number, column),
                     index=_dates(rows.drop(columns=cells.name)), dtype="float32",
                     name=first_row[index] if has_header else f"column {column}")


def read_csv_columns(path: Path, names: Sequence[str], flag: str = "--csv",
                     text_column: str | None = None, time_column: str | None = None):
    """The named numeric columns of a CSV file with a header row, as (rows, len(names));
    the text cells of `text_column` and the float64 numbers of `time_column` (seconds
    since 1970 keep their milliseconds) when the file has those columns, else None; other
    columns are ignored. A missing numeric column or a bad cell is a one-line error."""
    path = Path(path)
    table = _read_csv_text(path, flag)
    header = [str(cell).strip() for cell in table.iloc[0]]
    missing = [name for name in names if name not in header]
    if missing:
        raise UserError(f"{flag} {path}: no column {missing[0]!r} in the header "
                        f"({', '.join(header)}); the file needs the columns {', '.join(names)}")
    rows = table.iloc[1:]
    numbers = np.column_stack([_numbers(rows.iloc[:, header.index(name)], path, 2, name)
                               for name in names]).reshape(len(rows), len(names))
    text = times = None
    if text_column in header:
        text = [str(cell).strip() for cell in rows.iloc[:, header.index(text_column)]]
    if time_column in header:
        times = _numbers(rows.iloc[:, header.index(time_column)], path, 2, time_column, "float64")
    return numbers, text, times


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _dates(other_columns):
    """The first column whose every cell is a date with a year (the bundled `Month`:
    1949-01), else None (month numbers). Labels such as "m0" or "Jan" parse as the year 1
    and are not dates."""
    import pandas as pd

    for _, cells in other_columns.items():
        cells = cells.fillna("").str.strip()
        if pd.to_numeric(cells, errors="coerce").notna().all():  # numbers, not dates
            continue
        dates = pd.to_datetime(cells, errors="coerce", format="mixed")
        if dates.notna().all() and (dates.dt.year > 1).all():
            return pd.DatetimeIndex(_past_century(dates, cells), name="month")
    return None


def _past_century(dates, cells):
    """Two-digit years ("Jan-49") are read as 2049; observations that all lie in the future
    and never spell their year out in full belong to the century before (1949)."""
    import pandas as pd

    spelled = any(str(year) in cell for year, cell in zip(dates.dt.year, cells))
    if spelled or not (dates > pd.Timestamp.now()).all():
        return dates
    past = dates - pd.DateOffset(years=100)
    print(f"Dates such as {cells.iloc[0]!r} have a two-digit year; read as {past.min():%Y-%m} "
          f"to {past.max():%Y-%m}, since {dates.min():%Y} has not come yet")
    return past


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


"""## The UCI HAR archive: folder, zip, or zip inside a zip, and an array cache"""


class ArchiveReader:
    """Reads `UCI HAR Dataset/...` files from a folder, a zip, or the zip inside a zip."""

    def __init__(self, source: Path):
        self.source = Path(source)
        self.folder, self.archive = None, None
        if self.source.is_dir():
            inner = self.source / UCI_HAR_FOLDER
            self.folder = inner if inner.is_dir() else self.source
            return
        try:
            archive = zipfile.ZipFile(self.source)
            if UCI_HAR_INNER_ZIP in archive.namelist():
                archive = zipfile.ZipFile(io.BytesIO(archive.read(UCI_HAR_INNER_ZIP)))
        except zipfile.BadZipFile:
            raise UserError(f"{self.source} is not a zip archive; delete it and run again to "
                            "download the UCI HAR Dataset") from None
        self.archive = archive

    def read(self, member: str) -> str:
        try:
            if self.folder is not None:
                return (self.folder / member).read_text()
            return self.archive.read(f"{UCI_HAR_FOLDER}/{member}").decode()
        except (FileNotFoundError, KeyError):
            raise UserError(f"{self.source}: missing {UCI_HAR_FOLDER}/{member}; the data set is "
                            "incomplete, replace it with the original archive") from None

    def numbers(self, member: str, columns: int) -> np.ndarray:
        """A file of whitespace-separated numbers as (rows, columns); much faster than
        np.loadtxt."""
        try:
            values = np.array(self.read(member).split(), dtype="float32")
        except ValueError:
            raise UserError(f"{self.source}: {member} holds text that is not numbers; replace "
                            "the data set") from None
        if values.size == 0 or values.size % columns:
            raise UserError(f"{self.source}: {member} does not have {columns} values per row; "
                            "replace the data set")
        return values.reshape(-1, columns)


def locate_uci_har(data_dir: Path, explicit: bool,
                   members: Sequence[str]) -> tuple[Path, str, str | None]:
    """The data set in `data_dir`, verified: an extracted folder holding every one of
    `members`, the original archive (either download), or, only when --data-dir is given,
    the project's rebuilt archive (its reference bytes, or a whole one built elsewhere:
    _checked_rebuild). Downloads the original when none is there. Returns the path, a
    description for the printout, and an archive's sha256 (None for a folder), which keys
    its cache without hashing it again."""
    data_dir = check_data_dir(data_dir)
    folder = data_dir / UCI_HAR_FOLDER
    if (folder / "train").is_dir():
        missing = [m for m in members if not (folder / m).is_file()]
        if not missing:
            return folder, "UCI HAR Dataset (extracted folder)", None
        # Half extracted (an interrupted unzip): never trusted; the archive, if here, is.
        try:
            archive = locate(UCI_HAR, data_dir, allow_download=False)
        except UserError:
            raise UserError(f"{folder} is incomplete (no {missing[0]}); extract the archive "
                            "again, or delete the folder to download the data set") from None
        print(f"{folder} is incomplete (no {missing[0]}); reading {archive.name} instead")
        return archive, "UCI HAR Dataset (original archive)", _verified_sha256(archive)
    rebuilt = data_dir / UCI_HAR_REBUILT.file_name
    if explicit and rebuilt.is_file():
        return (rebuilt, *_checked_rebuild(rebuilt, members))
    archive = locate(UCI_HAR, data_dir)
    return archive, "UCI HAR Dataset (original archive)", _verified_sha256(archive)


def _checked_rebuild(rebuilt: Path, members: Sequence[str]) -> tuple[str, str]:
    """The rebuilt archive's description and sha256: the reference rebuild's bytes, or a
    whole archive holding every one of `members` whose bytes differ. The build script keeps
    such a zip with a warning where numpy/scipy's floating-point results differ on the
    machine (its filtered signals, in their last digits), so it is used with a note, and
    runs record its own sha256."""
    digest = sha256_of(rebuilt)
    if digest == UCI_HAR_REBUILT.sha256:
        return "rebuilt data set (UCI_HAR_rebuilt.zip)", digest
    try:
        with zipfile.ZipFile(rebuilt) as archive:
            whole = (archive.testzip() is None  # every member's CRC matches
                     and {f"{UCI_HAR_FOLDER}/{m}" for m in members} <= set(archive.namelist()))
    except (zipfile.BadZipFile, zlib.error, EOFError):
        whole = False
    if not whole:
        raise UserError(f"{rebuilt} is damaged or incomplete (sha256 {digest[:12]}..., not "
                        "the rebuild's); rebuild it with build_uci_har_rebuilt.py")
    print(f"{rebuilt}: not byte-identical to the reference rebuild (sha256 {digest[:12]}..., "
          f"expected {UCI_HAR_REBUILT.sha256[:12]}...), as the build warns where this "
          "machine's floating-point results differ; using it, figures may differ slightly")
    return (f"rebuilt data set (UCI_HAR_rebuilt.zip, sha256 {digest[:12]}..., not the "
            "reference bytes)", digest)


def _verified_sha256(archive: Path) -> str:
    """The sha256 `locate` checked `archive` against (it returns only matching files)."""
    return next(s.sha256 for s in UCI_HAR.sources if s.file_name == archive.name)


def source_key(source: Path, members: Sequence[str]) -> str:
    """What a cache of `source` is keyed by: an archive's sha256, or a folder's file sizes
    and times."""
    if source.is_file():
        return sha256_of(source)
    digest, folder = hashlib.sha256(), ArchiveReader(source).folder
    for member in members:
        path = folder / member
        if path.is_file():
            stat = path.stat()
            digest.update(f"{member}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def cached_arrays(cache: Path, key: str, build: Callable[[], dict[str, np.ndarray]],
                  version: int = 1) -> dict[str, np.ndarray]:
    """`build()`'s arrays, kept in the compressed .npz `cache` with `key`: a missing, stale
    or damaged cache is rebuilt, never trusted."""
    stamp = f"{version}:{key}"
    try:
        with np.load(cache) as stored:
            arrays = {name: stored[name] for name in stored.files}
        if str(arrays.pop("key")) == stamp:
            return arrays
        print(f"Cache {cache} is stale; rebuilding it")
    except FileNotFoundError:
        pass
    except Exception:  # truncated or corrupt file: np.load raises several types
        print(f"Cache {cache} is damaged; rebuilding it")
    arrays = build()
    cache.parent.mkdir(parents=True, exist_ok=True)
    temp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp.npz")
    np.savez_compressed(temp, key=np.array(stamp), **arrays)
    os.replace(temp, cache)  # atomic: a concurrent run never sees half a cache
    return arrays
