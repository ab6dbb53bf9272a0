"""`invoke setup`: install everything the harness needs to run real services on this machine.

Kafka's jars (Maven Central, or ONEX_KAFKA_HOME), PostgreSQL and redis-server through apt-get
when missing, Java checked. The same step as `onex services install`; safe to run again.
"""

from __future__ import annotations

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task
from onex_services import commands


@task(help={"kinds": "services, comma separated: kafka,postgres,redis (default: all)"})
def setup(c: Context, kinds: str = "") -> None:
    """Install Kafka's jars, PostgreSQL and Redis when missing; check Java."""
    code = commands.install(commands.make_console(), kinds or None)
    if code:
        raise Exit(code=code)
