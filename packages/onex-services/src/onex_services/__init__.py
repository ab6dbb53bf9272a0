"""Service manager of the ONEX Scenario Harness.

Real servers of every registered service kind (Kafka, PostgreSQL and Redis come with it; see
`onex_services.kinds`) as local processes, compose stacks or external endpoints; deep health
probes; namespaces that keep parallel runs apart; one stack shared by every process of a
test run. The public names are below; see docs/services.md for the whole story.
"""

from typing import TYPE_CHECKING

from onex_scenario.lazy import lazy_exports

if TYPE_CHECKING:
    from onex_services.catalog import all_kinds, kind_spec, kind_specs
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
    from onex_services.kinds.spec import KindSpec
    from onex_services.leases import Lease
    from onex_services.manager import ToolServiceManager
    from onex_services.models import (
        HealthResult,
        HealthStatus,
        RunState,
        ServiceEndpoint,
        ServiceKind,
        ServiceRecord,
        ServiceStatus,
    )
    from onex_services.namespaces import cleanup_namespace, namespace_for, verify_clean

# Imported on first use (see onex_scenario.lazy): importing the package stays cheap.
__getattr__, __dir__ = lazy_exports(__name__, __file__)

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError",
    "Backoff",
    "HealthChecker",
    "HealthResult",
    "HealthStatus",
    "InstallError",
    "KindSpec",
    "Lease",
    "MissingBinaryError",
    "PortClashError",
    "RunState",
    "ServiceEndpoint",
    "ServiceError",
    "ServiceKind",
    "ServiceRecord",
    "ServiceStartError",
    "ServiceStatus",
    "ServiceUnavailableError",
    "ToolServiceManager",
    "all_kinds",
    "cleanup_namespace",
    "kind_spec",
    "kind_specs",
    "namespace_for",
    "verify_clean",
]
