#!/bin/sh
# KAFKA_FOO_BAR=value becomes foo.bar=value in server.properties (apache/kafka's convention).
set -eu
config=/tmp/server.properties
: > "$config"
env | grep '^KAFKA_' | grep -v '^KAFKA_HEAP_OPTS=' | while IFS='=' read -r name value; do
  key=$(echo "${name#KAFKA_}" | tr 'A-Z' 'a-z' | tr '_' '.')
  echo "$key=$value" >> "$config"
done
echo "log.dirs=/var/lib/kafka/data" >> "$config"
mkdir -p /var/lib/kafka/data
cp="/opt/kafka/libs/*"
jvm="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
jvm="$jvm -Dlog4j2.configurationFile=/opt/kafka/log4j2.properties"
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  # shellcheck disable=SC2086
  java $jvm -cp "$cp" kafka.tools.StorageTool format -t "${CLUSTER_ID:-onexcomposecluster00}" -c "$config"
fi
# shellcheck disable=SC2086
exec java $jvm -cp "$cp" kafka.Kafka "$config"
