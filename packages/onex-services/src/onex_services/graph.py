"""The dependency graph of a stack: which service needs which, in what order they start.

Edges come from the kinds (`KindSpec.depends_on`: Kafka Connect needs Kafka) and may be added
by a scenario (`external_services.<name>.depends_on`). One graph per stack: the nodes are kind
names, because a stack runs one server per kind. A cycle is refused with its chain named
(`a -> b -> a`); an edge to a kind nobody registered is refused with the known kinds listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from onex_scenario.dependencies import find_cycle


class DependencyError(ValueError):
    """A graph that cannot be started: a cycle, or an edge to an unknown service."""


class DependencyCycleError(DependencyError):
    """Services that depend on each other in a ring; `chain` starts and ends on one of them."""

    def __init__(self, chain: Sequence[str]) -> None:
        self.chain = tuple(chain)
        super().__init__(f"dependency cycle: {' -> '.join(self.chain)}")


@dataclass(frozen=True)
class ServiceGraph:
    """`needs[node]` are the nodes `node` depends on directly (each one a node too)."""

    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        kind_needs: Mapping[str, Iterable[str]],
        extra: Mapping[str, Iterable[str]] | None = None,
    ) -> ServiceGraph:
        """The graph of `kind_needs` plus `extra` edges; raises `DependencyError` for an edge
        to an unknown node and `DependencyCycleError` for a cycle."""
        merged: dict[str, list[str]] = {node: list(deps) for node, deps in kind_needs.items()}
        for node, deps in (extra or {}).items():
            targets = merged.setdefault(node, [])
            targets.extend(dep for dep in deps if dep not in targets)
        for node, deps in merged.items():
            for dep in deps:
                if dep not in merged:
                    known = ", ".join(sorted(merged))
                    raise DependencyError(
                        f"{node} depends on {dep!r}, which is not a service kind (known: {known})"
                    )
        graph = cls({node: tuple(sorted(set(deps))) for node, deps in sorted(merged.items())})
        cycle = find_cycle(graph.needs)
        if cycle is not None:
            raise DependencyCycleError(cycle)
        return graph

    def closure(self, nodes: Iterable[str]) -> list[str]:
        """`nodes` and everything they depend on, dependencies first (topological order)."""
        wanted: set[str] = set()
        todo = list(nodes)
        while todo:
            node = todo.pop()
            if node not in wanted:
                wanted.add(node)
                todo.extend(self.needs.get(node, ()))
        return [node for node in self.order() if node in wanted]

    def order(self) -> list[str]:
        """Every node after all it depends on; ties in name order (a stable plan)."""
        return [node for layer in self.layers() for node in layer]

    def layers(self, nodes: Iterable[str] | None = None) -> list[list[str]]:
        """Waves of `nodes` (default: all) that may start together: each wave needs only earlier
        waves (edges to nodes outside `nodes` are left out)."""
        chosen = set(self.needs if nodes is None else nodes)
        pending = set(chosen)
        done: set[str] = set()
        waves: list[list[str]] = []
        while pending:
            wave = sorted(
                node
                for node in pending
                if all(dep in done for dep in self.needs.get(node, ()) if dep in chosen)
            )
            if not wave:  # cannot happen for a graph `build` accepted
                raise DependencyCycleError(find_cycle(self.needs) or sorted(pending))
            waves.append(wave)
            done.update(wave)
            pending.difference_update(wave)
        return waves

    def dependants(self, node: str) -> list[str]:
        """Every node that depends on `node`, directly or through others, in start order."""
        found = {node}
        changed = True
        while changed:
            changed = False
            for other, deps in self.needs.items():
                if other not in found and found.intersection(deps):
                    found.add(other)
                    changed = True
        return [other for other in self.order() if other in found and other != node]

    def edges(self) -> list[tuple[str, str]]:
        """(dependant, dependency) pairs, sorted."""
        return [(node, dep) for node, deps in self.needs.items() for dep in deps]
