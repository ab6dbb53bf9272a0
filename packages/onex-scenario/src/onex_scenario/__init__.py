"""Scenario models and YAML loader of the ONEX Scenario Harness.

`load_scenario(path)` gives a validated `ScenarioConfigModel` (after `extends`, `${VAR}`
interpolation and `ONEX_*` overrides) or raises `ScenarioValidationError`, whose issues name
file:line:col, the key path and what was expected. See docs/scenarios.md.
"""

from typing import TYPE_CHECKING

from onex_scenario.lazy import lazy_exports

if TYPE_CHECKING:
    from onex_scenario.app_models import ModelAppReadiness, ModelAppSpec
    from onex_scenario.env_overrides import (
        ConnectionOverrides,
        ModelServiceOverride,
        apply_overrides,
        connection_overrides_from_env,
        env_overrides,
    )
    from onex_scenario.errors import (
        EnvOverrideError,
        OnexScenarioError,
        ReferenceResolutionError,
        ScenarioValidationError,
        ValidationIssue,
    )
    from onex_scenario.faults import SERVICE_FAULTS, IsolationEnum, ModelLimits
    from onex_scenario.http_models import ModelHttpExpectation, ModelHttpSpec
    from onex_scenario.index import (
        ExpectedResultEnum,
        LoadedIndex,
        ModelIndexEntry,
        ModelScenarioIndex,
        find_index,
        index_problems,
        load_index,
    )
    from onex_scenario.loader import (
        LoadedScenario,
        ScenarioLoader,
        discover_scenario_files,
        load_scenario,
        load_scenarios,
    )
    from onex_scenario.matching import Mismatch, match_value
    from onex_scenario.models import (
        DependencyModeEnum,
        ModelConnectionConfig,
        ModelExternalServiceConfig,
        ModelKafkaTopic,
        ModelResources,
        ModelRetryPolicy,
        ModelTimeoutProfile,
        ScenarioConfigModel,
        ServiceKindName,
        TierEnum,
    )
    from onex_scenario.modes import (
        ModePlan,
        ModeReasonEnum,
        ServiceModePlan,
        plan_modes,
        tier_label,
    )
    from onex_scenario.references import StepReference, iter_references, resolve_references
    from onex_scenario.steps import (
        STEP_HANDLER_GROUP,
        MatchModeEnum,
        ModelCallStep,
        ModelEventExpectation,
        ModelExpectation,
        ModelExpectEvent,
        ModelExpectEventStep,
        ModelExpectKey,
        ModelExpectKeyStep,
        ModelExpectOutput,
        ModelExpectRow,
        ModelExpectRowStep,
        ModelExtensionStep,
        ModelFaultSpec,
        ModelFaultStep,
        ModelHttpStep,
        ModelKeyExpectation,
        ModelOutputExpectation,
        ModelPublishSpec,
        ModelPublishStep,
        ModelRowExpectation,
        ModelStep,
        ModelWaitStep,
        expectation_kind,
        known_step_actions,
        step_action,
    )
    from onex_scenario.switches import FORCE_ENV

# Imported on first use (see onex_scenario.lazy): importing the package stays cheap.
__getattr__, __dir__ = lazy_exports(__name__, __file__)

__version__ = "0.1.0"

__all__ = [
    "FORCE_ENV",
    "SERVICE_FAULTS",
    "STEP_HANDLER_GROUP",
    "ConnectionOverrides",
    "DependencyModeEnum",
    "EnvOverrideError",
    "ExpectedResultEnum",
    "IsolationEnum",
    "LoadedIndex",
    "LoadedScenario",
    "MatchModeEnum",
    "Mismatch",
    "ModePlan",
    "ModeReasonEnum",
    "ModelAppReadiness",
    "ModelAppSpec",
    "ModelCallStep",
    "ModelConnectionConfig",
    "ModelEventExpectation",
    "ModelExpectEvent",
    "ModelExpectEventStep",
    "ModelExpectKey",
    "ModelExpectKeyStep",
    "ModelExpectOutput",
    "ModelExpectRow",
    "ModelExpectRowStep",
    "ModelExpectation",
    "ModelExtensionStep",
    "ModelExternalServiceConfig",
    "ModelFaultSpec",
    "ModelFaultStep",
    "ModelHttpExpectation",
    "ModelHttpSpec",
    "ModelHttpStep",
    "ModelIndexEntry",
    "ModelKafkaTopic",
    "ModelKeyExpectation",
    "ModelLimits",
    "ModelOutputExpectation",
    "ModelPublishSpec",
    "ModelPublishStep",
    "ModelResources",
    "ModelRetryPolicy",
    "ModelRowExpectation",
    "ModelScenarioIndex",
    "ModelServiceOverride",
    "ModelStep",
    "ModelTimeoutProfile",
    "ModelWaitStep",
    "OnexScenarioError",
    "ReferenceResolutionError",
    "ScenarioConfigModel",
    "ScenarioLoader",
    "ScenarioValidationError",
    "ServiceKindName",
    "ServiceModePlan",
    "StepReference",
    "TierEnum",
    "ValidationIssue",
    "__version__",
    "apply_overrides",
    "connection_overrides_from_env",
    "discover_scenario_files",
    "env_overrides",
    "expectation_kind",
    "find_index",
    "index_problems",
    "iter_references",
    "known_step_actions",
    "load_index",
    "load_scenario",
    "load_scenarios",
    "match_value",
    "plan_modes",
    "resolve_references",
    "step_action",
    "tier_label",
]
