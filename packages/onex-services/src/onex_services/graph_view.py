"""`onex services graph`: the stack's dependency graph with each node's state and health, as
terminal text or as Mermaid (for a README, an issue, or any page that renders Mermaid).

Nodes are the services of the stack (and external ones that answer) plus every kind they depend
on, and the apps under test that run on the stack (`app_nodes`) under what they depend on; with
nothing running, the registered kinds' graph is shown with every node "not started".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from onex_scenario.display import log_text, plain_text
from pydantic import BaseModel, ConfigDict
from rich.text import Text

from onex_services.app_nodes import APP_BACKEND
from onex_services.catalog import kind_graph, kind_specs
from onex_services.graph import ServiceGraph
from onex_services.models import RunState, ServiceStatus

NOT_STARTED = "not started"


class GraphNode(BaseModel):
    """One service in the graph: what it needs, whether it runs, and whether it is usable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    state: str  # running, down or "not started"
    health: str | None = None  # healthy, unhealthy, or None when not probed
    detail: str | None = None  # the probe's error, or the chain that blocks it
    depends_on: tuple[str, ...] = ()
    app: bool = False  # the app under test of a scenario run (see `app_nodes`), not a service

    @property
    def usable(self) -> bool:
        return self.state == RunState.RUNNING.value and self.health != "unhealthy"


def graph_nodes(
    rows: Sequence[ServiceStatus], graph: ServiceGraph | None = None
) -> list[GraphNode]:
    """The nodes of the stack's graph in start order (dependencies first)."""
    graph = graph or kind_graph()
    by_kind = {row.kind: row for row in rows}
    wanted = graph.closure(by_kind) if by_kind else [k for k in graph.order() if k in kind_specs()]
    nodes: list[GraphNode] = []
    for kind in wanted:
        row = by_kind.get(kind)
        needs = graph.needs.get(kind, ())
        if row is None:
            nodes.append(GraphNode(kind=kind, state=NOT_STARTED, depends_on=needs))
            continue
        health = None if row.health is None else row.health.status.value
        detail = row.blocked_by or (row.health.error if row.health is not None else None)
        nodes.append(
            GraphNode(
                kind=kind,
                state=row.state.value,
                health=health,
                detail=detail,
                depends_on=needs,
                app=row.backend == APP_BACKEND,
            )
        )
    return nodes


def render_text(nodes: Sequence[GraphNode]) -> Text:
    """One line per node, dependencies first: `connect  running  healthy  <- kafka`."""
    width = max((len(node.kind) for node in nodes), default=0)
    out = Text()
    for node in nodes:
        style = "green" if node.usable else ("red" if node.state != NOT_STARTED else "dim")
        line = Text()
        line.append(f"{node.kind:<{width}}  ", style="bold")
        line.append(f"{node.state:<11}", style=style)
        line.append(f"  {node.health or '-':<9}", style=style)
        if node.depends_on:
            line.append("  <- " + ", ".join(node.depends_on))
        if node.detail:
            line.append("  ")
            line.append(plain_text(node.detail, "dim"))
        line.rstrip()
        out.append(line)
        out.append("\n")
    return out


def render_mermaid(nodes: Sequence[GraphNode]) -> str:
    """A Mermaid flowchart: an arrow from each service to what it depends on, nodes coloured
    by usability, state and health in the label."""
    lines = ["flowchart BT"]
    for node in nodes:
        label = f"{node.kind}<br/>{node.state}" + (f", {node.health}" if node.health else "")
        if node.detail:
            label += f"<br/>{_mermaid_text(node.detail)[:80]}"
        # An app under test is drawn as a stadium, a service as a box.
        opening, closing = ("([", "])") if node.app else ("[", "]")
        lines.append(f'    {_mermaid_id(node.kind)}{opening}"{label}"{closing}')
    for node in nodes:
        for dep in node.depends_on:
            lines.append(f"    {_mermaid_id(node.kind)} --> {_mermaid_id(dep)}")
    lines.append("    classDef usable fill:#d8f3dc,stroke:#2d6a4f")
    lines.append("    classDef broken fill:#ffd6d6,stroke:#9d0208")
    lines.append("    classDef idle fill:#eeeeee,stroke:#888888")
    for node in nodes:
        css = "usable" if node.usable else ("idle" if node.state == NOT_STARTED else "broken")
        lines.append(f"    class {_mermaid_id(node.kind)} {css}")
    return "\n".join(lines) + "\n"


def _mermaid_id(kind: str) -> str:
    return "svc_" + re.sub(r"[^A-Za-z0-9_]", "_", kind)


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: no quotes, brackets or markup."""
    return re.sub(r'["<>\[\]{}|`#]', "'", log_text(text))
