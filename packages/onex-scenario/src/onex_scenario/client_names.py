"""The name a client of a namespace gives the server it connects to.

PostgreSQL's `application_name` and Redis's `CLIENT SETNAME` of the harness's tools are
`onex:<namespace>`, so the resource check after a scenario can count what is still connected
for it (`pg_stat_activity`, `CLIENT LIST`), and a connection left open is traced to its
scenario. The tools (onex-registry) and the state readers (onex-services) both read it here.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def client_name(namespace: str) -> str:
    return f"onex:{namespace}"


def with_application_name(dsn: str, namespace: str) -> str:
    """`dsn` (a postgresql:// URL) naming its connections `onex:<namespace>`, unless the DSN
    names them already: every connection opened from it, the node's own too, is then traced."""
    parts = urlsplit(dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "application_name" for key, _ in query):
        return dsn
    query.append(("application_name", client_name(namespace)))
    return urlunsplit(parts._replace(query=urlencode(query)))
