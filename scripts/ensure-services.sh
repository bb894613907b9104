#!/usr/bin/env bash
# Checks the services and Debian tools the test suite needs, and starts or installs what is
# missing (as root, with the same commands the machines use; see ../shared/SERVICES.md).
# Safe to run again: it only acts on what is missing.
set -euo pipefail

say() { printf '[ensure-services] %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

need_apt=()
for tool in prometheus:prometheus promtool:prometheus amtool:prometheus-alertmanager prometheus-alertmanager:prometheus-alertmanager docker-compose:docker-compose chromium:chromium redis-server:redis-server redis-cli:redis-tools psql:postgresql-client script:bsdutils; do
  bin=${tool%%:*}; pkg=${tool##*:}
  command -v "$bin" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if is_root; then
    say "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need_apt[@]}" | sort -u) >/dev/null
  else
    say "missing tools (${need_apt[*]}): install them with apt-get as root"; exit 1
  fi
fi

if ! port_open 6379; then
  say 'starting Redis on 127.0.0.1:6379'
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 || { say 'Redis did not start'; exit 1; }
fi
if ! port_open 5432; then
  say 'starting PostgreSQL on 127.0.0.1:5432'
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  wait_port 5432 || { say 'PostgreSQL did not start'; exit 1; }
fi
if ! port_open 3306; then
  say 'starting MariaDB on 127.0.0.1:3306'
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 || { say 'MariaDB did not start'; exit 1; }
fi
say 'Redis, PostgreSQL, MariaDB and the Debian tools are ready'
