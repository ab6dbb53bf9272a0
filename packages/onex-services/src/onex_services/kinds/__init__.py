"""The service kinds that come with the harness, one module (or package) each.

Each exports `SPEC`, a `KindSpec`, registered under the `onex.service_kinds` entry points in
onex-services' pyproject.toml; a user's package registers its own kinds the same way.
"""
