#!/usr/bin/env bash
# Stops the services started by backends-up.sh for $PLATFORM_STATE_DIR. Safe to run when nothing is running.
# Only signals PIDs recorded in the state dir whose command line still points into it; never pkill/killall.
# Leaves the state dir (logs) in place; the next backends-up.sh wipes it.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$HERE/common.sh"

STOP_GRACE_S=5
status=0

if pg_running; then
  if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null; then
    log "postgres stopped"
  else
    log "WARNING: pg_ctl stop failed for $PG_DATA; see $PG_DIR/postgres.log" >&2
    status=1
  fi
fi

for service in "${NODE_SERVICES[@]}"; do
  if ! pid="$(live_pid_of "$service")"; then
    rm -f "$RUN_DIR/$service.pid"
    continue
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((tick = 0; tick < STOP_GRACE_S * 10; tick++)); do
    live_pid_of "$service" >/dev/null || break
    sleep 0.1
  done
  if live_pid_of "$service" >/dev/null; then
    log "$service (pid $pid) ignored SIGTERM for ${STOP_GRACE_S}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$service.pid"
  log "$service stopped (pid $pid)"
done

exit "$status"
