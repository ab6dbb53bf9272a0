"""The ledger of apps under test: which harness process started which app, so none is leaked.

An app under test is a child of the harness run that started it, and that run stops it at the
end of its scenario. A run killed outright (SIGKILL, a lost CI runner) cannot; so before the app
is waited for, its identity (a `ProcessRef`: pid, start time, command line, executable) and its
owner's are written to `<run dir>/apps/ledger/`. `reap_orphan_apps` (called before every app
start and by `onex services reap`) kills the app of each record whose owner is gone, with the
same proofs as for services: nothing is signalled unless /proc still shows exactly the recorded
process (`launcher.reap_process`), and only records in a directory of ours are read.
"""

from __future__ import annotations

from pathlib import Path

from onex_scenario import ModelAppReadiness
from pydantic import BaseModel, ConfigDict, ValidationError

from onex_services import launcher, procfs
from onex_services.models import ProcessRef
from onex_services.ownership import NotOwnedError, private_dir, read_owned, write_private
from onex_services.reaper import run_dir
from onex_services.settings import Paths

APPS_DIR = "apps"
LEDGER_DIR = "ledger"


class AppNode(BaseModel):
    """Where the app sits in the service graph: the kinds it depends on, the state dir of the
    stack they belong to, and how to probe it (see `onex_services.app_nodes`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depends_on: tuple[str, ...] = ()
    edges: dict[str, tuple[str, ...]] = {}
    """The scenario's own edges between the kinds of its services (`external_services.<name>.
    depends_on`), which hold while the app runs."""
    stack: str = ""
    namespace: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    ready: ModelAppReadiness | None = None


class AppRecord(BaseModel):
    """One running app under test and the harness process that owns it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    app: ProcessRef
    owner: ProcessRef
    log: str
    node: AppNode | None = None  # None in the records of older harnesses


def apps_dir(paths: Paths) -> Path:
    """`<run dir>/apps`, private: the app logs live here (one folder per scenario run)."""
    return private_dir(run_dir(paths) / APPS_DIR, what="apps dir", env_var="ONEX_RUN_DIR")


def _ledger(paths: Paths) -> Path:
    return private_dir(apps_dir(paths) / LEDGER_DIR, what="app ledger", env_var="ONEX_RUN_DIR")


def record_app(
    paths: Paths, name: str, app: ProcessRef, log: Path, node: AppNode | None = None
) -> Path:
    """Write the record of `app`, owned by this process; the path to `forget_app` it by."""
    record = AppRecord(name=name, app=app, owner=launcher.owner_ref(), log=str(log), node=node)
    path = _ledger(paths) / f"{app.pid}-{app.start_ticks}.json"
    write_private(path, record.model_dump_json().encode())
    return path


def refresh_app(path: Path) -> None:
    """Re-read the app's identity from /proc (after an exec through a shebang or `env`, the
    executable is the interpreter, not the file the command named) and rewrite its record."""
    try:
        record = AppRecord.model_validate_json(read_owned(path))
    except (OSError, NotOwnedError, ValidationError):
        return
    now = procfs.identity(record.app.pid)
    if now is None or now.start_ticks != record.app.start_ticks or now == record.app:
        return
    write_private(path, record.model_copy(update={"app": now}).model_dump_json().encode())


def forget_app(path: Path) -> None:
    path.unlink(missing_ok=True)


def live_apps(paths: Paths) -> list[AppRecord]:
    """The records of the apps that run now and whose harness runs too (any run of this run
    dir), oldest record first."""
    ledger = run_dir(paths) / APPS_DIR / LEDGER_DIR
    if not ledger.is_dir() or ledger.is_symlink():
        return []
    found: list[tuple[float, AppRecord]] = []
    for path in ledger.glob("*.json"):
        try:
            record = AppRecord.model_validate_json(read_owned(path))
            written = path.stat().st_mtime
        except (OSError, NotOwnedError, ValidationError):
            continue
        if launcher.is_alive(record.owner):
            found.append((written, record))
    return [record for _, record in sorted(found, key=lambda item: item[0])]


def reap_orphan_apps(paths: Paths) -> list[str]:
    """Kill the apps whose owning harness is gone; one line per app killed or left alone."""
    ledger = run_dir(paths) / APPS_DIR / LEDGER_DIR
    if not ledger.is_dir() or ledger.is_symlink():
        return []
    lines: list[str] = []
    for path in sorted(ledger.glob("*.json")):
        try:
            record = AppRecord.model_validate_json(read_owned(path))
        except NotOwnedError as exc:
            lines.append(f"ignored the app record {exc}")
            continue
        except (OSError, ValidationError):
            lines.append(f"ignored the app record {path}: not a record of this harness")
            continue
        if launcher.is_alive(record.owner):
            continue
        what = f"app under test {record.name!r} of a harness that is gone"
        line = launcher.reap_process(record.app, frozenset({record.app.exe}), what)
        if line is not None:
            lines.append(line)
        if line is None or line.startswith("killed"):
            forget_app(path)
    return lines
