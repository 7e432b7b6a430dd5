#!/usr/bin/env bash
# Installs what team sync's tests need: Debian's PostgreSQL server binaries (initdb, pg_ctl,
# postgres). The tests start a throw-away cluster of their own in a temp folder on a free port
# (as an unprivileged user when run as root), so no service is started here.
# Idempotent: skipped when the package is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'install ok installed'; then
  echo "postgres-setup: installing postgresql"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql
  # Debian's package starts a cluster of its own; the tests never use it.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi

echo "postgres-setup: initdb at $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/initdb"
