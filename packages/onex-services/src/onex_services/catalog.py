"""The service catalog: one place that says, per kind, its default port, its environment
variable and how its client string is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from onex_services.models import ServiceKind


@dataclass(frozen=True)
class ServiceSpec:
    kind: ServiceKind
    default_port: int
    env_var: str
    title: str

    def client_url(self, host: str, port: int, password: str | None = None) -> str:
        """The string a client of this kind takes for a server at host:port started by us
        (with its password, URL-safe, when the server has one)."""
        if self.kind is ServiceKind.KAFKA:
            return f"{host}:{port}"
        secret = f":{password}" if password else ""
        if self.kind is ServiceKind.POSTGRES:
            return f"postgresql://postgres{secret}@{host}:{port}/postgres"
        return f"redis://{secret}@{host}:{port}/0" if secret else f"redis://{host}:{port}/0"


CATALOG: dict[ServiceKind, ServiceSpec] = {
    ServiceKind.KAFKA: ServiceSpec(
        ServiceKind.KAFKA, 9092, "ONEX_KAFKA_BOOTSTRAP_SERVERS", "Apache Kafka"
    ),
    ServiceKind.POSTGRES: ServiceSpec(ServiceKind.POSTGRES, 5432, "ONEX_DB_URL", "PostgreSQL"),
    ServiceKind.REDIS: ServiceSpec(ServiceKind.REDIS, 6379, "ONEX_REDIS_URL", "Redis"),
}


def parse_kinds(names: str | list[str] | tuple[str, ...] | None) -> list[ServiceKind]:
    """Kinds from user input ("kafka,redis", a list, or nothing for all), in catalog order.

    Unknown names raise ValueError naming the known ones.
    """
    if names is None:
        return list(CATALOG)
    items = names.split(",") if isinstance(names, str) else list(names)
    wanted: set[ServiceKind] = set()
    for raw in items:
        name = raw.strip().lower()
        if not name:
            continue
        if name == "all":
            return list(CATALOG)
        try:
            wanted.add(ServiceKind(name))
        except ValueError:
            known = ", ".join(kind.value for kind in CATALOG)
            raise ValueError(f"unknown service {raw.strip()!r}: expected one of {known}") from None
    return [kind for kind in CATALOG if kind in wanted] or list(CATALOG)
