"""Shards: split the selected scenarios into N groups of about equal duration, one per CI machine.

`I/N` (1-based, `--shard` of `onex run`, `--onex-shard` of the pytest plugin, or `ONEX_SHARD`)
names shard I of N. The weights are the median durations recorded in the run history (see
`history.recorded_durations`); an item with no record weighs the median of those that have one
(1 when none has), so with no history at all the shards hold equal numbers of items.

The split is the longest-processing-time rule: heaviest item first, each to the lightest shard,
ties broken by key and by shard number. It depends only on the keys and the weights, never on the
order items were found in or on the machine, so every shard computes the same partition and their
union is the whole selection with no item in two shards.
"""

from __future__ import annotations

import os
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

SHARD_ENV = "ONEX_SHARD"
_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
T = TypeVar("T")


class ShardSpecError(ValueError):
    """A shard spec that names no shard (`0/4`, `5/4`, `a/b`)."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as written
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str, source: str = "--shard") -> Shard:
    """`I/N` with 1 <= I <= N; a ShardSpecError that says what was expected otherwise."""
    found = _SPEC.fullmatch(text)
    if found is None:
        raise ShardSpecError(f"{source} {text!r}: expected I/N, e.g. 1/4 (shard 1 of 4)")
    index, total = int(found.group(1)), int(found.group(2))
    if total < 1:
        raise ShardSpecError(f"{source} {text!r}: the number of shards must be at least 1")
    if not 1 <= index <= total:
        raise ShardSpecError(f"{source} {text!r}: the shard must be between 1 and {total}")
    return Shard(index, total)


def shard_from(given: str | None, environ: Mapping[str, str] | None = None) -> Shard | None:
    """The shard asked for on the command line, else in $ONEX_SHARD; None for the whole suite."""
    if given:
        return parse_shard(given)
    value = (os.environ if environ is None else environ).get(SHARD_ENV, "").strip()
    return parse_shard(value, SHARD_ENV) if value else None


def partition(weights: Mapping[str, float], total: int) -> list[list[str]]:
    """The keys of `weights` in `total` groups of about equal weight (see the module docstring)."""
    loads = [0.0] * total
    groups: list[list[str]] = [[] for _ in range(total)]
    for key in sorted(weights, key=lambda k: (-weights[k], k)):
        lightest = min(range(total), key=lambda i: (loads[i], i))
        groups[lightest].append(key)
        loads[lightest] += weights[key]
    return groups


def weights_of(keys: Sequence[str], recorded: Mapping[str, float]) -> dict[str, float]:
    """Recorded durations for the keys that have one, the median of those for the others."""
    known = [recorded[k] for k in keys if k in recorded]
    fallback = statistics.median(known) if known else 1.0
    return {key: max(recorded.get(key, fallback), 0.0) for key in keys}


def take_shard(
    items: Sequence[T], key: Callable[[T], str], shard: Shard, recorded: Mapping[str, float]
) -> list[T]:
    """The items of `shard`, in their original order. Keys must be unique."""
    keys = [key(item) for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("shard keys must be unique")
    mine = set(partition(weights_of(keys, recorded), shard.total)[shard.index - 1])
    return [item for item, k in zip(items, keys, strict=True) if k in mine]


def path_key(path: Path | str, root: Path | None = None) -> str:
    """A scenario file as the history and the split know it: relative to `root` (default: the
    working folder) when inside it, with forward slashes, so machines with other checkouts agree."""
    resolved = Path(path).resolve()
    base = (root or Path.cwd()).resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return resolved.as_posix()
