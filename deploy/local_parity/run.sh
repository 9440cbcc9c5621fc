#!/usr/bin/env bash
# The platform's main job in local_parity: backing services, one Dapr sidecar per app (and the apps whose
# services have landed), a smoke check through every sidecar, synthetic traffic through the Ingestion Gate with a
# summary and a sample receipt read back from it, the producer's chargebacks fed to the Label Store (cm), then the
# learning loop as Dapr Workflows: an OFS dataset build over the run's archive and an MF training on its manifest.
# With the `dapr` CLI installed it uses `dapr run -f` (real daprd); otherwise it starts the project's sidecar
# harness with daprd's flags and says so. Stops everything at the end unless --keep.
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
  # Sidecar -> app calls carry Dapr's app API token, as in dev/prod.
  APP_API_TOKEN="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app-api-token"])' "$PLATFORM_SECRETS_FILE")"
  export APP_API_TOKEN
  while IFS=$'\t' read -r app app_port http_port grpc_port service; do
    [[ -z "$app" || "$app" == \#* ]] && continue
    app_args=()
    if [[ "$service" != "-" ]]; then
      (cd "services/$service" && PLATFORM_ENV=local_parity \
        DAPR_HTTP_ENDPOINT="http://127.0.0.1:$http_port" DAPR_GRPC_ENDPOINT="http://127.0.0.1:$grpc_port" \
        exec dotnet "bin/Debug/net10.0/$service.dll" --urls "http://127.0.0.1:$app_port") >"$logs/app-$app.log" 2>&1 &
      pids+=($!)
      app_args=(--app-port "$app_port")
    fi
    dotnet "$harness" --app-id "$app" --dapr-http-port "$http_port" --dapr-grpc-port "$grpc_port" "${app_args[@]}" \
      --resources-path components/local_parity --config components/local_parity/config.yaml \
      >"$logs/sidecar-$app.log" 2>&1 &
    pids+=($!)
    say "  $app: ${service/#-/sidecar only}${app_args[*]:+ on :$app_port}, Dapr HTTP $http_port, gRPC $grpc_port (logs: $logs/)"
  done < deploy/local_parity/apps.tsv
fi

say "smoke check through every sidecar"
dotnet services/Platformctl/bin/Debug/net10.0/platformctl.dll smoke --apps deploy/local_parity/apps.tsv

run_id="platform_$(date -u +%Y%m%dT%H%M%SZ)"
say "synthetic traffic through the Ingestion Gate (platform_run_id $run_id)"
produce_out="$logs/produce-$run_id.txt"
dotnet services/Platformctl/bin/Debug/net10.0/platformctl.dll produce --run-id "$run_id" --seed 42 \
  --events "${PLATFORM_EVENTS:-10000}" --ig-url http://127.0.0.1:5101 | tee "$produce_out"

say "run summary read back from IG: GET /v1/runs/$run_id/summary (receipts by decision)"
curl -fsS -H "X-Api-Key: $PLATFORM_OPERATOR_API_KEY" "http://127.0.0.1:5101/v1/runs/$run_id/summary" |
  tee "$logs/ig-summary-$run_id.json" | python3 -m json.tool

receipt_id="$(awk '$1 == "sample" && $2 == "receipt" {print $3}' "$produce_out")"
if [[ -n "$receipt_id" ]]; then
  say "sample receipt read back from IG: GET /v1/receipts/$receipt_id"
  curl -fsS -H "X-Api-Key: $PLATFORM_OPERATOR_API_KEY" "http://127.0.0.1:5101/v1/receipts/$receipt_id" | python3 -m json.tool
fi

say "ground-truth chargebacks into the Label Store (cm) as EXTERNAL labels"
dotnet services/Platformctl/bin/Debug/net10.0/platformctl.dll labels feed --run-id "$run_id" --cm-url http://127.0.0.1:5103

# A build reads what is archived when it starts: wait until ofs holds every event IG admitted (traffic + context).
admitted="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["by_decision"]["ADMIT"])' "$logs/ig-summary-$run_id.json")"
say "waiting for ofs to archive the $admitted admitted events: GET /v1/archive/$run_id/summary"
for attempt in $(seq 1 90); do
  archived="$(curl -fsS -H "X-Api-Key: $PLATFORM_OPERATOR_API_KEY" "http://127.0.0.1:5104/v1/archive/$run_id/summary" |
    python3 -c 'import json, sys; print(sum(s["records"] for s in json.load(sys.stdin)["streams"]))')"
  printf '  archived %s/%s\n' "$archived" "$admitted"
  (( archived >= admitted )) && break
  (( attempt == 90 )) && say "the archive has not caught up after 3 minutes; building from what is there"
  sleep 2
done

# The build pins what ofs itself reports it can build (feature set id, version, definition digest).
read -r fs_id fs_version fs_digest < <(curl -fsS -H "X-Api-Key: $PLATFORM_OPERATOR_API_KEY" http://127.0.0.1:5104/v1/feature-sets |
  python3 -c 'import json, sys; f = json.load(sys.stdin)["feature_sets"][0]; print(f["feature_set_id"], f["feature_set_version"], f["definition_digest"])')
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "OFS dataset build (OfsBuildWorkflow): $fs_id $fs_version over the run's archive, labels as of $now"
build_out="$logs/ofs-build-$run_id.txt"
dotnet services/Platformctl/bin/Debug/net10.0/platformctl.dll jobs ofs build --run-id "$run_id" \
  --window-start 2000-01-01T00:00:00Z --window-end "$now" --label-asof "$now" \
  --feature-set-id "$fs_id" --feature-set-version "$fs_version" --definition-digest "$fs_digest" \
  --code-release-id "$(git rev-parse HEAD 2>/dev/null || printf '0%.0s' {1..40})" --ofs-url http://127.0.0.1:5104 --watch | tee "$build_out"
manifest="$(awk '$1 == "manifest:" {$1 = ""; print}' "$build_out" |
  python3 -c 'import json, sys; m = json.load(sys.stdin); print(m["dataset_manifest_id"] + ":" + m["dataset_fingerprint"])')"

say "MF training (MfTrainWorkflow) on DatasetManifest ${manifest%%:*}"
dotnet services/Platformctl/bin/Debug/net10.0/platformctl.dll jobs mf train --run-id "$run_id" \
  --dataset-manifest "$manifest" --scope 'local_parity|fraud|primary' --bundle-version 1 --mf-url http://127.0.0.1:5105 --watch

if $keep; then
  say "running; Ctrl-C stops the sidecars and the backing services"
  wait
fi
