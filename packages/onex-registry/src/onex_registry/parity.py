"""Static parity: a real tool and its mock must offer the same public members, with the same
signatures, async-ness and return annotations. A mock may list extra test-only members in
`MOCK_ONLY_MEMBERS`; nothing else may differ."""

from __future__ import annotations

import inspect
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from onex_registry.factories import BaseToolFactory, discover_factories

MOCK_ONLY_MEMBERS: frozenset[str] = frozenset({"inject_fault"})
"""`inject_fault`: a mock takes the network faults it models itself (onex_registry.mock_faults);
the real tool's faults happen on the wire, through the scenario's proxy."""


class ParityIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    real: str
    mock: str
    member: str
    problem: str


def _public_members(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member)
    }


def _describe(member: object) -> tuple[bool, str, str]:
    signature = inspect.signature(member)  # type: ignore[arg-type]
    parameters = ", ".join(str(p) for p in list(signature.parameters.values())[1:])
    return (
        inspect.iscoroutinefunction(member),
        parameters,
        str(signature.return_annotation),
    )


def compare(real: type, mock: type) -> list[ParityIssue]:
    """Every divergence between the public members of `real` and `mock`."""
    issues: list[ParityIssue] = []

    def issue(member: str, problem: str) -> None:
        issues.append(
            ParityIssue(real=real.__name__, mock=mock.__name__, member=member, problem=problem)
        )

    real_members, mock_members = _public_members(real), _public_members(mock)
    for name in sorted(set(real_members) - set(mock_members)):
        issue(name, "missing in the mock")
    for name in sorted(set(mock_members) - set(real_members) - MOCK_ONLY_MEMBERS):
        issue(name, "only in the mock (add it to the real tool or to MOCK_ONLY_MEMBERS)")
    for name in sorted(set(real_members) & set(mock_members)):
        real_async, real_params, real_return = _describe(real_members[name])
        mock_async, mock_params, mock_return = _describe(mock_members[name])
        if real_async != mock_async:
            issue(name, f"async in one only (real async={real_async}, mock async={mock_async})")
        if real_params != mock_params:
            issue(name, f"parameters differ: real ({real_params}) vs mock ({mock_params})")
        if real_return != mock_return:
            issue(name, f"return annotation differs: real {real_return} vs mock {mock_return}")
    return issues


def check_factories(factories: Iterable[BaseToolFactory] | None = None) -> list[ParityIssue]:
    chosen = list(factories) if factories is not None else list(discover_factories().values())
    issues: list[ParityIssue] = []
    for factory in chosen:
        issues.extend(compare(factory.real_class, factory.mock_class))
    return issues
