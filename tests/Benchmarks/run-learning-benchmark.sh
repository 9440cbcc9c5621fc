#!/usr/bin/env bash
# Learning benchmark (issue [C]): OFS build + MF train on 1,000,000 synthetic transactions, Release.
# Usage: tests/Benchmarks/run-learning-benchmark.sh [transactions] [seed] [sidecar|memory]   (defaults: 1000000 20261128 sidecar)
# sidecar: the activities reach the archive, datasets and bundles through a Dapr sidecar harness's S3 binding on the
# local s3rver (the backing services are started here when they are not up). memory: an in-memory object store,
# compute only. See Learning.Benchmark/LearningBenchmark.cs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ "${3:-sidecar}" = sidecar ]; then
  state="${PLATFORM_STATE_DIR:-/tmp/platform-local_parity}"
  if ! { [ -f "$state/env" ] && (. "$state/env" && curl -fsS -o /dev/null "$PLATFORM_S3_ENDPOINT/$PLATFORM_S3_BUCKET"); }; then
    bash "$root/deploy/local_parity/backends-up.sh"
  fi
fi
project="$root/tests/Benchmarks/Learning.Benchmark/Learning.Benchmark.csproj"
dotnet build "$project" -c Release --nologo -v quiet
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
# /usr/bin/time adds the kernel's view of peak RSS when it is installed.
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "process: %e s wall, %M KB peak RSS" dotnet "$root/tests/Benchmarks/Learning.Benchmark/bin/Release/net10.0/Learning.Benchmark.dll" "$@"
else
  dotnet "$root/tests/Benchmarks/Learning.Benchmark/bin/Release/net10.0/Learning.Benchmark.dll" "$@"
fi
