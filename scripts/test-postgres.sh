#!/usr/bin/env sh
# Start Debian's PostgreSQL for the tests that run on it, and print the URL to
# export as TEST_POSTGRES_URL. Needs root (it installs the package if missing).
#   export TEST_POSTGRES_URL=$(scripts/test-postgres.sh) && make test
set -e
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
[ -d "/etc/postgresql/$version/main" ] || pg_createcluster "$version" main >&2
pg_ctlcluster "$version" main start >&2 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null
port=$(pg_conftool -s "$version" main show port 2>/dev/null || echo 5432)
runuser -u postgres -- psql -p "$port" -qc "DO \$\$ BEGIN CREATE ROLE helpdesk_test LOGIN PASSWORD 'helpdesk_test'; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;" >&2
runuser -u postgres -- psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'helpdesk_test'" | grep -q 1 \
  || runuser -u postgres -- createdb -p "$port" -O helpdesk_test helpdesk_test >&2
echo "postgresql://helpdesk_test:helpdesk_test@127.0.0.1:$port/helpdesk_test"
