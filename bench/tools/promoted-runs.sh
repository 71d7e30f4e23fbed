#!/usr/bin/env bash
# Runs gc-count.ts N times on one server script and prints CPU and kB promoted per stream each time.
script=$1; n=${2:-3}
for i in $(seq 1 $n); do TRACE_NVP=1 NODE_ENV=production npx tsx "$(dirname "$0")/gc-count.ts" "$script" stream 2>&1 | tail -2 | tr '\n' ' ' | sed -E 's/.*CPU each: ([0-9]+ µs CPU each)?//'; echo; done
