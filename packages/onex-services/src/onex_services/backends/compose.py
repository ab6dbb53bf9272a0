"""The compose backend: a compose file per stack (written from the kinds' fragments, see
`compose_file`) through python-on-whales.

One compose project per stack (`onex-<stack id>`), labelled with the owner pid and the run id so
parallel runs never collide and a stack whose owner died can be found and removed. Host ports are
chosen free beforehand and published on 127.0.0.1 only (Kafka listens on the same port number
inside, so its advertised address is right for clients on the host). What a kind needs in the
stack (its image, secrets such as generated passwords, extra settings, its client string) is
its spec's `compose` fragment; secrets are kept in an env file readable by the owner only and
never printed.

A kind with no compose fragment (a user's kind, the test-only echo kind) runs beside the
containers as a process of the stack, so a compose stack serves every registered kind; the stack
starts wave by wave in dependency order (see `compose_waves`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from onex_services import docker_engine, members, server_settings
from onex_services.backends.compose_file import (
    COMPOSE_FILE,
    compose_document,
    fragment,
    kinds_in,
    services_of,
    write_compose_file,
)
from onex_services.backends.compose_waves import beside, probe_dependencies, split_kinds
from onex_services.backends.process import ProcessBackend
from onex_services.catalog import dependency_urls, kind_graph, kind_spec
from onex_services.errors import BackendUnavailableError, ServiceStartError
from onex_services.models import ServiceKind, ServiceRecord
from onex_services.ownership import write_private
from onex_services.ports import LOOPBACK, free_port, port_accepts
from onex_services.settings import Paths

LABEL = "org.onex.harness"
SETTINGS_FILE = "server-settings.compose.yml"


def _image_exists(image: str) -> bool:
    return bool(DockerClient().image.exists(image))


def _chosen_image(kind: ServiceKind) -> str | None:
    """ONEX_IMAGE_<KIND> if set, else the local image when built, else the official default."""
    explicit = os.environ.get(kind_spec(kind).image_env)
    if explicit:
        return explicit
    local = fragment(kind).local_image
    return local if _image_exists(local) else None


class ComposeBackend:
    name = "compose"
    manages_processes = True

    def __init__(self, paths: Paths) -> None:
        self._paths = paths
        self._beside = ProcessBackend(paths)

    def check_available(self, kinds: Sequence[ServiceKind]) -> None:
        in_compose, beside = split_kinds(kinds)
        if beside:
            self._beside.check_available(beside)
        if not in_compose:
            return
        if not docker_engine.engine_answers():
            raise BackendUnavailableError(
                "no Docker engine answers",
                fix="`invoke images.engine` (installs docker.io, starts dockerd), "
                "or use --backend process",
            )
        if not docker_engine.compose_available():
            raise BackendUnavailableError(
                "the docker compose plugin is missing", fix="`invoke images.engine`"
            )

    def _client(
        self, project: str, env_file: Path, kinds: Sequence[ServiceKind] = ()
    ) -> DockerClient:
        """The project's client. A stack dir without its compose file (a stack an older harness
        started, which ran a shared file) gets one for `kinds`, so it can still be stopped."""
        compose_file = env_file.with_name(COMPOSE_FILE)
        if kinds and not compose_file.is_file():
            write_compose_file(env_file.parent, kinds, _read_env(env_file))
        settings = env_file.parent / SETTINGS_FILE
        return DockerClient(
            compose_files=[compose_file, *([settings] if settings.is_file() else [])],
            compose_project_name=project,
            compose_env_files=[env_file],
        )

    def _client_of(self, record: ServiceRecord) -> DockerClient:
        env_file = Path(record.details["env_file"])
        return self._client(record.details["project"], env_file, [record.kind])

    def _clients(self, records: Sequence[ServiceRecord]) -> list[tuple[str, DockerClient]]:
        """One client per compose project among `records`."""
        projects: dict[tuple[str, str], list[ServiceKind]] = {}
        for record in records:
            key = (record.details["project"], record.details["env_file"])
            projects.setdefault(key, []).append(record.kind)
        return [
            (project, self._client(project, Path(env_file), kinds))
            for (project, env_file), kinds in projects.items()
        ]

    def _write_env(
        self,
        stack_dir: Path,
        kinds: Sequence[ServiceKind],
        stack: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> tuple[Path, dict[str, str]]:
        """The stack's env file and compose file, for the kinds it runs already and `kinds`:
        the values of running services are kept, new kinds get a free port and fresh secrets
        (and what their fragment makes of the client strings of the `stack`'s servers they
        depend on)."""
        env_file = stack_dir / "compose.env"
        values = _read_env(env_file)
        values.update({"ONEX_OWNER": str(os.getpid()), "ONEX_RUN_ID": stack_dir.name})
        held = kinds_in(stack_dir)
        for kind in kinds:
            if kind in held and kind_spec(kind).port_env in values:
                continue
            part = fragment(kind)
            values[kind_spec(kind).port_env] = str(free_port())
            values.update({name: secrets.token_urlsafe(18) for name in part.secrets})
            values.update(part.env())
            if part.settings_env is not None:  # a cluster's members (`brokers`)
                values.update(part.settings_env(server_settings.read(stack_dir).get(kind, {})))
            if part.dependency_env is not None:
                values.update(part.dependency_env(dependency_urls(kind, stack or {})))
            image = _chosen_image(kind)
            if image:
                values[kind_spec(kind).image_env] = image
        stack_dir.mkdir(parents=True, exist_ok=True)
        env_file.touch(mode=0o600)
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        write_compose_file(
            stack_dir, [*held, *(kind for kind in kinds if kind not in held)], values
        )
        return env_file, values

    def _record(self, kind: ServiceKind, values: dict[str, str], project: str, env_file: Path,
                stack_dir: Path, containers: Mapping[str, str]) -> ServiceRecord:  # fmt: skip
        port = int(values[kind_spec(kind).port_env])
        part = fragment(kind)
        url = part.client_url(LOOPBACK, port, values)
        details = part.details(values) if part.details is not None else {}
        if part.members is not None:  # a server of several containers: one per member
            listed = part.members(values, containers, stack_dir)
            if listed:
                details[members.MEMBERS] = members.format_members(listed)
        return ServiceRecord(
            kind=kind,
            backend=self.name,
            host=LOOPBACK,
            port=port,
            url=url,
            container=containers.get(kind),
            log_path=str(stack_dir / f"{kind}.log"),
            details={**details, "project": project, "env_file": str(env_file)},
        )

    async def start(
        self,
        kinds: Sequence[ServiceKind],
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> dict[ServiceKind, ServiceRecord]:
        """`kinds` wave by wave in dependency order: in each, the containers (one `compose up`)
        and the kinds without a compose service (as processes) side by side."""
        stack = dict(running or {})
        started: dict[ServiceKind, ServiceRecord] = {}
        try:
            for wave in kind_graph().layers(kinds):
                await probe_dependencies(wave, started, {**stack, **started})
                started.update(await self._wave(wave, stack_dir, {**stack, **started}))
        except BaseException:
            await self.stop(list(started.values()), grace_s=5.0)
            raise
        return started

    async def _wave(
        self,
        wave: Sequence[ServiceKind],
        stack_dir: Path,
        stack: Mapping[ServiceKind, ServiceRecord],
    ) -> dict[ServiceKind, ServiceRecord]:
        """One wave: its containers and its processes beside them at once; when one part
        fails, the other is stopped and the first failure raised."""
        in_compose, processes = split_kinds(wave)
        jobs = []
        if in_compose:
            jobs.append(self._up(in_compose, stack_dir, stack))
        if processes:
            jobs.append(self._beside.start(processes, stack_dir, running=stack))
        results = await asyncio.gather(*jobs, return_exceptions=True)
        done = {kind: r for part in results if isinstance(part, dict) for kind, r in part.items()}
        failed = [part for part in results if isinstance(part, BaseException)]
        if failed:
            await self.stop(list(done.values()), grace_s=5.0)
            raise failed[0]
        return done

    async def _up(
        self,
        kinds: Sequence[ServiceKind],
        stack_dir: Path,
        stack: Mapping[ServiceKind, ServiceRecord],
    ) -> dict[ServiceKind, ServiceRecord]:
        """One `compose up --wait` of `kinds` (and nothing else of the stack)."""
        project = f"onex-{stack_dir.name}".lower()
        env_file, values = self._write_env(stack_dir, kinds, stack)
        _write_settings(stack_dir)
        docker = self._client(project, env_file)
        services = services_of(stack_dir, kinds)
        try:
            await asyncio.to_thread(
                docker.compose.up, services=services, detach=True, wait=True, quiet=True,
                dependencies=False,
            )  # fmt: skip
        except DockerException as exc:
            log = _write_logs(docker, stack_dir / "compose.log")
            await asyncio.to_thread(docker.compose.rm, services, stop=True, volumes=True)
            raise ServiceStartError(
                f"docker compose could not start {', '.join(services)}",
                cause=(exc.stderr or str(exc))[-800:],
                log_path=log,
                fix="see the log; `invoke images.build` makes the local images",
            ) from exc
        containers = {
            str((c.config.labels or {}).get("com.docker.compose.service")): str(c.id)
            for c in docker.compose.ps()
        }
        return {
            kind: self._record(kind, values, project, env_file, stack_dir, containers)
            for kind in kinds
        }

    async def restart(
        self,
        record: ServiceRecord,
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> ServiceRecord:
        if beside(record):
            return await self._beside.restart(record, stack_dir, running=running)
        docker = self._client_of(record)
        services = services_of(Path(record.details["env_file"]).parent, [record.kind])
        await asyncio.to_thread(
            docker.compose.up, services=services, detach=True, wait=True, quiet=True,
            dependencies=False,
        )  # fmt: skip
        return record

    def is_running(self, record: ServiceRecord) -> bool:
        """Its port accepts connections (every member's, for a server of several)."""
        if beside(record):
            return self._beside.is_running(record)
        listed = members.members(record)
        if listed:
            return all(members.member_runs(member) for member in listed)
        return port_accepts(record.host, record.port)

    async def stop(self, records: Sequence[ServiceRecord], *, grace_s: float = 10.0) -> None:
        """The processes beside first (they may depend on containers, never the other way
        round), then each project: all of it down, or only the containers of `records`."""
        await self._beside.stop([r for r in records if beside(r)], grace_s=grace_s)
        containers = [record for record in records if not beside(record)]
        for project, docker in self._clients(containers):
            env_file = next(Path(r.details["env_file"]) for r in containers
                            if r.details["project"] == project)  # fmt: skip
            named = [str(r.kind) for r in containers if r.details["project"] == project]
            if set(named) >= set(kinds_in(env_file.parent)):
                await asyncio.to_thread(
                    docker.compose.down,
                    volumes=True,
                    remove_orphans=True,
                    timeout=int(grace_s),
                    quiet=True,
                )
            else:  # the rest of the stack keeps running (a service added that failed)
                services = services_of(env_file.parent, named)
                await asyncio.to_thread(docker.compose.stop, services, timeout=int(grace_s))
                await asyncio.to_thread(docker.compose.rm, services, stop=True, volumes=True)

    def refresh_log(self, record: ServiceRecord) -> None:
        """Write the container's log so far into the record's log file (the engine keeps it)."""
        if beside(record):
            return
        docker = self._client_of(record)
        if record.log_path is not None:
            _write_logs(docker, Path(record.log_path), [record.kind])
        stack_dir = Path(record.details["env_file"]).parent
        for member, service in zip(
            members.members(record)[1:], services_of(stack_dir, [record.kind])[1:], strict=False
        ):  # a cluster's other members, each into its own log
            _write_logs(docker, Path(member.log_path), [service])

    def reap(self, records: Sequence[ServiceRecord], stack_dir: Path | None) -> list[str]:
        # The ledger of the processes beside is read even with no record of them left.
        removed = self._beside.reap([r for r in records if beside(r)], stack_dir)
        for project, docker in self._clients([r for r in records if not beside(r)]):
            docker.compose.down(volumes=True, remove_orphans=True, timeout=0, quiet=True)
            removed.append(f"compose project {project}")
        return removed


def _write_settings(stack_dir: Path) -> None:
    """The stack's server settings as a compose file over the stack's own (none: no file), for
    the kinds the stack's compose file holds."""
    held = kinds_in(stack_dir)
    wanted = {
        kind: values for kind, values in server_settings.read(stack_dir).items() if kind in held
    }
    document = compose_document(held, _read_env(stack_dir / "compose.env"))
    overrides = server_settings.compose_overrides(document, wanted)
    if overrides:
        write_private(stack_dir / SETTINGS_FILE, yaml.safe_dump(overrides).encode())


def _read_env(env_file: Path) -> dict[str, str]:
    """The values of an env file written before (none when there is none)."""
    if not env_file.is_file():
        return {}
    pairs = (line.partition("=") for line in env_file.read_text().splitlines() if "=" in line)
    return {key: value for key, _, value in pairs}


def _write_logs(docker: DockerClient, path: Path, services: list[str] | None = None) -> Path:
    """The logs of `services` (default: every container of the project) so far, into `path`."""
    try:
        text = str(docker.compose.logs(services=services or [], timestamps=True))
    except DockerException as exc:
        text = f"could not read the containers' logs: {exc}\n"
    path.write_text(text, encoding="utf-8")
    return path


def leftover_containers() -> list[str]:
    """Containers of any harness stack that still exist (for tests and `status`)."""
    return [c.name for c in DockerClient().container.list(all=True, filters=[("label", LABEL)])]
