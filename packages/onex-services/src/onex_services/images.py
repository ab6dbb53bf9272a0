"""Local images for the compose backend on machines without an image registry.

The base image is pulled when a registry answers, else made with debootstrap (Debian's mirror,
the one apt uses) and `docker import`. Every kind with a compose fragment is built FROM it with
its recipe in infra/images/<kind>/ (its `prepare_image` adds files, e.g. the broker's jars). An
image whose recipe did not change (same hash label) is not rebuilt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from onex_services.catalog import kind_specs
from onex_services.infra_files import infra_root
from onex_services.install.system import apt_install
from onex_services.long_work import (
    debootstrap_meter,
    docker_build_meter,
    run_logged,
    showing_progress,
)
from onex_services.settings import Paths

BASE_IMAGE = "onex/debian-base:bookworm"
RECIPE_LABEL = "org.onex.recipe"
Progress = Callable[[str], None]


def _image_label(image: str) -> str | None:
    label_format = f'{{{{index .Config.Labels "{RECIPE_LABEL}"}}}}'
    found = subprocess.run(
        ["docker", "image", "inspect", "--format", label_format, image],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return found.stdout.strip() if found.returncode == 0 else None


def _apt_mirror() -> str:
    """The Debian mirror apt already uses (deb822 or one-line sources)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for source in sources:
        if not source.is_file():
            continue
        text = source.read_text(errors="replace")
        found = re.search(r"(?:URIs:|deb)\s+(https?://\S+/debian)\b", text)
        if found:
            return found.group(1)
    return "http://deb.debian.org/debian"


def ensure_base_image(cache_dir: Path, say: Progress = print) -> None:
    if (
        subprocess.run(
            ["docker", "image", "inspect", BASE_IMAGE], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return
    say("pulling debian:bookworm-slim as the base image ...")
    pulled = subprocess.run(
        ["docker", "pull", "-q", "debian:bookworm-slim"], capture_output=True, check=False
    )
    if pulled.returncode == 0:
        subprocess.run(["docker", "tag", "debian:bookworm-slim", BASE_IMAGE], check=True)
        return
    tarball = cache_dir / "images" / "debian-bookworm-rootfs.tar"
    if not tarball.exists():
        if shutil.which("debootstrap") is None:
            apt_install(["debootstrap"], say)
        mirror = _apt_mirror()
        say(
            f"no registry answers: making the base image with debootstrap from {mirror} "
            "(about a minute) ..."
        )
        with tempfile.TemporaryDirectory(prefix="onex-rootfs-") as root:
            run_logged(
                ["debootstrap", "--variant=minbase", "bookworm", root, mirror],
                title="debootstrap bookworm", log_path=cache_dir / "logs" / "debootstrap.log",
                say=say, meter=debootstrap_meter(),
            )  # fmt: skip
            tarball.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["tar", "-C", root, "-cf", str(tarball), "."], check=True)
    say(f"importing {tarball} as {BASE_IMAGE} ...")
    with tarball.open("rb") as data:
        subprocess.run(
            ["docker", "import", "-", BASE_IMAGE], stdin=data, check=True, stdout=subprocess.DEVNULL
        )


def _recipe_hash(context: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(context)).encode())
        digest.update(
            path.read_bytes()
            if path.stat().st_size < 1_000_000
            else str(path.stat().st_size).encode()
        )
    return digest.hexdigest()[:16]


def build_images(cache_dir: Path, say: Progress = print, *, force: bool = False) -> dict[str, str]:
    """Build every kind's local image (skipping unchanged ones); return kind → image name."""
    ensure_base_image(cache_dir, say)
    recipes = infra_root() / "images"
    built: dict[str, str] = {}
    paths = dataclasses.replace(Paths.from_env(), cache_dir=cache_dir)
    for kind, spec in kind_specs().items():
        if spec.compose is None:
            continue
        image = spec.compose.local_image
        with tempfile.TemporaryDirectory(prefix=f"onex-image-{kind}-") as tmp:
            context = Path(tmp)
            shutil.copytree(recipes / kind, context, dirs_exist_ok=True)
            if spec.compose.prepare_image is not None:
                spec.compose.prepare_image(context, paths)
            recipe = _recipe_hash(context)
            if not force and _image_label(image) == recipe:
                say(f"{image} is up to date")
                built[kind] = image
                continue
            # Host networking: apt inside the build reaches the mirror the host reaches.
            run_logged(
                ["docker", "build", "--network", "host",
                 "--build-arg", f"BASE={BASE_IMAGE}", "--label", f"{RECIPE_LABEL}={recipe}",
                 "-t", image, str(context)],
                title=f"building {image}", log_path=cache_dir / "logs" / f"image-{kind}.log",
                say=say, meter=docker_build_meter(),
            )  # fmt: skip
            built[kind] = image
    return built


def main(argv: list[str]) -> int:
    """`python -m onex_services.images engine|build [--force]|engine-stop OWNER` (the compose
    session calls them; `engine-stop` stops only a dockerd started with ONEX_ENGINE_OWNER=OWNER).
    """
    from onex_scenario.display import plain_text
    from rich.console import Console
    from rich.text import Text

    from onex_services import docker_engine
    from onex_services.errors import ServiceError

    if not argv or argv[0] not in {"engine", "build", "engine-stop"}:
        print("usage: python -m onex_services.images engine|build [--force]|engine-stop OWNER")
        return 2
    cache = Paths.from_env().cache_dir
    if argv[0] == "engine-stop":
        if len(argv) != 2:
            print("usage: python -m onex_services.images engine-stop OWNER")
            return 2
        if not docker_engine.stop_started_engine(cache, argv[1]):
            print("no dockerd was started for this owner: nothing stopped")
        return 0
    console = Console(width=None if sys.stdout.isatty() else 140)

    def say(message: str) -> None:
        console.print(plain_text(message), soft_wrap=True)

    try:
        with showing_progress(console, say):
            docker_engine.ensure_engine(cache, say)
            if argv[0] == "build":
                for kind, image in build_images(cache, say, force="--force" in argv).items():
                    say(f"{kind}: {image}")
    except ServiceError as exc:
        console.print(Text.assemble(("error:", "red"), " ", plain_text(exc)), soft_wrap=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
