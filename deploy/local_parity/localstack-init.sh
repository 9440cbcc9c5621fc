#!/bin/bash
# LocalStack READY hook for docker-compose.yaml (runs inside the container, where `awslocal` is available).
# Creates what backends-up.sh creates on the node stand-ins: the bucket and the streams listed in streams.tsv.
# NOT exercised in CI (no Docker there).
set -euo pipefail

awslocal s3api create-bucket --bucket platform-local >/dev/null
while IFS=$'\t' read -r stream shards _; do
  [[ -z "$stream" || "$stream" == \#* ]] && continue
  awslocal kinesis create-stream --stream-name "$stream" --shard-count "$shards"
  awslocal kinesis wait stream-exists --stream-name "$stream"
done </opt/platform/streams.tsv
echo "platform-local bucket and Kinesis streams created"
