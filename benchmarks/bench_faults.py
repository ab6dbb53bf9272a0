"""Network fault speed: adding and removing a toxic, and a PostgreSQL round trip through a
scenario's proxy (no toxic) against a direct one.

Runs PostgreSQL and Toxiproxy on the process backend in state and run directories of its own
(the shared stack is not touched) and prints figures next to the targets of issue 16; it
asserts nothing.

    python benchmarks/bench_faults.py [--toxic-rounds 50] [--queries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

import asyncpg
from bench_services import _ms
from onex_services.catalog import kind_spec
from onex_services.kinds.toxiproxy.proxies import NamespaceProxies
from onex_services.models import ServiceKind
from private_stack import private_manager

TARGET_TOXIC_MS = 20.0
TARGET_PROXY_EXTRA_MS = 0.3
NAMESPACE = "bench_faults"


def _line(name: str, value: str, target: str) -> None:
    print(f"  {name:<44} {value:>30}   (target {target})")


async def _toxic_rounds(proxies: NamespaceProxies, rounds: int) -> tuple[list[float], list[float]]:
    """What a `latency` fault step and its heal do: one toxic added, then removed."""
    added, removed = [], []
    for n in range(rounds):
        name = f"bench-{n}"
        started = time.perf_counter()
        await proxies.add_toxic("postgres", name, "latency", {"latency": 1}, "downstream")
        added.append(time.perf_counter() - started)
        started = time.perf_counter()
        await proxies.remove_toxic("postgres", name)
        removed.append(time.perf_counter() - started)
    return added, removed


async def _round_trips(url: str, queries: int) -> list[float]:
    connection = await asyncpg.connect(url)
    try:
        for _ in range(50):  # warm up
            await connection.fetchval("SELECT 1")
        times = []
        for _ in range(queries):
            started = time.perf_counter()
            await connection.fetchval("SELECT 1")
            times.append(time.perf_counter() - started)
        return times
    finally:
        await connection.close()


async def main(toxic_rounds: int, queries: int) -> None:
    print(f"network fault benchmark (process backend, {os.cpu_count()} cores)")
    with private_manager() as manager:
        try:
            lease = await manager.up(["postgres", "toxiproxy"])
            postgres = lease.endpoints[ServiceKind("postgres")]
            proxies = NamespaceProxies(lease.endpoints[ServiceKind("toxiproxy")].url, NAMESPACE)
            route = await proxies.route(
                "postgres",
                postgres.url,
                kind_spec("postgres").vocabulary,
                {},
                (postgres.host, postgres.port),
            )
            added, removed = await _toxic_rounds(proxies, toxic_rounds)
            _line("add a toxic (latency fault on)", _ms(added), f"<= {TARGET_TOXIC_MS:.0f} ms")
            _line("remove a toxic (heal)", _ms(removed), f"<= {TARGET_TOXIC_MS:.0f} ms")
            # Interleaved halves, so a load change on this shared machine hits both sides alike.
            direct: list[float] = []
            proxied: list[float] = []
            for _ in range(4):
                direct += await _round_trips(postgres.url, queries // 4)
                proxied += await _round_trips(route.url, queries // 4)
            direct_ms, proxied_ms = (
                statistics.median(direct) * 1000,
                statistics.median(proxied) * 1000,
            )
            extra, ratio = proxied_ms - direct_ms, proxied_ms / direct_ms
            _line("PostgreSQL SELECT 1, direct", _ms(direct), "-")
            _line("PostgreSQL SELECT 1, through the proxy", _ms(proxied), "-")
            _line(
                "proxy cost per round trip (median)",
                f"+{extra:.3f} ms ({direct_ms:.3f} -> {proxied_ms:.3f}, x{ratio:.2f})",
                f"<= +{TARGET_PROXY_EXTRA_MS} ms",
            )
            await proxies.remove_all()
        finally:
            await manager.down(force=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--toxic-rounds", type=int, default=50)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.toxic_rounds, args.queries))
