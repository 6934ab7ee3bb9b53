"""common/download.py against a real HTTP server on 127.0.0.1 (never the network)."""

import hashlib
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from common.download import DownloadError, download
from conftest import ROOT

BODY = b"sms spam archive bytes " * 1000
BODY_SHA = hashlib.sha256(BODY).hexdigest()


class Handler(BaseHTTPRequestHandler):
    flaky_hits = 0
    slow_hits = 0
    ranges: list = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        if self.path == "/good":
            self._send(200, BODY)
        elif self.path == "/other-bytes":
            self._send(200, BODY.upper())
        elif self.path == "/truncated":  # always drops, and ignores Range
            self._drop_mid_body()
        elif self.path == "/drop-then-range":  # drops mid-body unless asked for a range
            Handler.ranges.append(self.headers.get("Range"))
            if self.headers.get("Range"):
                start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(BODY) - 1}/{len(BODY)}")
                self.send_header("Content-Length", str(len(BODY) - start))
                self.end_headers()
                self.wfile.write(BODY[start:])
            else:
                self._drop_mid_body()
        elif self.path == "/slow":  # about a second per download
            Handler.slow_hits += 1
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            for start in range(0, len(BODY), len(BODY) // 20):
                self.wfile.write(BODY[start:start + len(BODY) // 20])
                self.wfile.flush()
                time.sleep(0.05)
        elif self.path == "/flaky":
            Handler.flaky_hits += 1
            if Handler.flaky_hits == 1:
                self._send(503, b"try later")
            else:
                self._send(200, BODY)
        else:
            self._send(404, b"not found")

    def _drop_mid_body(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[: len(BODY) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(urls, dest, **kwargs):
    kwargs.setdefault("retries", 2)
    return download(urls, dest, sha256=BODY_SHA, size=len(BODY), backoff_seconds=0.01,
                    timeout=(2, 5), **kwargs)


def assert_no_partial_files(folder: Path, allowed=()):
    """Only `allowed` besides the (empty) lock file that serialises downloads."""
    names = [p.name for p in folder.iterdir() if not p.name.endswith(".lock")]
    assert sorted(names) == sorted(allowed)


def test_success_writes_the_verified_file(server, tmp_path):
    dest = tmp_path / "archive.zip"
    assert fetch([f"{server}/good"], dest) == dest
    assert dest.read_bytes() == BODY
    assert_no_partial_files(tmp_path, ["archive.zip"])


def test_http_404_names_url_file_and_folder(server, tmp_path):
    dest = tmp_path / "archive.zip"
    with pytest.raises(DownloadError) as raised:
        fetch([f"{server}/missing"], dest)
    message = str(raised.value)
    assert "HTTP 404" in message and f"{server}/missing" in message
    assert "archive.zip" in message and str(dest) in message
    assert_no_partial_files(tmp_path)


def test_connection_refused(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dest = tmp_path / "archive.zip"
    with pytest.raises(DownloadError, match="cannot connect") as raised:
        fetch([f"http://127.0.0.1:{port}/good"], dest)
    assert_no_partial_files(tmp_path)
    message = str(raised.value)  # each URL once, with its number of tries
    assert message.count(f"http://127.0.0.1:{port}/good:") == 1 and "(2 tries)" in message


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    dest = tmp_path / "archive.zip"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch([f"{server}/other-bytes"], dest)
    assert_no_partial_files(tmp_path)


def test_truncated_body_keeps_only_the_hidden_partial_file(server, tmp_path):
    dest = tmp_path / "archive.zip"
    with pytest.raises(DownloadError, match="next run continues from there"):
        fetch([f"{server}/truncated"], dest)
    assert_no_partial_files(tmp_path, [".archive.zip.part"])  # never at the real name
    kept = (tmp_path / ".archive.zip.part").read_bytes()
    assert kept and BODY.startswith(kept)


def test_a_connection_dropped_mid_body_is_resumed_with_a_range_request(server, tmp_path):
    Handler.ranges = []
    dest = tmp_path / "archive.zip"
    fetch([f"{server}/drop-then-range"], dest)
    assert dest.read_bytes() == BODY
    [first, second] = Handler.ranges  # the whole file, then only what was missing
    assert first is None and second.startswith("bytes=") and second != "bytes=0-"
    assert_no_partial_files(tmp_path, ["archive.zip"])


def test_an_interrupted_run_is_continued_by_the_next_one(server, tmp_path):
    """A run stopped mid-download (Ctrl-C, crash) leaves .NAME.part; the next run resumes it."""
    Handler.ranges = []
    (tmp_path / ".archive.zip.part").write_bytes(BODY[:1000])
    fetch([f"{server}/drop-then-range"], tmp_path / "archive.zip")
    assert Handler.ranges == ["bytes=1000-"]
    assert (tmp_path / "archive.zip").read_bytes() == BODY


def test_a_server_ignoring_range_restarts_the_download_cleanly(server, tmp_path):
    (tmp_path / ".archive.zip.part").write_bytes(b"stale bytes of another attempt")
    fetch([f"{server}/good"], tmp_path / "archive.zip")  # answers 200 with the whole file
    assert (tmp_path / "archive.zip").read_bytes() == BODY
    assert_no_partial_files(tmp_path, ["archive.zip"])


def test_two_processes_downloading_the_same_file_do_not_corrupt_it(server, tmp_path):
    Handler.slow_hits = 0
    dest = tmp_path / "archive.zip"
    code = ("import sys; from common.download import download; "
            f"download([{server + '/slow'!r}], {str(dest)!r}, sha256={BODY_SHA!r}, "
            f"size={len(BODY)}, backoff_seconds=0.01, timeout=(2, 10)); print('done')")
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
    try:
        outputs = [p.communicate(timeout=60) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert dest.read_bytes() == BODY
    assert Handler.slow_hits == 1  # the second waited for the lock, then found the file
    assert any("Waiting for another process" in out for out, _ in outputs)
    assert_no_partial_files(tmp_path, ["archive.zip"])


def test_mirror_used_when_primary_fails(server, tmp_path):
    dest = tmp_path / "archive.zip"
    fetch([f"{server}/missing", f"{server}/good"], dest)
    assert dest.read_bytes() == BODY


def test_transient_error_is_retried(server, tmp_path):
    Handler.flaky_hits = 0
    dest = tmp_path / "archive.zip"
    fetch([f"{server}/flaky"], dest, retries=2)
    assert Handler.flaky_hits == 2 and dest.read_bytes() == BODY


def test_a_good_file_is_kept_when_a_new_download_fails(server, tmp_path):
    dest = tmp_path / "archive.zip"
    dest.write_bytes(b"the user's file")
    with pytest.raises(DownloadError):
        fetch([f"{server}/other-bytes"], dest)
    assert dest.read_bytes() == b"the user's file"
    assert_no_partial_files(tmp_path, ["archive.zip"])
