"""Service manager of the ONEX Scenario Harness.

Real Kafka, PostgreSQL and Redis as local processes, compose stacks or external endpoints; deep
health probes; namespaces that keep parallel runs apart; one stack shared by every process of a
test run. The public names are below; see docs/services.md for the whole story.
"""

from onex_services.errors import (
    BackendUnavailableError,
    InstallError,
    MissingBinaryError,
    PortClashError,
    ServiceError,
    ServiceStartError,
    ServiceUnavailableError,
)
from onex_services.health import Backoff, HealthChecker
from onex_services.manager import (
    Lease,
    RegistryExternalServiceManager,
    ServicesReport,
    ToolServiceManager,
)
from onex_services.models import (
    ALL_KINDS,
    HealthResult,
    HealthStatus,
    RunState,
    ServiceEndpoint,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)
from onex_services.namespaces import (
    PostgresSchemaManager,
    RedisPrefixManager,
    ToolKafkaResourceManager,
    TopicSpec,
    cleanup_namespace,
    namespace_for,
    verify_clean,
)

__version__ = "0.1.0"

__all__ = [
    "ALL_KINDS",
    "BackendUnavailableError",
    "Backoff",
    "HealthChecker",
    "HealthResult",
    "HealthStatus",
    "InstallError",
    "Lease",
    "MissingBinaryError",
    "PortClashError",
    "PostgresSchemaManager",
    "RedisPrefixManager",
    "RegistryExternalServiceManager",
    "RunState",
    "ServiceEndpoint",
    "ServiceError",
    "ServiceKind",
    "ServiceRecord",
    "ServiceStartError",
    "ServiceStatus",
    "ServiceUnavailableError",
    "ServicesReport",
    "ToolKafkaResourceManager",
    "ToolServiceManager",
    "TopicSpec",
    "cleanup_namespace",
    "namespace_for",
    "verify_clean",
]
