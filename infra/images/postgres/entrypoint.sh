#!/bin/sh
# initdb as the postgres user (PostgreSQL refuses root), with the password from the environment
# (never printed), test-speed settings, then run the server in the foreground. UTF8 with the C
# locale, as the process backend's initdb: the image's default (no locale set) would be
# SQL_ASCII, where length('é') is 2 and a VARCHAR(2) refuses 'aé' that production accepts.
set -eu
data=/var/lib/postgresql/data
user="${POSTGRES_USER:-postgres}"
if [ ! -s "$data/PG_VERSION" ]; then
  mkdir -p "$data" && chown postgres:postgres "$data"
  pwfile=$(mktemp) && printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pwfile"
  chown postgres "$pwfile"
  su postgres -s /bin/sh -c "initdb -D $data -U $user --pwfile=$pwfile -A scram-sha-256 --encoding=UTF8 --locale=C >/dev/null"
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$data/pg_hba.conf"
fi
# The stack's server settings arrive as arguments (`-cname=value`, from the compose backend's
# settings file); quoted one by one, after ours, so the last one wins.
extra=""
for arg in "$@"; do
  extra="$extra '$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'"
done
exec su postgres -s /bin/sh -c "exec postgres -D $data -c listen_addresses='*' -c fsync=off -c synchronous_commit=off -c full_page_writes=off$extra"
