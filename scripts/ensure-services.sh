#!/usr/bin/env bash
# Installs (Debian packages, FerretDB from the Go module proxy) and starts every service the test
# suite and the example need, on loopback, as ../shared/SERVICES.md lists them:
#
#   PostgreSQL 127.0.0.1:5432 (postgres, trust, database test)   MariaDB 127.0.0.1:3306 (root, no password, database test)
#   Redis 127.0.0.1:6379                                         RabbitMQ 127.0.0.1:5672 (guest/guest)
#   memcached 127.0.0.1:11211                                    FerretDB (MongoDB wire protocol) 127.0.0.1:27017
#
# No systemd is assumed: each daemon is started directly and logs to $OTELKIT_SERVICES_LOG
# (default /var/log/otelkit-services/<name>.log), which a failure message names. Idempotent:
# a service whose port already answers is left alone, so a second run takes about a second.
#
#   bash scripts/ensure-services.sh            all services
#   bash scripts/ensure-services.sh redis pg   only those (names: pg mariadb redis rabbitmq memcached ferretdb tools)
set -euo pipefail

LOG_DIR=${OTELKIT_SERVICES_LOG:-/var/log/otelkit-services}
CACHE=${OTELKIT_STACK_CACHE:-$HOME/.cache/otelkit-stack}
FERRETDB_VERSION=v1.24.2

say() { printf '[ensure-services] %s\n' "$*" >&2; }
die() { printf '[ensure-services] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT NAME LOG [SECONDS]: waits until PORT answers, else fails naming the log.
wait_port() {
  local deadline=$((SECONDS + ${4:-60}))
  until port_open "$1"; do
    if ((SECONDS >= deadline)); then
      [ -f "$3" ] && tail -n 20 "$3" >&2
      die "$2 did not start listening on 127.0.0.1:$1 (log: $3)"
    fi
    sleep 0.3
  done
}

APT_UPDATED=
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || die "missing Debian packages (${missing[*]}): install them with apt-get as root"
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq; APT_UPDATED=1; fi
  # Package scripts try to start the daemons; there is no init system, so tell them not to.
  local policy=/usr/sbin/policy-rc.d created_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 ||
    { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get install ${missing[*]} failed (log: $LOG_DIR/apt.log)"; }
  [ -n "$created_policy" ] && rm -f "$policy"
  return 0
}

ensure_tools() {
  local pkgs=()
  # Prometheus, Alertmanager and their tools come from scripts/stack.sh build (the versions
  # compose.yaml pins), not from Debian.
  for tool in docker-compose:docker-compose chromium:chromium script:bsdutils curl:curl redis-server:redis-server \
    redis-cli:redis-tools ss:iproute2 openssl:openssl; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || pkgs+=("${tool##*:}")
  done
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
}

ensure_pg() {
  port_open 5432 && return 0
  apt_install postgresql postgresql-client
  local version conf log
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf=/etc/postgresql/$version/main
  log=/var/log/postgresql/postgresql-$version-main.log
  # Trust on loopback for the tests' `postgres` user (the machine is the test host, nothing else).
  if ! grep -q '^# otelkit: trust on loopback' "$conf/pg_hba.conf"; then
    { echo '# otelkit: trust on loopback'
      echo 'host all all 127.0.0.1/32 trust'
      echo 'host all all ::1/128 trust'
      cat "$conf/pg_hba.conf"; } >"$conf/pg_hba.conf.new"
    mv "$conf/pg_hba.conf.new" "$conf/pg_hba.conf"
  fi
  say "starting PostgreSQL $version on 127.0.0.1:5432 (log: $log)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >>"$LOG_DIR/postgresql.log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "PostgreSQL did not start (log: $log)"; }
  wait_port 5432 PostgreSQL "$log"
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -qc 'CREATE DATABASE test' >/dev/null
}

ensure_mariadb() {
  port_open 3306 && return 0
  apt_install mariadb-server mariadb-client
  local log=$LOG_DIR/mariadb.log
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >>"$log" 2>&1
  say "starting MariaDB on 127.0.0.1:3306 (log: $log)"
  nohup mariadbd --user=mysql --bind-address=127.0.0.1 --port=3306 --log-error="$log" >>"$log" 2>&1 &
  wait_port 3306 MariaDB "$log"
  # root without password over TCP as well as over the socket (the socket login stays as Debian sets it).
  mariadb -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS test;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'root'@'::1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'::1' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
FLUSH PRIVILEGES;
SQL
}

ensure_redis() {
  port_open 6379 && return 0
  apt_install redis-server redis-tools
  local log=$LOG_DIR/redis.log
  mkdir -p /var/lib/redis
  say "starting Redis on 127.0.0.1:6379 (log: $log)"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no \
    --dir /var/lib/redis --logfile "$log"
  wait_port 6379 Redis "$log"
}

ensure_rabbitmq() {
  port_open 5672 && return 0
  apt_install rabbitmq-server
  local log=$LOG_DIR/rabbitmq.log
  say "starting RabbitMQ on 127.0.0.1:5672 (log: $log)"
  touch "$log" && chown rabbitmq:rabbitmq "$log" # the server runs as the rabbitmq user
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 RABBITMQ_LOGS="$log" \
    RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    HOME=/var/lib/rabbitmq rabbitmq-server -detached >>"$log" 2>&1
  wait_port 5672 RabbitMQ "$log" 120
}

ensure_memcached() {
  port_open 11211 && return 0
  apt_install memcached
  local log=$LOG_DIR/memcached.log
  say "starting memcached on 127.0.0.1:11211 (log: $log)"
  nohup memcached -u memcache -l 127.0.0.1 -p 11211 -m 64 >>"$log" 2>&1 &
  wait_port 11211 memcached "$log"
}

# FerretDB v1 (MongoDB wire protocol) on its SQLite backend, built once from the Go module proxy.
# The module's own version file is generated by its release tooling, so the build copies the
# module and writes it (the binary refuses to start without it).
ferretdb_bin() {
  local out=$CACHE/ferretdb-$FERRETDB_VERSION/ferretdb
  if [ ! -x "$out" ]; then
    command -v go >/dev/null 2>&1 || die 'Go is needed to build FerretDB (the polyglot machines have it at /usr/local/go/bin)'
    local log=$LOG_DIR/ferretdb-build.log src tmp
    say "building FerretDB $FERRETDB_VERSION from the Go module proxy (once; log: $log)"
    src=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" 2>>"$log" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -n "$src" ] || { tail -n 20 "$log" >&2; die "go mod download of FerretDB failed (log: $log)"; }
    tmp=$(mktemp -d)
    cp -r "$src/." "$tmp" && chmod -R u+w "$tmp"
    echo "$FERRETDB_VERSION" >"$tmp/build/version/version.txt"
    mkdir -p "$(dirname "$out")"
    (cd "$tmp" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" ./cmd/ferretdb) >>"$log" 2>&1 ||
      { rm -rf "$tmp"; tail -n 20 "$log" >&2; die "FerretDB build failed (log: $log)"; }
    rm -rf "$tmp"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

ensure_ferretdb() {
  port_open 27017 && return 0
  local bin log=$LOG_DIR/ferretdb.log data=/var/lib/otelkit-ferretdb
  bin=$(ferretdb_bin)
  mkdir -p "$data"
  say "starting FerretDB $FERRETDB_VERSION on 127.0.0.1:27017 (SQLite in $data; log: $log)"
  nohup "$bin" --handler=sqlite --sqlite-url="file:$data/" --state-dir="$data" \
    --listen-addr=127.0.0.1:27017 --debug-addr=- --telemetry=disable --log-level=warn >>"$log" 2>&1 &
  wait_port 27017 FerretDB "$log"
}

mkdir -p "$LOG_DIR"
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(tools pg mariadb redis rabbitmq memcached ferretdb)
for s in "${services[@]}"; do
  case "$s" in
    tools) ensure_tools ;;
    pg | postgres | postgresql) ensure_pg ;;
    mariadb | mysql) ensure_mariadb ;;
    redis) ensure_redis ;;
    rabbitmq) ensure_rabbitmq ;;
    memcached) ensure_memcached ;;
    ferretdb | mongodb) ensure_ferretdb ;;
    *) die "unknown service '$s' (known: tools pg mariadb redis rabbitmq memcached ferretdb)" ;;
  esac
done
say "ready: ${services[*]}"
