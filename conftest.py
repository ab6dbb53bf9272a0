"""Root conftest: plugins every test of the workspace can use.

`onex_services.pytest_fixtures` gives `real_kafka`, `real_postgres`, `real_redis` (endpoints of
real services from the shared stack, or from ONEX_* variables), `onex_namespace` and the
`services_optional` marker. See docs/services.md.
"""

pytest_plugins = ["onex_services.pytest_fixtures"]
