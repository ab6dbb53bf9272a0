"""Free ports: the kernel may hand the same port out twice before it is bound; the harness
never gives one port to two listeners."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from onex_services import ports

pytestmark = pytest.mark.unit


class _Kernel:
    """A socket whose bind to port 0 gets the next port of a fixed sequence."""

    handed: Iterator[int] = iter(())

    def __init__(self, *_args: Any) -> None:
        self.port = 0

    def __enter__(self) -> _Kernel:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def bind(self, _address: tuple[str, int]) -> None:
        self.port = next(self.handed)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


def test_a_port_the_kernel_hands_out_twice_is_not_given_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _Kernel.handed = iter([41001, 41001, 41002])
    monkeypatch.setattr("onex_services.ports.socket.socket", _Kernel)
    assert [ports.free_port(), ports.free_port()] == [41001, 41002]


def test_real_free_ports_of_a_broker_are_distinct() -> None:
    handed = [ports.free_port() for _ in range(10)]  # a broker's listeners and slots
    assert len(set(handed)) == len(handed)
