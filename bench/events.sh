#!/usr/bin/env bash
# Events index benchmark (issue 32): how the audit index answers with a day of 10 million lines, and what copying
# the lines costs.
#  1. PostgreSQL holding LINES audit lines of one day (bulk-loaded): GET /api/events by stream over the day, its next
#     page, GET /api/events/{event_id}, the newest lines, the last hour's refusals, over HTTP: p50/p99/max
#  2. the indexer copying INDEXED lines from an audit file into PostgreSQL, then into H2: lines a second, CPU per line
# Needs PostgreSQL (127.0.0.1:5432, user postgres, database test): tables of its own, dropped at the end (about
# 10 GB of disk while it runs). Output in bench/out/events-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${BENCH_EVENTS_LINES:-10000000}
INDEXED=${BENCH_EVENTS_INDEXED:-500000}
OUT=bench/out
mkdir -p "$OUT"
(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || { echo "PostgreSQL is not listening on 127.0.0.1:5432" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
JAR=target/css-callback-gateway.jar
bench() { java -Xmx256m -cp "$JAR" bench/EventsBench.java "$@" | grep -v ' INFO \| WARN '; }

echo "== lookups in a day of $LINES lines (PostgreSQL, a heap of 256 MB)"
bench lookups "$LINES" | tee "$OUT/events-lookups.txt"
echo "== the indexer: $INDEXED lines, into PostgreSQL and into a local H2 file"
bench indexer pg "$INDEXED" | tee "$OUT/events-indexer.txt"
bench indexer h2 "$INDEXED" | tee -a "$OUT/events-indexer.txt"
