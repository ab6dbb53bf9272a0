"""Way 3: the harness's shared stack (started before the run, on the same local images through
the compose backend) and a namespace per test (`onex_test_namespace`)."""

from __future__ import annotations

import pytest
from onex_services.namespace_pool import ScopedNamespace
from peer_work import tests, work

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]


@pytest.mark.parametrize("index", tests())
def test_work(onex_test_namespace: ScopedNamespace, index: int) -> None:
    ns = onex_test_namespace
    work(ns.dsn, ns.url("redis"), ns.key(""))
