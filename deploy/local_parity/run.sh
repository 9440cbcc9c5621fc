#!/usr/bin/env bash
# The platform's main job in local_parity: backing services, one Dapr sidecar per app, then a smoke check
# through every sidecar. With the `dapr` CLI installed it uses `dapr run -f` (real daprd); otherwise it starts
# the project's sidecar harness with daprd's flags and says so. Stops everything at the end unless --keep.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
keep=false
[[ "${1:-}" == "--keep" ]] && keep=true
export PLATFORM_STATE_DIR="${PLATFORM_STATE_DIR:-/tmp/platform-local_parity}"
export PLATFORM_ENV=local_parity
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
logs="$PLATFORM_STATE_DIR/logs"
pids=()

say() { printf '==> %s\n' "$*"; }

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash deploy/local_parity/backends-down.sh
}

bash deploy/local_parity/backends-up.sh
trap stop_all EXIT
# shellcheck disable=SC1091
source "$PLATFORM_STATE_DIR/env"
export HARNESS_POSTGRES_CONNECTION="$PLATFORM_PG_CONNECTION"
mkdir -p "$logs"

say "building"
dotnet build Platform.sln --nologo -v quiet -clp:ErrorsOnly

if command -v dapr >/dev/null 2>&1; then
  say "sidecars: real daprd via 'dapr run -f deploy/local_parity/dapr.yaml'"
  # s3rver stores aws-chunked uploads verbatim; the S3 binding's AWS SDK v2 must send plain bodies.
  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
  dapr run -f deploy/local_parity/dapr.yaml >"$logs/dapr-run.log" 2>&1 &
  pids+=($!)
else
  say "sidecars: the project's daprd stand-in (tests/DaprHarness; no dapr CLI on this machine)"
  harness="$repo/tests/DaprHarness/bin/Debug/net10.0/DaprHarness.dll"
  while IFS=$'\t' read -r app app_port http_port grpc_port; do
    [[ -z "$app" || "$app" == \#* ]] && continue
    dotnet "$harness" --app-id "$app" --dapr-http-port "$http_port" --dapr-grpc-port "$grpc_port" \
      --resources-path components/local_parity --config components/local_parity/config.yaml \
      >"$logs/sidecar-$app.log" 2>&1 &
    pids+=($!)
    say "  $app: HTTP $http_port, gRPC $grpc_port (log: $logs/sidecar-$app.log)"
  done < deploy/local_parity/apps.tsv
fi

say "smoke check through every sidecar"
dotnet services/Platformctl/bin/Debug/net10.0/platformctl.dll smoke --apps deploy/local_parity/apps.tsv

if $keep; then
  say "running; Ctrl-C stops the sidecars and the backing services"
  wait
fi
