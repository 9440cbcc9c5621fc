# Shared settings and helpers for backends-up.sh and backends-down.sh. Sourced, never executed.
# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this file

STATE_DIR="${PLATFORM_STATE_DIR:-/tmp/platform-local_parity}"
STATE_DIR="${STATE_DIR%/}"
if [[ "$STATE_DIR" != /?* ]]; then
  echo "[local_parity] PLATFORM_STATE_DIR must be an absolute path other than / (got '${PLATFORM_STATE_DIR:-}')" >&2
  exit 2
fi

PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$STATE_DIR/pg"
PG_DATA="$PG_DIR/data"
RUN_DIR="$STATE_DIR/run"
NODE_SERVICES=(s3rver aws-local)

log() { printf '[local_parity] %s\n' "$*"; }

# PostgreSQL refuses to run as root, so as root every server-side command runs as the postgres OS user.
# cd / first: postgres may not be allowed into the caller's working directory.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_running() {
  [[ -f "$PG_DATA/PG_VERSION" && -x "$PG_BIN/pg_ctl" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# Prints the PID recorded for a node service if that process is still ours: alive, not a zombie (kill -0 counts
# zombies as alive), and started with a path inside this state dir (guards against PID reuse).
live_pid_of() {
  local pid_file="$RUN_DIR/$1.pid" pid stat state cmdline
  [[ -f "$pid_file" ]] || return 1
  pid="$(<"$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat 2>/dev/null "/proc/$pid/stat")" || return 1
  state="${stat##*) }"
  [[ "${state%% *}" != Z ]] || return 1
  cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || return 1
  [[ "$cmdline" == *"$STATE_DIR/"* ]] || return 1
  echo "$pid"
}

# Milliseconds since the epoch (EPOCHREALTIME's decimal separator follows the locale, so keep digits only).
now_ms() {
  local us="${EPOCHREALTIME//[!0-9]/}"
  echo $((us / 1000))
}

# "1.23s" since a now_ms value.
since() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%02ds' $((ms / 1000)) $((ms % 1000 / 10))
}
