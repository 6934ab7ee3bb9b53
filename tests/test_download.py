"""common/download.py against a real HTTP server on 127.0.0.1 (never the network)."""

import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from common.download import DownloadError, download

BODY = b"sms spam archive bytes " * 1000
BODY_SHA = hashlib.sha256(BODY).hexdigest()


class Handler(BaseHTTPRequestHandler):
    flaky_hits = 0

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        if self.path == "/good":
            self._send(200, BODY)
        elif self.path == "/other-bytes":
            self._send(200, BODY.upper())
        elif self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif self.path == "/flaky":
            Handler.flaky_hits += 1
            if Handler.flaky_hits == 1:
                self._send(503, b"try later")
            else:
                self._send(200, BODY)
        else:
            self._send(404, b"not found")

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
    assert sorted(p.name for p in folder.iterdir()) == sorted(allowed)


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
    with pytest.raises(DownloadError, match="cannot connect"):
        fetch([f"http://127.0.0.1:{port}/good"], dest)
    assert_no_partial_files(tmp_path)


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    dest = tmp_path / "archive.zip"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch([f"{server}/other-bytes"], dest)
    assert_no_partial_files(tmp_path)


def test_truncated_body_leaves_nothing(server, tmp_path):
    dest = tmp_path / "archive.zip"
    with pytest.raises(DownloadError, match="archive.zip"):
        fetch([f"{server}/truncated"], dest)
    assert_no_partial_files(tmp_path)


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
