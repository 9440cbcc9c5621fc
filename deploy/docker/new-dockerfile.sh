#!/usr/bin/env bash
# Writes services/<Folder>/Dockerfile from the shared template: new-dockerfile.sh <Folder> <app-id>.
# The app port is the app's row in deploy/local_parity/apps.tsv (also its dapr.io/app-port in deploy/k8s).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
folder="${1:?usage: new-dockerfile.sh <Folder> <app-id>}"
app_id="${2:?usage: new-dockerfile.sh <Folder> <app-id>}"
port="$(awk -F'\t' -v app="$app_id" '$1 == app {print $2}' "$repo/deploy/local_parity/apps.tsv")"
[[ -n "$port" ]] || { echo "app-id '$app_id' is not in deploy/local_parity/apps.tsv" >&2; exit 1; }
[[ -f "$repo/services/$folder/$folder.csproj" ]] || { echo "services/$folder/$folder.csproj not found" >&2; exit 1; }
sed -e "s/@SERVICE@/$folder/g" -e "s/@APP_ID@/$app_id/g" -e "s/@APP_PORT@/$port/g" \
  "$repo/deploy/docker/service.Dockerfile.template" >"$repo/services/$folder/Dockerfile"
echo "wrote services/$folder/Dockerfile ($app_id, port $port)"
