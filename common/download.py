"""Safe downloads: streamed, with timeouts, retries with back-off, resumed after a dropped
connection or an interrupted run, one process at a time, and checksum-verified before the
file is renamed into place. A partial or corrupt file never sits where a good one is
expected."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

import requests

from common.errors import UserError

CHUNK_BYTES = 1 << 16
STREAM_BYTES = 1 << 13  # a dropped connection loses at most this much of what arrived
PROGRESS_BAR_MIN_BYTES = 5 << 20  # small files download silently
RETRY_STATUS = {429, 500, 502, 503, 504}


class DownloadError(UserError):
    """No URL gave a good copy of the file."""


class _Transient(Exception):
    """A failure worth retrying (connection drop, timeout, 5xx)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch_once(url: str, partial: Path, timeout: tuple[float, float]) -> None:
    """Stream `url` into `partial`, continuing after the bytes already there when the server
    honours a Range request (HTTP 206) and starting over when it does not (HTTP 200)."""
    have = partial.stat().st_size if partial.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = requests.get(url, stream=True, timeout=timeout, headers=headers)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _Transient(f"cannot connect ({type(error).__name__})") from error
    with response:
        if response.status_code == 416:  # the partial file is longer than the file: restart
            partial.unlink(missing_ok=True)
            raise _Transient("HTTP 416 for the partial download; starting over")
        if response.status_code in RETRY_STATUS:
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code not in (200, 206):
            raise DownloadError(f"HTTP {response.status_code}")
        if response.status_code == 200:
            have = 0  # the server sent the whole file
        total = have + int(response.headers.get("Content-Length") or 0)
        progress = None
        if total >= PROGRESS_BAR_MIN_BYTES:
            from keras.utils import Progbar  # heavy import, only for large files

            progress = Progbar(total, unit_name="byte")
        size = have
        try:
            with open(partial, "ab" if have else "wb") as handle:
                for chunk in response.iter_content(STREAM_BYTES):
                    handle.write(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress.update(size)
        except (requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as error:
            raise _Transient(f"connection dropped after {size} bytes") from error
        if total > have and size != total:
            raise _Transient(f"got {size} of {total} bytes")


@contextlib.contextmanager
def _exclusive(destination: Path):
    """One download of a file at a time, across processes (lock file `.NAME.lock` beside it);
    the others wait, then find it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock
        yield
        return
    with open(destination.with_name(f".{destination.name}.lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Waiting for another process downloading {destination.name} ...", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def download(urls: list[str], destination: Path, sha256: str, size: int | None = None,
             retries: int = 3, backoff_seconds: float = 2.0,
             timeout: tuple[float, float] = (10.0, 60.0)) -> Path:
    """Download the first URL that gives the expected bytes to `destination`.

    The bytes go to `.NAME.part` beside `destination` and are renamed into place only once
    their sha256 (and size, when known) match. A dropped connection, Ctrl-C or a crash leaves
    the partial file, and the next attempt (a retry, or the next run) continues it. A lock
    file keeps two processes from downloading the same file at once. Raises DownloadError
    naming the URLs, the file and where to put a copy by hand.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.part")
    with _exclusive(destination):
        if destination.is_file() and sha256_of(destination) == sha256:
            return destination  # another process finished it while this one waited
        reasons = {}  # url -> its last failure, said once however many tries it had
        for url in urls:
            for attempt in range(1, retries + 1):
                try:
                    _fetch_once(url, partial, timeout)
                    got_size = partial.stat().st_size
                    if size is not None and got_size != size:
                        raise DownloadError(f"size {got_size} bytes, expected {size}")
                    got_sha = sha256_of(partial)
                    if got_sha != sha256:
                        raise DownloadError(f"checksum mismatch (sha256 {got_sha})")
                    os.replace(partial, destination)
                    return destination
                except _Transient as error:
                    tries = f" ({attempt} tries)" if attempt > 1 else ""
                    reasons[url] = f"{url}: {error}{tries}"
                    if attempt < retries:
                        time.sleep(backoff_seconds * 2 ** (attempt - 1))
                except DownloadError as error:  # the server answered: retrying gives the same
                    reasons[url] = f"{url}: {error}"
                    partial.unlink(missing_ok=True)
                    break
    kept = (f"; the {partial.stat().st_size} bytes received are kept in {partial} and the "
            "next run continues from there") if partial.is_file() else ""
    raise DownloadError(
        f"could not download {destination.name} ({'; '.join(reasons.values())}){kept}; "
        f"download it by hand from {urls[0]} and put it at {destination}")
