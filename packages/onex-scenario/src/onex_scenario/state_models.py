"""The scenario's settings about service state: snapshot limits, leaks, rolling back a failure.

See docs/state.md. The snapshot limits bound what a state snapshot keeps per scenario (it runs
for every real scenario); the counts it records are always exact.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

_MODEL = ConfigDict(extra="forbid", frozen=True)


class OnFailureEnum(StrEnum):
    """What happens to the namespace's state when the scenario fails."""

    KEEP = "keep"
    RESTORE = "restore"
    """Roll back to the latest checkpoint (or, without one, the state before the steps), so a
    kept stack (`cleanup_after: false`) stays usable for the next run."""


class ModelSnapshotSettings(BaseModel):
    """The state before and after the steps, recorded for every scenario with real services."""

    model_config = _MODEL

    enabled: bool = True
    rows: int = Field(default=1_000, ge=0, le=1_000_000, description="Rows kept per table.")
    keys: int = Field(default=1_000, ge=0, le=1_000_000, description="Redis keys kept.")
    value_chars: int = Field(
        default=1_024, ge=16, le=10_000_000, description="Longer values are cut, with a note."
    )
