#!/usr/bin/env bash
# Starts throwaway local backing services for the local_parity environment, all on 127.0.0.1:
#   PostgreSQL 15 (database `platform`), s3rver (bucket `platform-local`), aws-local (Kinesis + DynamoDB, one port).
# Then writes $PLATFORM_STATE_DIR/env and $PLATFORM_STATE_DIR/secrets.json. Stop with backends-down.sh.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$HERE/common.sh"

PG_PORT="${PLATFORM_PG_PORT:-55432}"
S3_PORT="${PLATFORM_S3_PORT:-54568}"
AWS_PORT="${PLATFORM_AWS_PORT:-54567}"
BUCKET=platform-local
DATABASE=platform
BACKENDS="$HERE/backends"
STREAMS_FILE="$HERE/streams.tsv"
LOG_DIR="$STATE_DIR/logs"
# Present only in state dirs this script created; it wipes nothing else.
STATE_MARKER="$STATE_DIR/.local_parity-state"
READY_TIMEOUT_S=30

# Before the cleanup trap is armed (preflight) this only exits; afterwards the EXIT trap also stops what was started.
fail() {
  log "ERROR: $*" >&2
  exit 1
}

started_ms="$(now_ms)"

# --- Preflight: nothing is started or wiped before these pass -----------------------------------------------------

for port_var in PG_PORT S3_PORT AWS_PORT; do
  if [[ ! "${!port_var}" =~ ^[1-9][0-9]{0,4}$ ]] || ((${!port_var} > 65535)); then
    fail "PLATFORM_$port_var must be a TCP port number (got '${!port_var}')"
  fi
done
[[ "$PG_PORT" != "$S3_PORT" && "$PG_PORT" != "$AWS_PORT" && "$S3_PORT" != "$AWS_PORT" ]] ||
  fail "ports must differ (postgres $PG_PORT, s3 $S3_PORT, aws $AWS_PORT)"

port_answers() { timeout 2 bash -c ">/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
busy=()
for port_and_name in "$PG_PORT:PostgreSQL" "$S3_PORT:s3rver" "$AWS_PORT:aws-local"; do
  port_answers "${port_and_name%%:*}" && busy+=("${port_and_name%%:*} (${port_and_name#*:})")
done
if ((${#busy[@]})); then
  busy_list="$(printf '%s, ' "${busy[@]}")"
  fail "port(s) already answering on 127.0.0.1: ${busy_list%, }. Something is running there (an earlier run? see backends-down.sh); refusing to start."
fi

if [[ -e "$STATE_DIR" ]]; then
  if [[ ! -f "$STATE_MARKER" && -n "$(ls -A "$STATE_DIR" 2>/dev/null)" ]]; then
    fail "$STATE_DIR exists, is not empty and was not created by this script; refusing to wipe it (set PLATFORM_STATE_DIR)"
  fi
  if pg_running; then
    fail "PostgreSQL from an earlier run is still running in $STATE_DIR; run backends-down.sh first"
  fi
  for service in "${NODE_SERVICES[@]}"; do
    if pid="$(live_pid_of "$service")"; then
      fail "$service (pid $pid) from an earlier run is still running in $STATE_DIR; run backends-down.sh first"
    fi
  done
fi

# --- Install (idempotent) ----------------------------------------------------------------------------------------

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  fail "node >= 20 and npm are required"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || fail "node >= 20 is required (found $(node --version))"

apt_packages=()
[[ -x "$PG_BIN/initdb" ]] || apt_packages+=(postgresql-15)
command -v curl >/dev/null || apt_packages+=(curl)
if ((${#apt_packages[@]})); then
  ((EUID == 0)) || fail "missing ${apt_packages[*]}; install them (apt-get install -y ${apt_packages[*]}) or rerun as root"
  log "installing ${apt_packages[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi
if ((EUID == 0)) && ! id -u postgres >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
fi

# node_modules counts as stale when it was not installed from the current package-lock.json.
lock_sum="$(sha256sum <"$BACKENDS/package-lock.json")"
lock_stamp="$BACKENDS/node_modules/.installed-from-lock.sha256"
if [[ ! -f "$lock_stamp" || "$(<"$lock_stamp")" != "$lock_sum" ]]; then
  log "npm ci in $BACKENDS"
  step_ms="$(now_ms)"
  (cd "$BACKENDS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" >"$lock_stamp"
  log "npm ci done ($(since "$step_ms"))"
fi

# --- Fresh state dir ---------------------------------------------------------------------------------------------

# From here on any failure (set -e, fail, Ctrl-C) stops whatever this run has started. The ERR trap records where
# a command failed; the EXIT trap does the stopping, so explicit `fail` exits are covered too.
# Bash runs a trap inside the redirections of the command it interrupted, so the report goes to fd 3, a copy of the
# caller's stderr (long-lived children get `3>&-` so they do not hold it open).
exec 3>&2
failed_line=""
stop_started() {
  local rc=$?
  trap - EXIT
  ((rc != 0)) || return 0
  if ((rc == 130)); then
    log "interrupted; stopping what was started" >&3
  else
    log "failed (exit $rc${failed_line:+ at backends-up.sh line $failed_line}); stopping what was started" >&3
  fi
  PLATFORM_STATE_DIR="$STATE_DIR" "$HERE/backends-down.sh" >&3 2>&3 || true
  exit "$rc"
}
trap 'failed_line=$LINENO' ERR
trap stop_started EXIT
trap 'exit 130' INT TERM

rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR"
# The postgres user must be able to pass through to its own directory; everything below is private (umask 077).
chmod 711 "$STATE_DIR"
if ((EUID == 0)) && ! runuser -u postgres -- test -x "$STATE_DIR"; then
  fail "the postgres user cannot reach $STATE_DIR (a parent directory is not searchable); choose another PLATFORM_STATE_DIR"
fi
umask 077
mkdir -p "$RUN_DIR" "$LOG_DIR" "$STATE_DIR/s3" "$STATE_DIR/aws" "$PG_DIR/sock"
touch "$STATE_MARKER"
((EUID != 0)) || chown -R postgres:postgres "$PG_DIR"
log "state dir $STATE_DIR"

# --- Start node services first; they boot while initdb runs ------------------------------------------------------

# `( exec node ... ) &` makes $! the node PID itself (a plain `cd x && node ... &` would record a bash PID).
# Every node command line contains "$STATE_DIR/", which backends-down.sh checks before signalling a PID.
# setsid gives them their own session (it does not fork here: a background subshell leads no process group), so a
# signal to the calling job's process group cannot take them down behind PostgreSQL's back.
(cd "$BACKENDS" && exec setsid node node_modules/s3rver/bin/s3rver.js -d "$STATE_DIR/s3" -a 127.0.0.1 -p "$S3_PORT" \
  --no-vhost-buckets --configure-bucket "$BUCKET" -s </dev/null >"$LOG_DIR/s3rver.log" 2>&1 3>&-) &
echo $! >"$RUN_DIR/s3rver.pid"

(cd "$BACKENDS" && exec setsid node aws-local.js --port "$AWS_PORT" --data-dir "$STATE_DIR/aws" \
  </dev/null >"$LOG_DIR/aws-local.log" 2>&1 3>&-) &
echo $! >"$RUN_DIR/aws-local.pid"

# --- PostgreSQL --------------------------------------------------------------------------------------------------

# Hex keeps the password free of characters that would need quoting in a DSN or connection string.
PG_PASSWORD="$(od -An -vtx1 -N24 /dev/urandom | tr -d ' \n')"
step_ms="$(now_ms)"
pwfile="$PG_DIR/initdb.pw"
printf '%s\n' "$PG_PASSWORD" >"$pwfile"
((EUID != 0)) || chown postgres:postgres "$pwfile"
# Local (socket) connections are trusted: the socket lives in a 0700 directory of the postgres user.
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
  { cat "$PG_DIR/initdb.log" >&2; fail "initdb failed"; }
rm -f "$pwfile"
# fsync and friends off: the cluster is thrown away on every run.
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t "$READY_TIMEOUT_S" -o \
  "-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$PG_DIR/sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
  start >/dev/null 3>&- || { tail -n 20 "$PG_DIR/postgres.log" >&2; fail "postgres did not start"; }
log "postgres started on 127.0.0.1:$PG_PORT ($(since "$step_ms"))"

# --- Health checks, each bounded ---------------------------------------------------------------------------------

# wait_ready NAME NODE_SERVICE LOG CMD...: polls CMD every 0.1 s for up to READY_TIMEOUT_S; gives up at once when
# the node service (if one is named) has exited. live_pid_of, unlike kill -0, sees an unreaped zombie child as gone.
wait_ready() {
  local name=$1 service=$2 log_file=$3 step_ms tries=$((READY_TIMEOUT_S * 10))
  shift 3
  step_ms="$(now_ms)"
  while ((tries-- > 0)); do
    if [[ -n "$service" ]] && ! live_pid_of "$service" >/dev/null; then
      log "$name exited during startup; last lines of $log_file:" >&2
      tail -n 20 "$log_file" >&2 || true
      return 1
    fi
    if "$@" >/dev/null 2>&1; then
      log "$name ready ($(since "$step_ms"))"
      return 0
    fi
    sleep 0.1
  done
  log "$name not ready after ${READY_TIMEOUT_S}s; last lines of $log_file:" >&2
  tail -n 20 "$log_file" >&2 || true
  return 1
}

# Kinesis (kinesalite) accepts any signature but insists on the SigV4 header shape and an X-Amz-Date.
aws_call() {
  local target=$1 body=$2 service=$3 content_type=$4 amz_date
  amz_date="$(date -u +%Y%m%dT%H%M%SZ)"
  curl -fsS --max-time 10 "http://127.0.0.1:$AWS_PORT/" \
    -H "Content-Type: $content_type" \
    -H "X-Amz-Target: $target" \
    -H "X-Amz-Date: $amz_date" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=local/${amz_date:0:8}/us-east-1/$service/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000" \
    --data-binary "$body"
}
kinesis_call() { aws_call "Kinesis_20131202.$1" "$2" kinesis application/x-amz-json-1.1; }
dynamodb_call() { aws_call "DynamoDB_20120810.$1" "$2" dynamodb application/x-amz-json-1.0; }

wait_ready postgres "" "$PG_DIR/postgres.log" "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1
wait_ready s3rver s3rver "$LOG_DIR/s3rver.log" \
  curl -fsS --max-time 2 "http://127.0.0.1:$S3_PORT/$BUCKET?list-type=2"
wait_ready aws-local aws-local "$LOG_DIR/aws-local.log" kinesis_call ListStreams '{}'
dynamodb_call ListTables '{}' >/dev/null

export PGPASSWORD="$PG_PASSWORD"
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DATABASE"
[[ "$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DATABASE" -XAtqc 'select 1')" == 1 ]]
unset PGPASSWORD
log "database $DATABASE created"

# --- Kinesis streams ---------------------------------------------------------------------------------------------

step_ms="$(now_ms)"
expected_streams=()
while IFS=$'\t' read -r stream shards _; do
  [[ -z "$stream" || "$stream" == \#* ]] && continue
  [[ "$stream" =~ ^[A-Za-z0-9_.-]+$ && "$shards" =~ ^[1-9][0-9]*$ ]] ||
    fail "bad line in $STREAMS_FILE: '$stream' '$shards' (expected: name<TAB>shard count)"
  kinesis_call CreateStream "{\"StreamName\":\"$stream\",\"ShardCount\":$shards}" >/dev/null
  expected_streams+=("$stream")
done <"$STREAMS_FILE"
listed="$(kinesis_call ListStreams '{"Limit":100}')"
for stream in "${expected_streams[@]}"; do
  [[ "$listed" == *"\"$stream\""* ]] || fail "stream $stream missing from ListStreams: $listed"
done
log "created ${#expected_streams[@]} Kinesis streams ($(since "$step_ms"))"

# The health checks would also pass against a foreign server on the port; make sure ours are the ones alive.
pg_running || fail "postgres is not running"
for service in "${NODE_SERVICES[@]}"; do
  live_pid_of "$service" >/dev/null || fail "$service is not running; see $LOG_DIR/$service.log"
done

# --- Secrets and env file (written last: their presence means the services are up) --------------------------------

PG_DSN="host=127.0.0.1 port=$PG_PORT user=postgres password=$PG_PASSWORD dbname=$DATABASE sslmode=disable"
api_key_exports="$(PLATFORM_PG_DSN="$PG_DSN" node "$HERE/make-secrets.js" "$STATE_DIR/secrets.json")"

env_tmp="$STATE_DIR/env.tmp"
cat >"$env_tmp" <<EOF
export PLATFORM_STATE_DIR="$STATE_DIR"
export PLATFORM_PG_PORT="$PG_PORT"
export PLATFORM_S3_PORT="$S3_PORT"
export PLATFORM_AWS_PORT="$AWS_PORT"
export PLATFORM_PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD;Database=$DATABASE"
export PLATFORM_PG_DSN="$PG_DSN"
export PLATFORM_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export PLATFORM_S3_BUCKET="$BUCKET"
export PLATFORM_AWS_ENDPOINT="http://127.0.0.1:$AWS_PORT"
export PLATFORM_SECRETS_FILE="$STATE_DIR/secrets.json"
$api_key_exports
EOF
mv "$env_tmp" "$STATE_DIR/env"

trap - ERR INT TERM EXIT
log "up in $(since "$started_ms"): postgres 127.0.0.1:$PG_PORT, s3 127.0.0.1:$S3_PORT, aws 127.0.0.1:$AWS_PORT"
log "env file: source $STATE_DIR/env"
