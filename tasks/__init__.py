"""Invoke tasks of the ONEX Scenario Harness: `invoke --list` shows them.

Each module is a collection (`invoke services.up`, `invoke images.build`, ...). The tasks take
their defaults from their own options and the `ONEX_*` settings (see docs/services.md); there is
no `ns.configure` table, so `invoke.yaml` has nothing of ours to override.
"""

from __future__ import annotations

from importlib import import_module

from invoke.collection import Collection

ns = Collection()
# Top-level tasks: the module `tasks/<name>.py` defines a task called <name> (`invoke setup`).
TOP_LEVEL_TASKS = ("setup",)
# Collections join here as their issues land; a module that is missing is not listed.
for _name in ("setup", "services", "images"):
    try:
        _module = import_module(f"tasks.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tasks.{_name}":
            raise
        continue
    if _name in TOP_LEVEL_TASKS:
        ns.add_task(getattr(_module, _name), name=_name)
    else:
        ns.add_collection(Collection.from_module(_module), name=_name)
