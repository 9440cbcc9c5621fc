#!/usr/bin/env bash
# The test command: installs what is missing, starts the local backing services, builds, runs every test tier
# that this machine supports, stops the services, and ends with one "N passed, N failed" line.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PLATFORM_STATE_DIR="${PLATFORM_STATE_DIR:-/tmp/platform-local_parity}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$repo/TestResults"
rm -rf "$results"

say() { printf '\n==> %s\n' "$*"; }

say "starting local backing services (PostgreSQL, S3-compatible, Kinesis/DynamoDB-compatible) on 127.0.0.1"
bash deploy/local_parity/backends-up.sh
trap 'say "stopping local backing services"; bash deploy/local_parity/backends-down.sh' EXIT

say "building Platform.sln"
dotnet build Platform.sln --nologo -v quiet -clp:ErrorsOnly

status=0
say "checking code style (dotnet format --verify-no-changes)"
dotnet format Platform.sln --verify-no-changes --no-restore -v q || { echo "formatting differs: run 'dotnet format Platform.sln'"; status=1; }

say "running tests"
# One test project at a time: projects share the backing services and the event bus's consumer names.
for project in $(find tests -name '*.Tests.csproj' -o -name '*.IntegrationTests.csproj' | sort); do
    dotnet test "$project" --no-build --nologo -v quiet \
        --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true || status=$?
done

# One closing line summed over every test project's TRX file.
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(f"{sys.argv[1]}/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"\nTests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
