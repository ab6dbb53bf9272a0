"""`invoke images.engine` and `invoke images.build`: Docker and local images for the compose
backend, on machines without an image registry (debootstrap base, images built from it)."""

from __future__ import annotations

import sys

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task


def _run(ctx: Context, *args: str) -> None:
    result = ctx.run(" ".join([sys.executable, "-m", "onex_services.images", *args]), warn=True)
    if result is None or result.failed:
        raise Exit("images: failed (see above)", code=1)


@task(help={})
def engine(ctx: Context) -> None:
    """Install docker.io, start dockerd and install the compose v2 plugin when missing."""
    _run(ctx, "engine")


@task(help={"force": "rebuild even when the recipe did not change"})
def build(ctx: Context, force: bool = False) -> None:
    """Build onex/kafka:local, onex/postgres:local and onex/redis:local (engine first)."""
    _run(ctx, "build", *(["--force"] if force else []))
