#!/usr/bin/env bash
# The concurrency tests, N runs in a row (default 50) beside two CPU-bound processes, stopping at the first
# failure (issue 11: "pass 50 runs in a row beside two CPU-bound processes"). Uses the test databases of
# `make test` (TEST_DATABASE_URL etc. override them) and keeps the test database between runs.
#   bash scripts/repeat_concurrency.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-50}"
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/alliance_builder}"
export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}"
export REDIS_CACHE_URL="${TEST_REDIS_CACHE_URL:-redis://127.0.0.1:6379/13}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
tests=(tests/invitations/test_concurrency.py tests/eligibility/test_serialised.py)

hogs=()
for _ in 1 2; do
  .venv/bin/python -c "while True: pass" &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null || true' EXIT

started=$(date +%s)
for run in $(seq 1 "$runs"); do
  if ! .venv/bin/pytest "${tests[@]}" -q -p no:cacheprovider --reuse-db >"/tmp/concurrency-run-$run.log" 2>&1; then
    echo "run $run of $runs FAILED (log: /tmp/concurrency-run-$run.log)"
    tail -30 "/tmp/concurrency-run-$run.log"
    exit 1
  fi
  echo "run $run of $runs passed ($(tail -1 "/tmp/concurrency-run-$run.log" | sed 's/=//g'))"
done
echo "{\"runs\": $runs, \"failures\": 0, \"seconds\": $(( $(date +%s) - started ))}"
