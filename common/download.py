"""Safe downloads: streamed, with timeouts, retries with back-off, and checksum-verified
before the file is renamed into place. A partial or corrupt file never sits where a good
one is expected."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import requests

from common.errors import UserError

CHUNK_BYTES = 1 << 16
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


def _fetch_once(url: str, temp_path: Path, timeout: tuple[float, float]) -> tuple[str, int]:
    """Stream `url` into `temp_path`; return its sha256 and size."""
    try:
        response = requests.get(url, stream=True, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _Transient(f"cannot connect ({type(error).__name__})") from error
    with response:
        if response.status_code in RETRY_STATUS:
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise DownloadError(f"HTTP {response.status_code}")
        total = int(response.headers.get("Content-Length") or 0)
        progress = None
        if total >= PROGRESS_BAR_MIN_BYTES:
            from keras.utils import Progbar  # heavy import, only for large files

            progress = Progbar(total, unit_name="byte")
        digest, size = hashlib.sha256(), 0
        try:
            with open(temp_path, "wb") as handle:
                for chunk in response.iter_content(CHUNK_BYTES):
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress.update(size)
        except (requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as error:
            raise _Transient(f"connection dropped after {size} bytes") from error
        if total and size != total:
            raise _Transient(f"got {size} of {total} bytes")
    return digest.hexdigest(), size


def download(urls: list[str], destination: Path, sha256: str, size: int | None = None,
             retries: int = 3, backoff_seconds: float = 2.0,
             timeout: tuple[float, float] = (10.0, 60.0)) -> Path:
    """Download the first URL that gives the expected bytes to `destination`.

    The bytes go to a temporary file beside `destination` and are renamed into place only
    once their sha256 (and size, when known) match. Raises DownloadError naming the URLs,
    the file and where to put a copy by hand.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    reasons = []
    for url in urls:
        for attempt in range(1, retries + 1):
            handle, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.",
                                                 suffix=".part", dir=destination.parent)
            os.close(handle)
            temp_path = Path(temp_name)
            try:
                got_sha, got_size = _fetch_once(url, temp_path, timeout)
                if size is not None and got_size != size:
                    reasons.append(f"{url}: size {got_size} bytes, expected {size}")
                    break  # the server answered: retrying gives the same wrong file
                if got_sha != sha256:
                    reasons.append(f"{url}: checksum mismatch (sha256 {got_sha})")
                    break
                os.replace(temp_path, destination)
                return destination
            except _Transient as error:
                reasons.append(f"{url}: {error}")
                if attempt < retries:
                    time.sleep(backoff_seconds * 2 ** (attempt - 1))
            except DownloadError as error:
                reasons.append(f"{url}: {error}")
                break
            finally:
                temp_path.unlink(missing_ok=True)
    raise DownloadError(
        f"could not download {destination.name} ({'; '.join(reasons)}); "
        f"download it by hand from {urls[0]} and put it at {destination}")
