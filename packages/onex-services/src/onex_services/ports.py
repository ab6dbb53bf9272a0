"""Free ports and port checks on the loopback interface."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import threading

LOOPBACK = "127.0.0.1"


# Ports handed out lately by this process. The kernel may hand the same free port out twice in
# a row, before the first caller has bound it: a broker given one port for two of its listeners
# then refuses to start ("two listeners on the same port"), as a production-like run once met.
_RECENT: collections.deque[int] = collections.deque(maxlen=256)
_RECENT_LOCK = threading.Lock()


def free_port(host: str = LOOPBACK) -> int:
    """A port the kernel just handed out on `host`, never one this process handed out lately;
    the caller binds it soon after."""
    with _RECENT_LOCK:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port: int = sock.getsockname()[1]
            if port not in _RECENT:
                _RECENT.append(port)
                return port


def port_accepts(host: str, port: int, timeout: float = 0.2) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_is_free(host: str, port: int) -> bool:
    """True when a server could listen on host:port right now.

    SO_REUSEADDR as the servers set it: connections of a killed server linger in TIME_WAIT on
    its port, which stops a plain bind but not a server restarting there.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


async def port_accepts_async(host: str, port: int, timeout_s: float = 0.2) -> bool:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
