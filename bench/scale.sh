#!/usr/bin/env bash
# Scale-out benchmark (issue 21): how the shared de-duplication and the spool grow.
#  1. the shared de-duplication with 10 million identities in PostgreSQL: a new event's check and add, and another
#     instance's retry, from 8 threads, flat out and paced, against the in-memory store; then the expiry
#  2. a spool filled to a million events by 16 writers (each written and fsynced), the time a keep takes as it
#     grows, then drained to RabbitMQ as the drain route does: events/s and heap after each tenth
# Needs PostgreSQL (127.0.0.1:5432, user postgres, database test) and RabbitMQ (127.0.0.1:5672); uses a table,
# exchange and queue of its own and removes them. Takes about 8 minutes; output in bench/out/scale-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${BENCH_DEDUP_ROWS:-10000000}
EVENTS=${BENCH_SPOOL_EVENTS:-1000000}
OUT=bench/out
mkdir -p "$OUT"
(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || { echo "PostgreSQL is not listening on 127.0.0.1:5432" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not listening on 127.0.0.1:5672" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
JAR=target/css-callback-gateway.jar
SPOOL="$OUT/scale-spool"
rm -rf "$SPOOL"
trap 'rm -rf "$SPOOL"' EXIT

echo "== shared de-duplication, $ROWS identities"
java -cp "$JAR" bench/ScaleBench.java dedup "$ROWS" 8 40000 | grep -v ' INFO ' | tee "$OUT/scale-dedup.txt"
echo "== spool, $EVENTS events (a heap of 256 MB)"
java -Xmx256m -cp "$JAR" bench/ScaleBench.java spool "$EVENTS" 16 "$SPOOL" | grep -v ' INFO \| WARN ' \
    | tee "$OUT/scale-spool.txt"
