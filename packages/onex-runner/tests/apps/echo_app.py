"""A tiny stdlib HTTP app for the app-under-test tests: no harness code in it.

    python echo_app.py PORT [--exit-at-once] [--never-listen] [--ignore-sigterm] [--fork-child]

GET /healthz answers 200; POST /echo answers 201 with the JSON body and a few of its environment
variables (`ECHO_*`). It prints its pid, and "listening on PORT at=<epoch seconds>" once it
listens. Also the app of benchmarks/bench_app_start.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        print(f"request: {format % args}", flush=True)

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._answer(200, {"ok": True})
        else:
            self._answer(404, {"error": f"no route {self.path}"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length) or b"null")
        env = {k: v for k, v in os.environ.items() if k.startswith("ECHO_")}
        self._answer(201, {"sent": sent, "env": env, "path": self.path})


def main(argv: list[str]) -> int:
    port = int(argv[0])
    flags = set(argv[1:])
    print(f"pid={os.getpid()}", flush=True)
    if "--fork-child" in flags:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(f"child={child.pid}", flush=True)
    if "--ignore-sigterm" in flags:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if "--exit-at-once" in flags:
        print("giving up: bad configuration", flush=True)
        return 3
    if "--never-listen" in flags:
        while True:
            time.sleep(1)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    # The wall-clock moment it listens: benchmarks/bench_app_start.py reads it.
    print(f"listening on {port} at={time.time():.6f}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
