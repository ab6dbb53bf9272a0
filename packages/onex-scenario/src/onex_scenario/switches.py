"""Environment variables that switch the harness's behaviour, importable without the models
(the pytest plugin reads them at start-up, before it knows whether a run needs the harness)."""

FORCE_ENV = "ONEX_FORCE_DEPENDENCY_MODE"
"""The environment variable that forces every dependency into one mode."""
