"""The live dashboard: the report's page served on 127.0.0.1, fed the run's event stream over
server-sent events while the run writes it.

Only the standard library (`http.server` in a thread): the server tails the JSON-lines file
(already redacted by its writer) and forwards each complete line as one SSE message whose id is
the line number, so a browser that reconnects resumes where it was instead of replaying the run.
The same server reopens a finished run (`onex dashboard REPORT_DIR`): the page then shows its
final state.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from onex_runner.ui import page

POLL_S = 0.1
KEEPALIVE_S = 10.0
TITLE = "ONEX run dashboard"


class DashboardServer:
    """Serves one event-stream file; `start()` returns the URL (a free port chosen by the OS)."""

    def __init__(self, events: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.events = events
        self._stopping = threading.Event()
        self._open_streams = 0
        self._drained = threading.Condition()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()
        return self.url

    def stream_opened(self) -> None:
        with self._drained:
            self._open_streams += 1

    def stream_closed(self) -> None:
        with self._drained:
            self._open_streams -= 1
            self._drained.notify_all()

    def stop(self, drain_s: float = 3.0) -> None:
        """Stop serving; pages that are connected get the stream's last lines first (the
        final state), or `drain_s` passes."""
        self._stopping.set()
        with self._drained:
            self._drained.wait_for(lambda: self._open_streams == 0, timeout=drain_s)
        self._shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _shutdown(self) -> None:
        """`shutdown()` without its wait: the serving loop sleeps in `select` up to its poll
        interval before it sees the request to stop (a tenth of a second on average, which was
        most of what `--dashboard` added to a short run), so connections of our own wake it
        until it has stopped."""
        if self._thread is None:
            return
        waiter = threading.Thread(target=self._httpd.shutdown, daemon=True)
        waiter.start()
        address = self._httpd.server_address[:2]
        while waiter.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection((str(address[0]), int(address[1])), timeout=1).close()
            waiter.join(0.005)


class _Handler(BaseHTTPRequestHandler):
    server_state: ClassVar[DashboardServer]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows the run, not every request of the page."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":
            body = page(TITLE, live=True).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
        elif path == "/events":
            self._stream()
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _stream(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        resume = self.headers.get("Last-Event-ID", "")
        sent = int(resume) + 1 if resume.isdigit() else 0
        self.server_state.stream_opened()
        try:
            self._follow(sent)
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed
        finally:
            self.server_state.stream_closed()

    def _follow(self, sent: int) -> None:
        state = self.server_state
        line_no, buffer, offset = 0, "", 0
        quiet_since = time.monotonic()
        while True:
            stopping = state.stopping  # read before the file: what was written by then is sent
            chunk = _read_from(state.events, offset)
            if chunk:
                offset += len(chunk.encode())
                buffer += chunk
                *lines, buffer = buffer.split("\n")  # the last part is incomplete (or empty)
                out = []
                for line in lines:
                    if line_no >= sent and line.strip():
                        out.append(f"id: {line_no}\ndata: {line}\n\n")
                    line_no += 1
                if out:
                    self.wfile.write("".join(out).encode())
                    self.wfile.flush()
                    quiet_since = time.monotonic()
                    continue
            if stopping:
                return
            if time.monotonic() - quiet_since > KEEPALIVE_S:
                self.wfile.write(b": still here\n\n")
                self.wfile.flush()
                quiet_since = time.monotonic()
            time.sleep(POLL_S)


def _read_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as file:
            file.seek(offset)
            data = file.read()
    except FileNotFoundError:
        return ""
    # A write may end inside a multi-byte character: keep only whole characters for now.
    for cut in range(len(data), max(len(data) - 4, 0), -1):
        try:
            return data[:cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""
