#!/bin/sh
# The worker's config is the process backend's template (infra/process/connect/worker.properties)
# with its placeholders filled from CONNECT_BOOTSTRAP, CONNECT_GROUP and CONNECT_PORT.
set -eu
config=/opt/connect/run/worker.properties
mkdir -p /opt/connect/run
sed -e "s|\${bootstrap}|$CONNECT_BOOTSTRAP|g" -e "s|\${group}|$CONNECT_GROUP|g" \
    -e "s|\${port}|$CONNECT_PORT|g" /opt/connect/worker.properties > "$config"
# The JVM options of the process worker (comments and blank lines skipped). /tmp is the host's
# (mounted for file connectors): the JVM keeps its own files out of it.
opts=$(grep -v -e '^#' -e '^[[:space:]]*$' /opt/connect/jvm.options | tr '\n' ' ')
# shellcheck disable=SC2086
exec java $opts -XX:-UsePerfData -Djava.io.tmpdir=/var/tmp \
  -Dlog4j2.configurationFile=/opt/connect/log4j2.properties \
  -cp "/opt/connect/libs/*" org.apache.kafka.connect.cli.ConnectDistributed "$config"
