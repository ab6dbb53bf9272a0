"""The fidelity table: each contract case with its outcome on the mock and on the real tool.

`python -m onex_registry.fidelity reports/fidelity.json` prints it and lists every divergence;
exit 1 when the mock and the real tool disagree on any case, or a side was not run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from onex_scenario.display import plain_text
from rich.console import Console
from rich.table import Table
from rich.text import Text

from onex_registry.divergences import FILE, known_divergences

_STYLE = {"passed": "green", "failed": "red", "skipped": "yellow", "xfail": "yellow"}


def render(results: dict[str, dict[str, str]], console: Console) -> int:
    table = Table(title="Fidelity: each contract case on the mock and on the real tool")
    for column in ("case", "mock", "real"):
        table.add_column(column)
    divergences: list[str] = []
    for case in sorted(results):
        mock = results[case].get("mock", "not run")
        real = results[case].get("real", "not run")
        table.add_row(
            plain_text(case),
            plain_text(mock, _STYLE.get(mock, "red")),
            plain_text(real, _STYLE.get(real, "red")),
        )
        if mock != real:
            divergences.append(f"{case}: mock {mock}, real {real}")
    console.print(table)
    console.print(f"{len(results)} cases, {len(divergences)} divergence(s)")
    for line in divergences:
        console.print(Text.assemble("  ", ("✗", "red"), " ", plain_text(line)))
    render_known(console)
    return 1 if divergences else 0


def render_known(console: Console) -> None:
    """The committed known divergences (onex_registry/known_divergences.toml), each justified."""
    known = known_divergences()
    # The file's path is where the package is installed, which may hold markup characters.
    title = plain_text(f"Known divergences, accepted by the differential tests ({FILE})")
    table = Table(title=title)
    for column in ("protocol", "operation", "real", "mock", "why it stays"):
        table.add_column(column)
    for entry in known:
        table.add_row(*(plain_text(v) for v in (entry.protocol, entry.operation, entry.real,
                                                entry.mock, entry.why)))  # fmt: skip
    console.print(table)
    console.print(f"{len(known)} known divergence(s); any other fails the differential tests")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m onex_registry.fidelity RESULTS.json", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.exists():
        print(
            f"{path}: no results; run the contract suite with ONEX_FIDELITY_OUT set",
            file=sys.stderr,
        )
        return 2
    return render(json.loads(path.read_text()), Console())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
