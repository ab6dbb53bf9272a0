"""A package's public names, imported on first use (PEP 562 `__getattr__`).

Why: the harness's pytest plugin is loaded by every pytest run in a project that installs it,
including runs that never touch a scenario or a service, and importing one light module of a
package runs the package's `__init__` first. With eager re-exports that pulled in pydantic,
aiokafka, asyncpg, redis and rich (about 1.5 s). A package's `__init__` therefore lists its
re-exports under `if TYPE_CHECKING:` (what type checkers and readers see) and hands its own file
to `lazy_exports`, which reads those imports once, so the list is written once.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from collections.abc import Callable
from pathlib import Path


def _type_checking_imports(source: str) -> dict[str, str]:
    """name → module of every `from module import name` under `if TYPE_CHECKING:`."""
    exports: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and statement.module:
                for alias in statement.names:
                    exports[alias.asname or alias.name] = statement.module
    return exports


class _LazyPackage(types.ModuleType):
    """A package whose re-export and submodule share a name (`onex_scenario.env_overrides`, a
    function in a module of that name): importing the submodule binds it on the package, over
    the re-export; this keeps the re-export, as the eager `from ... import` did."""

    def __setattr__(self, name: str, value: object) -> None:
        exports: dict[str, str] = self.__dict__.get("__lazy_exports__", {})
        if isinstance(value, types.ModuleType) and exports.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_exports(
    package: str, init_file: str
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for the package `package` whose `__init__` is `init_file`."""
    exports = _type_checking_imports(Path(init_file).read_text(encoding="utf-8"))
    module = sys.modules[package]
    module.__dict__["__lazy_exports__"] = exports
    module.__class__ = _LazyPackage

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__
