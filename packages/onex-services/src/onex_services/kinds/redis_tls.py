"""A test Redis that speaks TLS only and knows one ACL user (`ONEX_REDIS_SECURITY=tls_acl`), as
managed Redis (ElastiCache with in-transit encryption and RBAC, Redis Cloud, Upstash) does.

- TLS: `port 0` (no plain listener at all) and `tls-port`, with a certificate for localhost and
  127.0.0.1 that a CA of the stack's own signed (`onex_services.tls`, the one maker of the
  harness); clients show no certificate of their own (`tls-auth-clients no`).
- ACL: the `default` user is off, so a connection that does not log in can run no command, and
  `AUTH <password>` without a user name fails; the user `onex` logs in with the stack's
  generated Redis password and may use every key, channel and command (the harness's janitor
  scans keys, its limits set `maxmemory`).
- The client string carries the settings: `rediss://onex:<password>@127.0.0.1:<port>/0?
  ssl_ca_certs=<ca.pem>`, which redis-py reads as it is (`Redis.from_url`), checking the
  certificate and its host name, and so does an app under test given `${services.redis.url}`.

The variable is one of the kind's harness settings (`security`), in the stack's fingerprint: a
stack without it is never shared with a run that asks for it. The process backend serves it;
the compose backend refuses it (`compose_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from onex_services import server_settings
from onex_services.tls import ServerTls, server_tls

KIND = "redis"
OPTION = "security"
VARIABLE = "ONEX_REDIS_SECURITY"
PLAIN = "plain"
TLS_ACL = "tls_acl"
CHOICES = (PLAIN, TLS_ACL)
USER = "onex"


@dataclass(frozen=True)
class SecuredRedis:
    tls: ServerTls
    password: str

    def config(self, text: str) -> str:
        """redis.conf with its plain port turned into the TLS port, the `requirepass` of the
        default user dropped, and the TLS and ACL settings appended."""
        lines: list[str] = []
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "port":
                lines += ["port 0", f"tls-port {value}"]
            elif key != "requirepass":
                lines.append(line)
        return "\n".join(
            [
                *lines,
                "",
                f"# {VARIABLE}={TLS_ACL}: TLS with the stack's own CA, one ACL user.",
                f"tls-cert-file {self.tls.certificate}",
                f"tls-key-file {self.tls.key}",
                f"tls-ca-cert-file {self.tls.ca}",
                "tls-auth-clients no",
                'tls-protocols "TLSv1.2 TLSv1.3"',
                "user default off resetpass -@all",
                f"user {USER} on >{self.password} ~* &* +@all",
                "",
            ]
        )

    def url(self, host: str, port: int) -> str:
        """The client string: TLS, the ACL user, and the CA to check the server with."""
        query = urlencode({"ssl_ca_certs": str(self.tls.ca)}, safe="/")
        secret = quote(self.password, safe="")
        return f"rediss://{USER}:{secret}@{host}:{port}/0?{query}"

    def details(self) -> dict[str, str]:
        return {"security": TLS_ACL, "acl_user": USER, "ssl_ca": str(self.tls.ca)}


def secured_redis(stack_dir: Path, home: Path, password: str) -> SecuredRedis | None:
    """The TLS and ACL set-up of the stack's server, None when it runs plain."""
    if server_settings.harness_choice(stack_dir, KIND, OPTION, CHOICES) != TLS_ACL:
        return None
    return SecuredRedis(server_tls(home / "tls"), password)
