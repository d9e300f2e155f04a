#!/usr/bin/env sh
# Start Debian's Redis for the scale-out test, and print the URL to export as
# TEST_REDIS_URL. Needs root (it installs the package if missing). Its own
# port (6390) and no saving to disk: it only carries the tests' events and locks.
#   export TEST_REDIS_URL=$(scripts/test-redis.sh) && make test
set -e
if ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2
fi
port=6390
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >&2
  for _ in 1 2 3 4 5 6 7 8 9 10; do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
echo "redis://127.0.0.1:$port/0"
