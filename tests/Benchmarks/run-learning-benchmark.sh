#!/usr/bin/env bash
# Learning benchmark (issue [C]): OFS build + MF train on 1,000,000 synthetic transactions, Release, in process.
# Usage: tests/Benchmarks/run-learning-benchmark.sh [transactions] [seed] [sidecar_sample]   (defaults: 1000000 20261128 0)
# The measured pipeline needs no backing services: the activities run over an in-memory object store (see
# Learning.Benchmark/LearningBenchmark.cs). A sidecar_sample > 0 also runs the OFS stages on that many records through
# a Dapr sidecar harness on the local s3rver (start it first: deploy/local_parity/backends-up.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
project="$root/tests/Benchmarks/Learning.Benchmark/Learning.Benchmark.csproj"
dotnet build "$project" -c Release --nologo -v quiet
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
# /usr/bin/time adds the kernel's view of peak RSS when it is installed.
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "process: %e s wall, %M KB peak RSS" dotnet "$root/tests/Benchmarks/Learning.Benchmark/bin/Release/net10.0/Learning.Benchmark.dll" "$@"
else
  dotnet "$root/tests/Benchmarks/Learning.Benchmark/bin/Release/net10.0/Learning.Benchmark.dll" "$@"
fi
