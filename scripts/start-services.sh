#!/usr/bin/env bash
# Starts the local services the tests talk to, where they are down. Idempotent.
set -u

up() { timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_for() {
  for _ in $(seq 1 30); do up "$1" && return 0; sleep 1; done
  echo "start-services: port $1 did not open; tests that need it will say so" >&2
}

if ! up 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start; wait_for 5432
fi
if ! up 6379; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log; wait_for 6379
fi
if ! up 4222; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log; wait_for 4222
fi
exit 0
