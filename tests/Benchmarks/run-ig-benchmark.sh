#!/usr/bin/env bash
# The committed IG benchmark (issue [B], "Benchmark"): in one run, on this machine, all on 127.0.0.1,
#   (a) the ideal gateway: API-key check, JSON parse, schema validation, batched insert-if-absent into PostgreSQL;
#   (b) IG (Release) with every mechanism on, behind its sidecar harness started as run.sh starts it;
# for the single-event and the batch endpoint: events/s, p50/p99, CPU, peak RSS, the ratio (b)/(a), IG's
# single-event maximum and its p99 at half of that rate. Prints a Markdown table and writes it to
# $PLATFORM_STATE_DIR/benchmarks/. Takes about 3-4 minutes. Uses running local backends or starts them (and then
# stops them at the end unless BENCH_KEEP_BACKENDS=1); stops exactly the processes it started.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
export PLATFORM_STATE_DIR="${PLATFORM_STATE_DIR:-/tmp/platform-local_parity}"
export PLATFORM_ENV=local_parity
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
run_id="platform_$(date -u +%Y%m%dT%H%M%SZ)"
pids=()
started_backends=false

say() { printf '==> %s\n' "$*" >&2; }

# Stops what this script started: only the recorded PIDs, and only while they still run the command we started.
stop_all() {
  local rc=$? i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[i]}"
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$repo/"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -z "${out_dir:-}" ]] || rm -f "$out_dir/pool.ndjson" "$out_dir/labels.ndjson"
  if $started_backends && [[ "${BENCH_KEEP_BACKENDS:-0}" != 1 ]]; then
    say "stopping the local backends this run started"
    bash deploy/local_parity/backends-down.sh >&2 || true
  fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

pg_port() { [[ -f "$PLATFORM_STATE_DIR/env" ]] && grep -Po '^export PLATFORM_PG_PORT="\K[0-9]+' "$PLATFORM_STATE_DIR/env" || echo 55432; }
if [[ -f "$PLATFORM_STATE_DIR/env" ]] && pg_isready -q -h 127.0.0.1 -p "$(pg_port)" -t 2; then
  say "using the running local backends ($PLATFORM_STATE_DIR)"
else
  say "starting the local backends"
  started_backends=true
  bash deploy/local_parity/backends-up.sh >&2
fi
# shellcheck disable=SC1091
source "$PLATFORM_STATE_DIR/env"
export HARNESS_POSTGRES_CONNECTION="$PLATFORM_PG_CONNECTION"
# PostgreSQL alone is not enough: IG writes its receipts to s3rver.
if ! kill -0 "$(<"$PLATFORM_STATE_DIR/run/s3rver.pid")" 2>/dev/null; then
  say "s3rver (pid file $PLATFORM_STATE_DIR/run/s3rver.pid) is not running while PostgreSQL is: the local backends are half up; restart them (backends-down.sh, backends-up.sh) when nobody else uses them"
  exit 1
fi
out_dir="$PLATFORM_STATE_DIR/benchmarks/ig-$run_id"
mkdir -p "$out_dir"

# Which IG was measured: the commit, and a digest of the sources about to be built (other work may change them later).
sources_digest="$(find services/IngestionGate services/Substrate schemas \( -name bin -o -name obj \) -prune -o -type f -print0 |
  LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -c1-12)"
if commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
  git diff --quiet HEAD -- services schemas || commit+=" + uncommitted changes"
else
  commit="unknown (not a git checkout)"
fi
ig_source="commit $commit, sources digest $sources_digest"
say "building Release (IG, sidecar harness, platformctl, benchmark)"
for project in services/IngestionGate/IngestionGate.csproj tests/DaprHarness/DaprHarness.csproj \
  services/Platformctl/Platformctl.csproj tests/Benchmarks/IngestionGate.Benchmark/IngestionGate.Benchmark.csproj; do
  dotnet build "$project" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
done
release=bin/Release/net10.0
bench="$repo/tests/Benchmarks/IngestionGate.Benchmark/$release/IngestionGate.Benchmark.dll"

# Free ports, never those of deploy/local_parity/apps.tsv (run.sh may be running).
read -r ig_port http_port grpc_port ideal_port < <(python3 - <<'PY'
import socket
reserved = {p + i for p in (5101, 3501, 50101) for i in range(7)}
socks, ports = [], []
while len(ports) < 4:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
    if s.getsockname()[1] not in reserved: ports.append(s.getsockname()[1])
print(*ports)
PY
)

say "envelopes: platformctl produce --dry-run (platform_run_id $run_id)"
dotnet "services/Platformctl/$release/platformctl.dll" produce --dry-run --out "$out_dir/pool.ndjson" --run-id "$run_id" \
  --seed 42 --events 20000 --labels-out "$out_dir/labels.ndjson" >&2

say "starting IG on :$ig_port with its sidecar (HTTP :$http_port, gRPC :$grpc_port) and the ideal gateway on :$ideal_port (logs: $out_dir)"
APP_API_TOKEN="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app-api-token"])' "$PLATFORM_SECRETS_FILE")"
export APP_API_TOKEN
(cd services/IngestionGate && DAPR_HTTP_ENDPOINT="http://127.0.0.1:$http_port" DAPR_GRPC_ENDPOINT="http://127.0.0.1:$grpc_port" \
  exec dotnet "$repo/services/IngestionGate/$release/IngestionGate.dll" --urls "http://127.0.0.1:$ig_port") >"$out_dir/ig.log" 2>&1 &
ig_pid=$!
pids+=("$ig_pid")
dotnet "$repo/tests/DaprHarness/$release/DaprHarness.dll" --app-id ig --dapr-http-port "$http_port" --dapr-grpc-port "$grpc_port" \
  --app-port "$ig_port" --resources-path components/local_parity --config components/local_parity/config.yaml >"$out_dir/sidecar.log" 2>&1 &
sidecar_pid=$!
pids+=("$sidecar_pid")
dotnet "$bench" serve-ideal --url "http://127.0.0.1:$ideal_port" >"$out_dir/ideal.log" 2>&1 &
ideal_pid=$!
pids+=("$ideal_pid")

# Ready within 90 s, or say who died.
wait_ready() {
  local url=$1 tries=900 pid name
  while ((tries-- > 0)); do
    curl -fs -o /dev/null --max-time 2 "$url" && return 0
    for name in ig sidecar ideal; do
      pid="${name}_pid"
      if ! kill -0 "${!pid}" 2>/dev/null; then
        say "$name exited during start-up; last lines of $out_dir/$name.log:"
        tail -n 30 "$out_dir/$name.log" >&2
        return 1
      fi
    done
    sleep 0.1
  done
  say "$url not ready after 90 s"
  return 1
}
wait_ready "http://127.0.0.1:$ig_port/readyz"
wait_ready "http://127.0.0.1:$ideal_port/healthz"

postgres_pid="$(head -n 1 "$PLATFORM_STATE_DIR/pg/data/postmaster.pid")"
report="$PLATFORM_STATE_DIR/benchmarks/ig-benchmark-$run_id.md"
say "running the benchmark (about 3 minutes)"
dotnet "$bench" run --ideal-url "http://127.0.0.1:$ideal_port/" --ig-url "http://127.0.0.1:$ig_port/" \
  --pool "$out_dir/pool.ndjson" --out "$report" --run-id "$run_id" --clk-tck "$(getconf CLK_TCK)" --ig-source "$ig_source" \
  --watch "ideal:$ideal_pid" --watch "ig:$ig_pid" --watch "sidecar:$sidecar_pid" --postgres "$postgres_pid" \
  --watch "s3rver:$(<"$PLATFORM_STATE_DIR/run/s3rver.pid")" \
  "$@"
say "report: $report"
