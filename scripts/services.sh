#!/usr/bin/env bash
# Start throw-away PostgreSQL and Redis servers on free loopback ports in a temporary directory,
# run the given command with DATABASE_URL and REDIS_URL pointing at them, then stop both.
#   scripts/services.sh pytest ...
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
set -euo pipefail

pg_bin=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$dir/initdb" ]; then pg_bin="$dir"; break; fi
done
if [ -z "$pg_bin" ] && command -v initdb >/dev/null; then pg_bin="$(dirname "$(command -v initdb)")"; fi
[ -n "$pg_bin" ] || { echo "services.sh: PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "services.sh: redis-server not found (install redis-server)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

workdir="$(mktemp -d -t cloudpos-services.XXXXXX)"
pg_port="$(free_port)"
redis_port="$(free_port)"
as_pg=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$workdir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$workdir/pg" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$workdir/redis.pid" ]; then kill "$(cat "$workdir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$workdir/pg" -U cloudpos --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$workdir/pg" -l "$workdir/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
  --pidfile "$workdir/redis.pid" --logfile "$workdir/redis.log" --dir "$workdir"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

export DATABASE_URL="postgres://cloudpos@127.0.0.1:$pg_port/cloudpos"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
echo "services.sh: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port" >&2
set +e
"$@"
status=$?
set -e
exit $status
